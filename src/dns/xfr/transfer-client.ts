/**
 * The client side of a zone transfer: AXFR (RFC 5936) or IXFR (RFC 1995) over one TCP
 * connection, every message's TSIG verified as a stream (RFC 8945 §5.3.1). For the tests, and
 * for a provider that reads a server's whole zone back.
 *
 * 1. connect (optionally from `localAddress`), send the request framed (RFC 1035 §4.2.2),
 *    signed when a key is given;
 * 2. read messages until the transfer is complete: an AXFR ends with the second SOA; an IXFR
 *    answer is one SOA alone (up to date), AXFR-style (its second record is not an SOA), or
 *    incremental (ends with the third copy of the new SOA, RFC 1995 §4);
 * 3. a first message with an error RCODE is a refusal, returned as a value.
 * One deadline covers it all; time comes from the Clock.
 */
import net from 'node:net';
import type { Clock } from '../../base/clock.js';
import { ResoluteError } from '../../base/errors.js';
import type { Random } from '../../base/random.js';
import { Rcode, rcodeName, RRClass, RRType } from '../wire/constants.js';
import { buildRequest, parseMessage, serializeMessage, type Message } from '../wire/message.js';
import { nameToWire } from '../wire/name.js';
import type { ResourceRecord } from '../wire/record.js';
import { signMessage, splitTsig, TsigStreamVerifier } from '../wire/tsig.js';
import type { TsigKey } from '../wire/tsig-key.js';
import { serialOfSoaRdata } from './soa-serial.js';
import { fromSerial, type ZoneDiff } from './zone-diff.js';

export interface TransferRequest {
  readonly server: { readonly address: string; readonly port: number };
  /** Canonical zone name. */
  readonly zone: string;
  /** An IXFR from this serial; absent: AXFR. */
  readonly ixfrFromSerial?: number;
  readonly key?: TsigKey;
  /** Send from this address (e.g. 127.0.0.2, to test an ACL). */
  readonly localAddress?: string;
  readonly timeoutMs?: number;
  readonly clock: Clock;
  readonly random: Random;
}

export type TransferResult =
  | { readonly kind: 'refused'; readonly rcode: number; readonly tsigError: number | undefined }
  /** The whole zone: records between the two SOAs, and the SOA. */
  | { readonly kind: 'axfr'; readonly soa: ResourceRecord; readonly records: readonly ResourceRecord[]; readonly messages: number }
  /** IXFR: the differences, in order (as sent: condensed or not). */
  | { readonly kind: 'ixfr'; readonly soa: ResourceRecord; readonly diffs: readonly ZoneDiff[]; readonly messages: number }
  /** IXFR: the client is up to date. */
  | { readonly kind: 'current'; readonly soa: ResourceRecord; readonly messages: number };

/**
 * Runs one transfer.
 *
 * @throws ResoluteError ERR_XFR_FAILED (connection, timeout, malformed or incomplete stream) or
 *   ERR_TSIG_VERIFY (a message that does not verify with the key), naming server and zone.
 */
export async function requestZoneTransfer(request: TransferRequest): Promise<TransferResult> {
  const { bytes, mac } = requestBytes(request);
  const where = `${request.ixfrFromSerial === undefined ? 'AXFR' : 'IXFR'} of ${request.zone} from ${request.server.address}:${request.server.port}`;
  const verifier = request.key !== undefined && mac !== undefined ? new TsigStreamVerifier(request.key, mac) : undefined;
  const records: ResourceRecord[] = [];
  let messages = 0;
  const nowSeconds = (): number => Math.floor(request.clock.nowMs() / 1000);

  return new Promise<TransferResult>((resolve, reject) => {
    let pending: Buffer = Buffer.alloc(0);
    let isDone = false;
    const socket = net.connect({ host: request.server.address, port: request.server.port, localAddress: request.localAddress });
    const finish = (error: Error | undefined, result?: TransferResult): void => {
      if (isDone) return;
      isDone = true;
      cancelTimer();
      socket.destroy();
      if (error !== undefined) reject(error);
      else resolve(result as TransferResult);
    };
    const fail = (reason: string, code: 'ERR_XFR_FAILED' | 'ERR_TSIG_VERIFY' = 'ERR_XFR_FAILED', cause?: unknown): void =>
      finish(
        new ResoluteError(code, reason, {
          where,
          hint: code === 'ERR_TSIG_VERIFY' ? 'check that both sides have the same key name, algorithm and secret, and that their clocks agree' : 'check the server, its transfer ACL and key',
          cause,
        }),
      );
    const cancelTimer = request.clock.after(request.timeoutMs ?? 10_000, () => fail(`no complete transfer within ${request.timeoutMs ?? 10_000} ms`));
    socket.on('connect', () => {
      const frame = Buffer.alloc(2 + bytes.length);
      frame.writeUInt16BE(bytes.length, 0);
      frame.set(bytes, 2);
      socket.write(frame);
    });
    socket.on('error', (error) => fail(`connection failed: ${error.message}`, 'ERR_XFR_FAILED', error));
    socket.on('close', () => fail(`the server closed the connection after ${messages} message(s)`));
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (!isDone && pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const message = new Uint8Array(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        pending = pending.subarray(2 + message.length);
        let parsed: Message;
        try {
          parsed = parseMessage(message);
        } catch (error) {
          fail(`malformed message ${messages + 1}: ${(error as Error).message}`, 'ERR_XFR_FAILED', error);
          return;
        }
        messages++;
        if (parsed.id !== ((bytes[0] << 8) | bytes[1]) || !parsed.qr) {
          fail(`message ${messages} is not a response to the request (ID ${parsed.id})`);
          return;
        }
        if (messages === 1 && parsed.rcode !== Rcode.NOERROR) {
          finish(undefined, { kind: 'refused', rcode: parsed.rcode, tsigError: tsigErrorOf(message) });
          return;
        }
        if (parsed.rcode !== Rcode.NOERROR) {
          fail(`message ${messages} has RCODE ${rcodeName(parsed.rcode)}`);
          return;
        }
        let isVerified = verifier === undefined;
        if (verifier !== undefined) {
          const check = verifier.verify(message, nowSeconds());
          if (check.kind === 'failed') {
            fail(`message ${messages}: ${check.reason}${request.key === undefined ? '' : ` (key ${request.key.name})`}`, 'ERR_TSIG_VERIFY');
            return;
          }
          isVerified = check.kind === 'verified';
        }
        records.push(...parsed.answers.filter((r) => r.type !== 250));
        const result = completed(records, messages, request.ixfrFromSerial !== undefined);
        if (result === 'malformed') {
          fail('the records do not form a transfer (RFC 5936 §2.2, RFC 1995 §4)');
          return;
        }
        if (result !== undefined) {
          // RFC 8945 §5.3.1: the last message must be signed.
          if (!isVerified) fail(`the last message (${messages}) is not signed`, 'ERR_TSIG_VERIFY');
          else finish(undefined, result);
          return;
        }
      }
    });
  });
}

