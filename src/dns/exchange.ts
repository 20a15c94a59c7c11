import dgram from 'node:dgram';
import net from 'node:net';
import { ResoluteError } from '../base/errors.js';
import { systemClock } from '../base/clock.js';
import type { Clock } from '../base/clock.js';
import { parseIPv4, parseIPv6 } from './wire/address-text.js';
import { Rcode } from './wire/constants.js';
import { canonicalName } from './wire/name.js';
import { parseMessage, serializeMessage } from './wire/message.js';
import type { Message } from './wire/message.js';

/**
 * One DNS query → one response, over UDP or TCP, for the health checks, the client library,
 * the verifier and the tests.
 *
 * 1. Serialize the query (or parse the given bytes, to know what to match).
 * 2. UDP: send from a fresh socket on an OS-chosen port; accept only a datagram from the
 *    server's address and port whose ID, opcode and question match the query (RFC 5452 §9.1);
 *    anything else is ignored until the deadline, and named in the timeout error.
 * 3. 'auto': a response with TC set is asked again over TCP (RFC 1035 §4.2.1, RFC 7766 §5).
 * 4. TCP: one connection, each message behind a 2-octet length (RFC 1035 §4.2.2).
 *
 * One deadline (`timeoutMs`) covers the whole exchange, TCP retry included; timers come from
 * the Clock. `server.address` must be an IP address: resolving names is the caller's business.
 */

export interface DnsServer {
  readonly address: string;
  readonly port: number;
}

export type DnsTransport = 'udp' | 'tcp';

export interface ExchangeOptions {
  /** Default 'auto': UDP, then TCP when the response is truncated. */
  readonly transport?: DnsTransport | 'auto';
  /** For the whole exchange; default 5000 (dig's default). */
  readonly timeoutMs?: number;
  /** Aborting rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
}

export interface ExchangeResult {
  readonly response: Message;
  /** The response exactly as received. */
  readonly bytes: Uint8Array;
  readonly transport: DnsTransport;
}

export const DEFAULT_TIMEOUT_MS = 5000;

/**
 * Sends one query and returns its response.
 *
 * @throws ResoluteError ERR_DNS_TIMEOUT when no matching response arrives in time;
 *   ERR_DNS_EXCHANGE when the exchange fails (refused, reset, closed early, a malformed TCP
 *   reply); both name the server. The query itself, when given as bytes, must parse
 *   (WireFormatError otherwise).
 */
export async function exchange(
  query: Uint8Array | Message,
  server: DnsServer,
  options: ExchangeOptions = {},
): Promise<ExchangeResult> {
  const prepared = prepare(query);
  const context = startContext(server, options);
  const transport = options.transport ?? 'auto';
  if (transport === 'tcp') return (await tcpExchange([prepared], context))[0];
  const viaUdp = await udpExchange(prepared, context);
  if (viaUdp !== 'truncated' && !(transport === 'auto' && viaUdp.response.tc)) return viaUdp;
  if (transport === 'auto') return (await tcpExchange([prepared], context))[0];
  throw new ResoluteError('ERR_DNS_EXCHANGE', 'the truncated UDP response could not be parsed', {
    where: context.where('udp'),
    hint: "use transport 'auto' or 'tcp' to get the whole response",
  });
}

export interface PipelinedResult extends ExchangeResult {
  /** The position of this response in the order responses arrived (0 = first). */
  readonly arrival: number;
}

/**
 * Several queries on ONE TCP connection, all written at once before any response is read
 * (pipelining, RFC 7766 §6.2.1.1). Responses may come back in any order (RFC 7766 §7); they
 * are matched by ID and question, returned in query order, each with its arrival position.
 * The queries need distinct IDs. A response that matches no outstanding query fails the
 * exchange: on TCP it cannot come from an off-path spoofer, so it is a server bug.
 */
export async function exchangeMany(
  queries: readonly (Uint8Array | Message)[],
  server: DnsServer,
  options: Omit<ExchangeOptions, 'transport'> = {},
): Promise<PipelinedResult[]> {
  const prepared = queries.map(prepare);
  const ids = new Set(prepared.map((q) => q.message.id));
  if (ids.size !== prepared.length) {
    throw new ResoluteError('ERR_DNS_EXCHANGE', 'pipelined queries need distinct IDs', {
      where: `tcp ${endpoint(server)}`,
    });
  }
  return tcpExchange(prepared, startContext(server, options));
}

