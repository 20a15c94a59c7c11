import type { Random } from '../base/random.js';
import type { DnsCheckConfig } from '../config/config.js';
import { exchange } from '../dns/exchange.js';
import { rcodeName, typeCode } from '../dns/wire/constants.js';
import { buildQuery } from '../dns/wire/message.js';
import type { ProbeResult } from './check.js';

/**
 * DNS check: one query that must get a NOERROR answer with at least one record of the asked
 * type (an empty NOERROR is exactly the 2025 failure, so it counts as down). dns/exchange.ts
 * matches the reply to the query and retries over TCP when it is truncated (RFC 7766 §5); the
 * ID is random (RFC 5452 §9.2). The checker's signal is the timeout.
 */
export async function dnsProbe(check: DnsCheckConfig, address: string, signal: AbortSignal, random: Random): Promise<ProbeResult> {
  const qtype = typeCode(check.qtype) ?? 1;
  try {
    const { response } = await exchange(buildQuery(check.qname, qtype, { id: random.uint16(), edns: true }), { address, port: check.port }, {
      signal,
      timeoutMs: check.timeoutMs,
    });
    const count = response.answers.filter((r) => r.type === qtype).length;
    if (response.rcode !== 0) return { isUp: false, detail: `dns ${rcodeName(response.rcode)}` };
    if (count === 0) return { isUp: false, detail: `dns NOERROR with no ${check.qtype} answer` };
    return { isUp: true, detail: `dns NOERROR, ${count} ${check.qtype}` };
  } catch (error) {
    if (signal.aborted) return { isUp: false, detail: 'dns timeout' };
    const code = (error as { code?: string }).code;
    return { isUp: false, detail: code === 'ERR_DNS_TIMEOUT' ? 'dns timeout' : `dns ${(error as Error).message}` };
  }
}
