import type { Clock } from '../base/clock.js';
import type { Random } from '../base/random.js';
import { exchange } from '../dns/exchange.js';
import { formatIPv4, formatIPv6 } from '../dns/wire/address-text.js';
import { Rcode, RRType } from '../dns/wire/constants.js';
import { buildQuery, type Message } from '../dns/wire/message.js';
import { nameFromWire } from '../dns/wire/name.js';
import type { AddressOutcome, AskServers } from './address-outcome.js';
import type { Failure } from './failure.js';
import type { ServerAddress } from './server-address.js';

export interface QueryConfig {
  readonly servers: readonly ServerAddress[];
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly transport: 'udp' | 'tcp' | 'auto';
  readonly clock: Clock;
  readonly random: Random;
}

/** RFC 1034 §3.6.2 allows chains; like most stub resolvers we stop a loop after 8 links. */
const MAX_CNAME_LINKS = 8;

type OneServer = AddressOutcome | { readonly kind: 'cname'; readonly target: string; readonly ttlSeconds: number };

/**
 * Asks the servers as the system resolver does (resolv.conf(5)): `attempts` rounds over the
 * servers in order, each with `timeoutMs`. A server's NOERROR or NXDOMAIN is the answer; on
 * SERVFAIL, REFUSED, another RCODE, a timeout or an error the next server is asked
 * (RFC 1035 §7.2). A CNAME whose target's records are not in the response is followed.
 */
export function queryServers(config: QueryConfig): AskServers {
  return async (qname, rrtype, signal) => {
    let name = absolute(qname);
    let chainTtl = Infinity;
    for (let link = 0; link <= MAX_CNAME_LINKS; link++) {
      const outcome = await askEveryServer(config, name, rrtype, signal);
      if (outcome.kind === 'cname') {
        [name, chainTtl] = [outcome.target, Math.min(chainTtl, outcome.ttlSeconds)];
        continue;
      }
      if (outcome.kind !== 'addresses') return outcome;
      return { kind: 'addresses', addresses: outcome.addresses, ttlSeconds: Math.min(chainTtl, outcome.ttlSeconds), qname };
    }
    return { kind: 'servfail', negativeTtlSeconds: undefined };
  };
}

function absolute(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

async function askEveryServer(config: QueryConfig, name: string, rrtype: 'A' | 'AAAA', signal: AbortSignal): Promise<OneServer> {
  let last: Failure = { kind: 'timeout', negativeTtlSeconds: undefined };
  for (let attempt = 0; attempt < config.attempts; attempt++) {
    for (const server of config.servers) {
      if (signal.aborted) return { kind: 'unreachable', negativeTtlSeconds: undefined };
      const outcome = await askOneServer(config, server, name, rrtype, signal);
      if (outcome.kind === 'addresses' || outcome.kind === 'cname' || outcome.kind === 'nodata' || outcome.kind === 'nxdomain') return outcome;
      last = outcome;
    }
  }
  return last;
}

async function askOneServer(config: QueryConfig, server: ServerAddress, name: string, rrtype: 'A' | 'AAAA', signal: AbortSignal): Promise<OneServer> {
  let query: Message;
  try {
    // RD set: the server may be a recursive resolver (resolv.conf); an authority ignores it.
    query = buildQuery(name, RRType[rrtype], { id: config.random.uint16(), rd: true, edns: true });
  } catch {
    // A name that cannot be a DNS name (an empty label, a label over 63 octets) does not
    // exist: getaddrinfo says EAI_NONAME for it, never asking a server.
    return { kind: 'nxdomain', negativeTtlSeconds: undefined };
  }
  try {
    const { response } = await exchange(query, server, { transport: config.transport, timeoutMs: config.timeoutMs, signal, clock: config.clock });
    return readResponse(response, name, rrtype);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { kind: code === 'ERR_DNS_TIMEOUT' ? 'timeout' : 'unreachable', negativeTtlSeconds: undefined };
  }
}

function readResponse(response: Message, name: string, rrtype: 'A' | 'AAAA'): OneServer {
  if (response.rcode === Rcode.NXDOMAIN) return { kind: 'nxdomain', negativeTtlSeconds: negativeTtl(response) };
  if (response.rcode === Rcode.REFUSED) return { kind: 'refused', negativeTtlSeconds: undefined };
  if (response.rcode !== Rcode.NOERROR) return { kind: 'servfail', negativeTtlSeconds: undefined };
  const type = RRType[rrtype];
  let owner = name.toLowerCase();
  let ttlSeconds = Infinity;
  for (let link = 0; link <= MAX_CNAME_LINKS; link++) {
    const records = response.answers.filter((r) => r.name === owner && r.type === type);
    if (records.length > 0) {
      const format = type === RRType.A ? formatIPv4 : formatIPv6;
      const addresses = records.filter((r) => r.rdata.length === (type === RRType.A ? 4 : 16)).map((r) => format(r.rdata));
      return { kind: 'addresses', addresses, ttlSeconds: Math.min(ttlSeconds, ...records.map((r) => r.ttlSeconds)), qname: name };
    }
    const cname = response.answers.find((r) => r.name === owner && r.type === RRType.CNAME);
    if (cname === undefined) break;
    ttlSeconds = Math.min(ttlSeconds, cname.ttlSeconds);
    owner = nameFromWire(cname.rdata, 0, { allowPointers: false }).name;
    if (!response.answers.some((r) => r.name === owner)) return { kind: 'cname', target: owner, ttlSeconds };
  }
  return { kind: 'nodata', negativeTtlSeconds: negativeTtl(response) };
}

/** RFC 2308 §5: a negative answer is cached for the smaller of the SOA's TTL and its MINIMUM. */
function negativeTtl(response: Message): number | undefined {
  const soa = response.authority.find((r) => r.type === RRType.SOA);
  if (soa === undefined || soa.rdata.length < 4) return undefined;
  const view = new DataView(soa.rdata.buffer, soa.rdata.byteOffset, soa.rdata.byteLength);
  return Math.min(soa.ttlSeconds, view.getUint32(soa.rdata.length - 4));
}