interface PreparedQuery {
  readonly message: Message;
  readonly bytes: Uint8Array;
}

function prepare(query: Uint8Array | Message): PreparedQuery {
  return query instanceof Uint8Array
    ? { message: parseMessage(query), bytes: query }
    : { message: query, bytes: serializeMessage(query) };
}

/** What every leg of one exchange shares: the deadline, the clock, the signal, the server. */
interface Context {
  readonly server: DnsServer;
  readonly clock: Clock;
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number;
  readonly deadlineMs: number;
  where(transport: DnsTransport): string;
}

function startContext(server: DnsServer, options: ExchangeOptions): Context {
  if (net.isIP(server.address) === 0) {
    throw new ResoluteError('ERR_DNS_EXCHANGE', `"${server.address}" is not an IP address`, {
      where: endpoint(server),
      hint: 'give the DNS server as an IPv4 or IPv6 address',
    });
  }
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    server,
    clock,
    signal: options.signal,
    timeoutMs,
    deadlineMs: clock.monotonicMs() + timeoutMs,
    where: (transport) => `${transport} ${endpoint(server)}`,
  };
}

function endpoint(server: DnsServer): string {
  return net.isIPv6(server.address) ? `[${server.address}]:${server.port}` : `${server.address}:${server.port}`;
}

/**
 * Runs one leg until it settles, the deadline passes or the signal aborts, then releases what
 * `start` opened. `start` returns its cleanup; `ignored()` says what was discarded, for the
 * timeout message.
 */
function settle<T>(
  context: Context,
  transport: DnsTransport,
  start: (resolve: (value: T) => void, reject: (error: unknown) => void) => { cleanup: () => void; ignored: () => string | undefined },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const { signal, clock } = context;
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    let isDone = false;
    let leg: ReturnType<typeof start> | undefined;
    const finish = (): void => {
      isDone = true;
      cancelTimer();
      signal?.removeEventListener('abort', onAbort);
      leg?.cleanup();
    };
    const ok = (value: T): void => {
      if (isDone) return;
      finish();
      resolve(value);
    };
    const fail = (error: unknown): void => {
      if (isDone) return;
      finish();
      reject(error);
    };
    const onAbort = (): void => fail(signal?.reason);
    const onTimeout = (): void => {
      const ignored = leg?.ignored();
      const reason = `no response within ${context.timeoutMs} ms${ignored === undefined ? '' : `; ignored ${ignored}`}`;
      fail(new ResoluteError('ERR_DNS_TIMEOUT', reason, {
        where: context.where(transport),
        hint: 'check that the server runs and is reachable on that address and port',
      }));
    };
    const cancelTimer = clock.after(Math.max(0, context.deadlineMs - clock.monotonicMs()), onTimeout);
    signal?.addEventListener('abort', onAbort, { once: true });
    leg = start(ok, fail);
    if (isDone) leg.cleanup(); // settled synchronously, before `leg` was set
  });
}

function exchangeError(context: Context, transport: DnsTransport, reason: string, cause?: unknown): ResoluteError {
  return new ResoluteError('ERR_DNS_EXCHANGE', reason, { where: context.where(transport), cause });
}

function udpExchange(query: PreparedQuery, context: Context): Promise<ExchangeResult | 'truncated'> {
  return settle(context, 'udp', (resolve, reject) => {
    const { server } = context;
    const socket = dgram.createSocket(net.isIPv6(server.address) ? 'udp6' : 'udp4');
    let ignored: string | undefined;
    socket.on('message', (bytes, from) => {
      if (!isSameEndpoint(from, server)) {
        ignored = `a datagram from ${from.address}:${from.port}`;
        return;
      }
      let response: Message;
      try {
        response = parseMessage(bytes);
      } catch (error) {
        // A server may cut a UDP response anywhere once it sets TC; the ID still says it is ours.
        if (isTruncatedReplyTo(bytes, query.message)) return resolve('truncated');
        ignored = `a malformed response (${(error as Error).message})`;
        return;
      }
      const mismatch = mismatchOf(query.message, response);
      if (mismatch !== undefined) ignored = mismatch;
      else resolve({ response, bytes: new Uint8Array(bytes), transport: 'udp' });
    });
    // A connected socket hears ICMP port unreachable as ECONNREFUSED, so a stopped server
    // fails fast instead of timing out; it also makes the kernel drop other sources.
    socket.on('error', (error) => reject(exchangeError(context, 'udp', `UDP exchange failed: ${error.message}`, error)));
    socket.connect(server.port, server.address, () => {
      socket.send(query.bytes, (error) => {
        if (error) reject(exchangeError(context, 'udp', `could not send: ${error.message}`, error));
      });
    });
    const cleanup = (): void => {
      try {
        socket.close();
      } catch {
        // Already closed by an error: nothing left to release.
      }
    };
    return { cleanup, ignored: () => ignored };
  });
}