function requestBytes(request: TransferRequest): { bytes: Uint8Array; mac: Uint8Array | undefined } {
  const isIxfr = request.ixfrFromSerial !== undefined;
  const authority: ResourceRecord[] = isIxfr ? [clientSoa(request.zone, request.ixfrFromSerial as number)] : [];
  const message = buildRequest({
    id: request.random.uint16(),
    opcode: 0,
    questions: [{ name: request.zone, type: isIxfr ? RRType.IXFR : RRType.AXFR, class: RRClass.IN }],
    authority,
  });
  const bytes = serializeMessage(message);
  if (request.key === undefined) return { bytes, mac: undefined };
  return signMessage(bytes, request.key, { timeSigned: Math.floor(request.clock.nowMs() / 1000) });
}

/** RFC 1995 §3: the client's SOA; only its serial matters to the server. */
function clientSoa(zone: string, serial: number): ResourceRecord {
  const root = nameToWire('.');
  const rdata = new Uint8Array(root.length * 2 + 20);
  new DataView(rdata.buffer).setUint32(root.length * 2, serial >>> 0);
  return { name: zone, type: RRType.SOA, class: RRClass.IN, ttlSeconds: 0, rdata };
}

function tsigErrorOf(message: Uint8Array): number | undefined {
  try {
    return splitTsig(message)?.tsig.error;
  } catch {
    return undefined;
  }
}

/** The transfer, once `records` hold a complete one; 'malformed' when they never can. */
function completed(records: readonly ResourceRecord[], messages: number, isIxfr: boolean): TransferResult | 'malformed' | undefined {
  const first = records[0];
  if (first === undefined) return undefined;
  if (first.type !== RRType.SOA) return 'malformed';
  const serial = serialOfSoaRdata(first.rdata);
  const isSoaOf = (r: ResourceRecord | undefined, s: number): boolean => r !== undefined && r.type === RRType.SOA && serialOfSoaRdata(r.rdata) === s;
  if (isIxfr && records.length === 1) return { kind: 'current', soa: first, messages };
  const isIncremental = isIxfr && records[1].type === RRType.SOA;
  if (!isIncremental) {
    if (records.length < 2 || !isSoaOf(records[records.length - 1], serial)) return undefined;
    return { kind: 'axfr', soa: first, records: records.slice(1, -1), messages };
  }
  const copies = records.filter((r) => isSoaOf(r, serial)).length;
  if (copies < 3) return undefined;
  if (!isSoaOf(records[records.length - 1], serial)) return 'malformed';
  const diffs: ZoneDiff[] = [];
  let i = 1;
  while (i < records.length - 1) {
    const fromSoa = records[i++];
    const removed: ResourceRecord[] = [];
    while (i < records.length - 1 && records[i].type !== RRType.SOA) removed.push(records[i++]);
    const toSoa = records[i++];
    if (toSoa === undefined || toSoa.type !== RRType.SOA) return 'malformed';
    const added: ResourceRecord[] = [];
    while (i < records.length - 1 && records[i].type !== RRType.SOA) added.push(records[i++]);
    diffs.push({ origin: first.name, fromSoa, toSoa, removed, added });
  }
  return diffs.length > 0 && fromSerial(diffs[0]) !== serial ? { kind: 'ixfr', soa: first, diffs, messages } : 'malformed';
}
