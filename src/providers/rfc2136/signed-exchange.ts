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
import { exchange, exchangeMany, type DnsServer } from '../../dns/exchange.js';
import { Rcode, rcodeName } from '../../dns/wire/constants.js';
import { parseMessage, serializeMessage, type Message } from '../../dns/wire/message.js';
import { signMessage, splitTsig, tsigErrorName, TsigError, verifyResponse } from '../../dns/wire/tsig.js';
import type { TsigKey } from '../../dns/wire/tsig-key.js';
import { requestZoneTransfer, type TransferRequest, type TransferResult } from '../../dns/xfr/transfer-client.js';
import type { ProviderUnavailable } from '../provider.js';

/**
 * How messages reach the server: bytes in, bytes out. TCP by default (`tcpTransport`); the
 * simulator passes an in-process one, so the same provider code drives its server model.
 */
export interface Rfc2136Transport {
  /** One message (no TCP length prefix) → the server's one answer; throws as exchange() does. */
  exchange(request: Uint8Array, server: DnsServer, options: { readonly timeoutMs: number; readonly clock: Clock }): Promise<Uint8Array>;
  /** Several queries on ONE connection, pipelined (RFC 7766 §6.2.1.1) → their answers, in query order; distinct IDs. */
  exchangeMany(requests: readonly Uint8Array[], server: DnsServer, options: { readonly timeoutMs: number; readonly clock: Clock }): Promise<Uint8Array[]>;
  /** One zone transfer, as requestZoneTransfer (throws ERR_XFR_FAILED, ERR_TSIG_VERIFY). */
  transfer(request: TransferRequest): Promise<TransferResult>;
}

export const tcpTransport: Rfc2136Transport = {
  exchange: async (request, server, options) => (await exchange(request, server, { transport: 'tcp', ...options })).bytes,
  exchangeMany: async (requests, server, options) => (await exchangeMany(requests, server, options)).map((r) => r.bytes),
  transfer: requestZoneTransfer,
};

export interface ServerTarget {
  /** The provider id, for messages. */
  readonly provider: string;
  readonly server: { readonly address: string; readonly port: number };
  readonly key: TsigKey | undefined;
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly random: Random;
  /** Default tcpTransport. */
  readonly transport?: Rfc2136Transport;
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
  let answer: Uint8Array;
  try {
    answer = await (target.transport ?? tcpTransport).exchange(bytes, target.server, { timeoutMs: target.timeoutMs, clock: target.clock });
  } catch (error) {
    return unavailable(exchangeFailure(target, zone, what, error));
  }
  return verifiedAnswer(target, zone, what, signed?.mac, answer);
}

/**
 * Queries (never UPDATEs) over ONE connection, pipelined, each signed with its own ID and its
 * answer verified; answers in query order. One failure makes the whole read unavailable.
 */
export async function signedExchangeMany(target: ServerTarget, messages: readonly Message[], zone: string, what: string): Promise<{ readonly kind: 'answered'; readonly responses: readonly Message[] } | ProviderUnavailable> {
  const ids = new Set<number>();
  const timeSigned = Math.floor(target.clock.nowMs() / 1000);
  const requests = messages.map((message) => {
    let id = target.random.uint16();
    while (ids.has(id)) id = target.random.uint16();
    ids.add(id);
    const unsigned = serializeMessage({ ...message, id });
    const signed = target.key === undefined ? undefined : signMessage(unsigned, target.key, { timeSigned });
    return { bytes: signed?.bytes ?? unsigned, mac: signed?.mac };
  });
  let answers: Uint8Array[];
  try {
    answers = await (target.transport ?? tcpTransport).exchangeMany(requests.map((r) => r.bytes), target.server, { timeoutMs: target.timeoutMs, clock: target.clock });
  } catch (error) {
    return unavailable(exchangeFailure(target, zone, what, error));
  }
  const responses: Message[] = [];
  for (const [i, answer] of answers.entries()) {
    const verified = verifiedAnswer(target, zone, what, requests[i].mac, answer);
    if (verified.kind === 'unavailable') return verified;
    responses.push(verified.response);
  }
  return { kind: 'answered', responses };
}

function exchangeFailure(target: ServerTarget, zone: string, what: string, error: unknown): ResoluteError {
  const reason = error instanceof Error ? error.message : String(error);
  return new ResoluteError(error instanceof ResoluteError && error.code === 'ERR_DNS_TIMEOUT' ? 'ERR_PROVIDER_TIMEOUT' : 'ERR_DNS_EXCHANGE', `${what} failed: ${reason}`, {
    where: `${target.provider}: ${zone} at ${serverText(target)}`,
    hint: 'check that the server runs and listens for TCP on that address and port',
    cause: error,
  });
}

/** The answer parsed, its TSIG verified against the request's MAC when the request was signed. */
function verifiedAnswer(target: ServerTarget, zone: string, what: string, requestMac: Uint8Array | undefined, bytes: Uint8Array): Answered {
  let response: Message;
  try {
    response = parseMessage(bytes);
  } catch (error) {
    return unavailable(exchangeFailure(target, zone, what, error));
  }
  if (target.key === undefined || requestMac === undefined) return { kind: 'answered', response };
  const check = verifyResponse(bytes, target.key, requestMac, Math.floor(target.clock.nowMs() / 1000));
  if (check.kind === 'failed' && splitTsig(bytes) === undefined && response.rcode !== Rcode.NOERROR) {
    // An unsigned error answer (PowerDNS answers a bad or unknown key so): report its RCODE.
    return unavailable(refusal(target, zone, what, response.rcode, undefined, 'an unsigned answer'));
  }
  if (check.kind === 'failed') {
    // A TSIG error from the server (its header RCODE NOTAUTH), or an answer we cannot trust.
    const tsigError = check.error !== TsigError.NOERROR ? check.error : undefined;
    return unavailable(refusal(target, zone, what, response.rcode, tsigError, check.reason));
  }
  return { kind: 'answered', response: parseMessage(check.unsigned) };
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