function tcpExchange(queries: readonly PreparedQuery[], context: Context): Promise<PipelinedResult[]> {
  return settle(context, 'tcp', (resolve, reject) => {
    const { server } = context;
    const results = new Array<PipelinedResult | undefined>(queries.length);
    let arrived = 0;
    let pending = Buffer.alloc(0);
    const fail = (reason: string, cause?: unknown): void => reject(exchangeError(context, 'tcp', reason, cause));
    const socket = net.connect({ host: server.address, port: server.port });
    socket.setNoDelay(true);
    socket.on('connect', () => socket.write(Buffer.concat(queries.map((q) => frame(q.bytes)))));
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      // RFC 1035 §4.2.2: each message is preceded by its length in two octets.
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const bytes = new Uint8Array(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        pending = pending.subarray(2 + bytes.length);
        let response: Message;
        try {
          response = parseMessage(bytes);
        } catch (error) {
          return fail(`malformed response: ${(error as Error).message}`, error);
        }
        const index = queries.findIndex((q, i) => results[i] === undefined && q.message.id === response.id);
        const mismatch = index < 0 ? `a response with ID ${response.id} that matches no query` : mismatchOf(queries[index].message, response);
        if (mismatch !== undefined) return fail(`received ${mismatch}`);
        results[index] = { response, bytes, transport: 'tcp', arrival: arrived++ };
        if (arrived === queries.length) return resolve(results as PipelinedResult[]);
      }
    });
    socket.on('error', (error) => fail(`TCP exchange failed: ${error.message}`, error));
    socket.on('close', () => fail(`the server closed the connection after ${arrived} of ${queries.length} responses`));
    return { cleanup: () => socket.destroy(), ignored: () => undefined };
  });
}

function frame(message: Uint8Array): Buffer {
  if (message.length > 0xffff) throw new ResoluteError('ERR_DNS_EXCHANGE', `a ${message.length}-octet query does not fit TCP framing`);
  const out = Buffer.alloc(2 + message.length);
  out.writeUInt16BE(message.length, 0);
  out.set(message, 2);
  return out;
}

/**
 * Why `response` is not the response to `query`, or undefined when it is (RFC 5452 §9.1: ID,
 * and the question; names compare without case, RFC 4343). An error response without a
 * question is accepted: servers send FORMERR, NOTIMP or REFUSED without one, and it carries
 * no data to poison anything with.
 */
function mismatchOf(query: Message, response: Message): string | undefined {
  if (!response.qr) return `a message with ID ${response.id} that is not a response`;
  if (response.id !== query.id) return `a response with ID ${response.id}, not ${query.id}`;
  if (response.opcode !== query.opcode) return `a response with opcode ${response.opcode}, not ${query.opcode}`;
  if (response.questions.length === 0 && response.rcode !== Rcode.NOERROR && response.rcode !== Rcode.NXDOMAIN) {
    return undefined;
  }
  const same =
    response.questions.length === query.questions.length &&
    response.questions.every((q, i) => {
      const asked = query.questions[i];
      return q.type === asked.type && q.class === asked.class && canonicalName(q.name) === canonicalName(asked.name);
    });
  return same ? undefined : `a response with ID ${response.id} for another question`;
}

/** A reply that failed to parse but is a truncated response to `query` by its header. */
function isTruncatedReplyTo(bytes: Uint8Array, query: Message): boolean {
  return bytes.length >= 12 && ((bytes[0] << 8) | bytes[1]) === query.id && (bytes[2] & 0x82) === 0x82;
}

/** The datagram came from the server: same port and same address, compared as bytes. */
function isSameEndpoint(from: dgram.RemoteInfo, server: DnsServer): boolean {
  if (from.port !== server.port) return false;
  const a = addressBytes(from.address);
  const b = addressBytes(server.address);
  return a !== undefined && b !== undefined && Buffer.from(a).equals(Buffer.from(b));
}

function addressBytes(address: string): Uint8Array | undefined {
  const withoutZone = address.split('%')[0];
  return parseIPv4(withoutZone) ?? parseIPv6(withoutZone);
}
