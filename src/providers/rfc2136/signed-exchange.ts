/**
 * One message to the server and its answer, over TCP, TSIG-signed when a key is configured
 * (RFC 8945), the answer's signature verified; and what a refusal means for the operator.
 *
 * Every failure comes back as a `ProviderUnavailable` value whose message names the server, the
 * zone, the key NAME (never its secret) and what to change in the server's configuration.
 */
import type { Clock } from '../../base/clock.js';
import { ResoluteError } from '../../base/errors.js';
import type { Random } from '../../base/random.js';
import { exchange } from '../../dns/exchange.js';
import { Rcode, rcodeName } from '../../dns/wire/constants.js';
import { parseMessage, serializeMessage, type Message } from '../../dns/wire/message.js';
import { signMessage, splitTsig, tsigErrorName, TsigError, verifyResponse } from '../../dns/wire/tsig.js';
import type { TsigKey } from '../../dns/wire/tsig-key.js';
import type { ProviderUnavailable } from '../provider.js';

export interface ServerTarget {
  /** The provider id, for messages. */
  readonly provider: string;
  readonly server: { readonly address: string; readonly port: number };
  readonly key: TsigKey | undefined;
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly random: Random;
}

export type Answered = { readonly kind: 'answered'; readonly response: Message } | ProviderUnavailable;

/** The largest message over TCP (RFC 1035 §4.2.2). */
export const MAX_TCP_MESSAGE = 65535;

export function serverText(target: ServerTarget): string {
  return `${target.server.address}:${target.server.port}`;
}

/** Sends `message` (its ID is replaced by a random one) and returns the verified answer. */
export async function signedExchange(target: ServerTarget, message: Message, zone: string, what: string): Promise<Answered> {
  const unsigned = serializeMessage({ ...message, id: target.random.uint16() });
  const nowSeconds = (): number => Math.floor(target.clock.nowMs() / 1000);
  const signed = target.key === undefined ? undefined : signMessage(unsigned, target.key, { timeSigned: nowSeconds() });
  const bytes = signed?.bytes ?? unsigned;
  if (bytes.length > MAX_TCP_MESSAGE) {
    return unavailable(new ResoluteError('ERR_PROVIDER_REFUSED', `the ${what} is ${bytes.length} octets, over the 65535 a DNS message can carry`, {
      where: `${target.provider}: ${zone} at ${serverText(target)}`,
      hint: 'this is a bug of the grouping (each group\'s change is sized to fit); as a workaround split the zone into smaller zones',
    }));
  }
  let result;
  try {
    result = await exchange(bytes, target.server, { transport: 'tcp', timeoutMs: target.timeoutMs, clock: target.clock });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return unavailable(new ResoluteError(error instanceof ResoluteError && error.code === 'ERR_DNS_TIMEOUT' ? 'ERR_PROVIDER_TIMEOUT' : 'ERR_DNS_EXCHANGE', `${what} failed: ${reason}`, {
      where: `${target.provider}: ${zone} at ${serverText(target)}`,
      hint: 'check that the server runs and listens for TCP on that address and port',
      cause: error,
    }));
  }
  if (target.key !== undefined && signed !== undefined) {
    const check = verifyResponse(result.bytes, target.key, signed.mac, nowSeconds());
    if (check.kind === 'failed' && splitTsig(result.bytes) === undefined && result.response.rcode !== Rcode.NOERROR) {
      // An unsigned error answer (PowerDNS answers a bad or unknown key so): report its RCODE.
      return unavailable(refusal(target, zone, what, result.response.rcode, undefined, 'an unsigned answer'));
    }
    if (check.kind === 'failed') {
      // A TSIG error from the server (its header RCODE NOTAUTH), or an answer we cannot trust.
      const tsigError = check.error !== TsigError.NOERROR ? check.error : undefined;
      return unavailable(refusal(target, zone, what, result.response.rcode, tsigError, check.reason));
    }
    return { kind: 'answered', response: parseMessage(check.unsigned) };
  }
  return { kind: 'answered', response: result.response };
}

export function unavailable(cause: ResoluteError): ProviderUnavailable {
  return { kind: 'unavailable', cause };
}

/**
 * What an error RCODE (or TSIG error) means and how to fix it at the server. The table the
 * README repeats:
 *
 * | answer | cause | fix |
 * |---|---|---|
 * | BADKEY | the server does not know the key name or algorithm | define the key on the server with the same name and algorithm |
 * | BADSIG | the secrets differ | give both sides the same secret |
 * | BADTIME | the clocks differ by more than the fudge (300 s) | synchronise the clocks (NTP) |
 * | NOTAUTH | not authoritative for the zone, or the key may not update it | serve the zone as primary and allow the key |
 * | REFUSED | the update policy or ACL does not grant this client or key | grant the key (BIND update-policy, Knot acl action update, PowerDNS dnsupdate + TSIG-ALLOW-DNSUPDATE) |
 * | NOTZONE | the zone is not the server's | configure the zone on the server, or fix the provider's zones |
 */
export function refusal(target: ServerTarget, zone: string, what: string, rcode: number, tsigError: number | undefined, detail?: string): ResoluteError {
  const keyText = target.key === undefined ? 'no TSIG key' : `TSIG key ${target.key.name} (${target.key.algorithm})`;
  const where = `${target.provider}: zone ${zone} at ${serverText(target)}, ${keyText}`;
  const name = tsigError !== undefined ? tsigErrorName(tsigError) : rcodeName(rcode);
  const fixes: Record<string, string> = {
    BADKEY: `the server does not know ${keyText}; define that key (same name and algorithm) in the server's configuration`,
    BADSIG: `the server's secret for ${keyText} differs from the provider's; put the same secret on both sides`,
    BADTIME: 'the clocks of this host and the server differ by more than the TSIG fudge (300 s); synchronise them (NTP)',
    NOTAUTH: `the server is not authoritative for ${zone}, does not know ${keyText}, or holds another secret for it (PowerDNS answers a bad signature with a bare NOTAUTH); serve ${zone} as a primary zone there and give it the same key name, algorithm and secret`,
    REFUSED: `the server's update policy or ACL does not grant ${keyText} on ${zone}; BIND: update-policy { grant KEY zonesub ANY; }; Knot: an acl with action update and the key; PowerDNS: dnsupdate=yes, allow-dnsupdate-from and TSIG-ALLOW-DNSUPDATE; if the key is granted, check that the server holds the same secret (PowerDNS refuses a badly signed UPDATE with a bare REFUSED)`,
    NOTZONE: `${zone} is not a zone of that server; configure it there, or fix the provider's zones`,
    SERVFAIL: 'the server failed internally; read its log',
  };
  const reason = `${what} answered ${name}${detail === undefined ? '' : ` (${detail})`}`;
  return new ResoluteError('ERR_PROVIDER_REFUSED', reason, {
    where,
    hint: fixes[name] ?? `the server answered ${name}; read its log and check its configuration for ${zone}`,
  });
}

/** An answer's RCODE as a refusal, or undefined for NOERROR (and NXDOMAIN when `isNxdomainFine`). */
export function refusalOf(target: ServerTarget, zone: string, what: string, response: Message, isNxdomainFine: boolean): ResoluteError | undefined {
  if (response.rcode === Rcode.NOERROR || (isNxdomainFine && response.rcode === Rcode.NXDOMAIN)) return undefined;
  return refusal(target, zone, what, response.rcode, undefined);
}
