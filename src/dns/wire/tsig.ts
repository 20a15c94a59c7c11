/**
 * TSIG (RFC 8945): HMAC signatures over whole DNS messages, for zone transfers, NOTIFY and
 * dynamic UPDATE. Works on message bytes: a signature covers exactly the octets sent, so it is
 * computed on the serialized message and appended as the last additional record.
 *
 * What is digested (RFC 8945 §4.3):
 *  - a request, or the first message of a response: [request MAC size and MAC, for a response]
 *    + the message as it was before the TSIG was added (ARCOUNT without it, the original ID)
 *    + the TSIG variables (key name, class ANY, TTL 0, algorithm, time signed, fudge, error,
 *    other len, other data), names in canonical wire form (§4.3.3);
 *  - each later message of a multi-message response (§4.3.1, §5.3.1): the previous MAC (size
 *    and MAC) + every message since the last signed one + the timers (time signed, fudge).
 *
 * Checks of a signed request, in the order of §5.2: the key (BADKEY), the MAC (BADSIG), then
 * the time (BADTIME). Errors about the key or the MAC are answered unsigned (§5.3.2); a
 * BADTIME is answered signed, with the request's Time Signed and our time in Other Data.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { nameFromWire, nameToWire } from './name.js';
import { algorithmName, algorithmOfName, macOctets, type TsigKey } from './tsig-key.js';
import { WireFormatError } from './wire-format-error.js';

export const TSIG_TYPE = 250;
const CLASS_ANY = 255;

/** The TSIG error field (RFC 8945 §3; IANA "DNS RCODEs"); the header RCODE is then NOTAUTH. */
export const TsigError = {
  NOERROR: 0,
  BADSIG: 16,
  BADKEY: 17,
  BADTIME: 18,
  BADTRUNC: 22,
} as const;
export type TsigError = (typeof TsigError)[keyof typeof TsigError];

/** RFC 8945 §10: 300 seconds of clock skew allowed by default. */
export const DEFAULT_FUDGE_SECONDS = 300;

/** The fields of a TSIG record (RFC 8945 §4.2). */
export interface TsigRecord {
  /** Canonical key name. */
  readonly keyName: string;
  /** Canonical algorithm name, e.g. `hmac-sha256.`. */
  readonly algorithm: string;
  /** Seconds since the epoch (48 bits). */
  readonly timeSigned: number;
  readonly fudge: number;
  readonly mac: Uint8Array;
  readonly originalId: number;
  readonly error: number;
  readonly otherData: Uint8Array;
}

/** A signed message split in two: its TSIG, and the octets the MAC covers. */
export interface SplitMessage {
  readonly tsig: TsigRecord;
  /** The message without its TSIG: ARCOUNT one less, the ID set back to the original ID. */
  readonly unsigned: Uint8Array;
}

/**
 * The TSIG of a message, if it has one, and the message without it.
 *
 * @throws WireFormatError when the message is malformed, a TSIG is not the last record, or
 *   there are two (RFC 8945 §5.1: FORMERR).
 */
export function splitTsig(bytes: Uint8Array): SplitMessage | undefined {
  if (bytes.length < 12) throw new WireFormatError('message shorter than its header', bytes.length);
  const count = (at: number): number => (bytes[at] << 8) | bytes[at + 1];
  const arcount = count(10);
  if (arcount === 0) return undefined;
  let pos = 12;
  for (let i = count(4); i > 0; i--) pos = skipName(bytes, pos) + 4;
  const records = count(6) + count(8) + arcount;
  let lastStart = pos;
  let lastType = 0;
  for (let i = 0; i < records; i++) {
    if (lastType === TSIG_TYPE) throw new WireFormatError('a TSIG record that is not the last record (RFC 8945 §5.1)', lastStart);
    lastStart = pos;
    pos = skipName(bytes, pos);
    need(bytes, pos + 10, 'record header');
    lastType = count(pos);
    pos += 10 + count(pos + 8);
    need(bytes, pos, 'rdata');
  }
  if (pos !== bytes.length) throw new WireFormatError(`${bytes.length - pos} octets after the last record`, pos);
  if (lastType !== TSIG_TYPE) return undefined;
  const tsig = readTsig(bytes, lastStart);
  const unsigned = new Uint8Array(bytes.subarray(0, lastStart));
  unsigned[0] = tsig.originalId >> 8;
  unsigned[1] = tsig.originalId & 0xff;
  unsigned[10] = (arcount - 1) >> 8;
  unsigned[11] = (arcount - 1) & 0xff;
  return { tsig, unsigned };
}

function need(bytes: Uint8Array, end: number, what: string): void {
  if (end > bytes.length) throw new WireFormatError(`${what} runs past the end of the message`, bytes.length);
}

function skipName(bytes: Uint8Array, at: number): number {
  let pos = at;
  for (;;) {
    need(bytes, pos + 1, 'name');
    const octet = bytes[pos];
    if ((octet & 0xc0) === 0xc0) return pos + 2;
    if (octet > 63) throw new WireFormatError('reserved label type', pos);
    pos += 1 + octet;
    if (octet === 0) return pos;
  }
}

function readTsig(bytes: Uint8Array, start: number): TsigRecord {
  const owner = nameFromWire(bytes, start);
  let pos = owner.end;
  const klass = (bytes[pos + 2] << 8) | bytes[pos + 3];
  const rdlength = (bytes[pos + 8] << 8) | bytes[pos + 9];
  if (klass !== CLASS_ANY) throw new WireFormatError(`TSIG of class ${klass}, not ANY (RFC 8945 §4.2)`, pos + 2);
  pos += 10;
  const end = pos + rdlength;
  // RFC 8945 §4.2: the algorithm name is not compressed.
  const algorithm = nameFromWire(bytes, pos, { allowPointers: false });
  pos = algorithm.end;
  const u16 = (): number => {
    if (pos + 2 > end) throw new WireFormatError('TSIG rdata is too short', pos);
    const value = (bytes[pos] << 8) | bytes[pos + 1];
    pos += 2;
    return value;
  };
  const octets = (n: number): Uint8Array => {
    if (pos + n > end) throw new WireFormatError('TSIG rdata is too short', pos);
    const out = new Uint8Array(bytes.subarray(pos, pos + n));
    pos += n;
    return out;
  };
  const timeSigned = u16() * 2 ** 32 + u16() * 2 ** 16 + u16();
  const fudge = u16();
  const mac = octets(u16());
  const originalId = u16();
  const error = u16();
  const otherData = octets(u16());
  if (pos !== end) throw new WireFormatError('TSIG rdata longer than its fields', pos);
  return { keyName: owner.name, algorithm: algorithm.name, timeSigned, fudge, mac, originalId, error, otherData };
}

/** The TSIG record's wire form (RFC 8945 §4.2), to append to a message. */
function tsigRecordWire(fields: TsigRecord): Uint8Array {
  const owner = nameToWire(fields.keyName);
  const algorithm = nameToWire(fields.algorithm);
  const rdlength = algorithm.length + 6 + 2 + 2 + fields.mac.length + 2 + 2 + 2 + fields.otherData.length;
  const out = new Uint8Array(owner.length + 10 + rdlength);
  const view = new DataView(out.buffer);
  out.set(owner, 0);
  let pos = owner.length;
  view.setUint16(pos, TSIG_TYPE);
  view.setUint16(pos + 2, CLASS_ANY);
  view.setUint32(pos + 4, 0);
  view.setUint16(pos + 8, rdlength);
  pos += 10;
  out.set(algorithm, pos);
  pos += algorithm.length;
  pos = putTime(view, pos, fields.timeSigned);
  view.setUint16(pos, fields.fudge);
  view.setUint16(pos + 2, fields.mac.length);
  out.set(fields.mac, pos + 4);
  pos += 4 + fields.mac.length;
  view.setUint16(pos, fields.originalId);
  view.setUint16(pos + 2, fields.error);
  view.setUint16(pos + 4, fields.otherData.length);
  out.set(fields.otherData, pos + 6);
  return out;
}

function putTime(view: DataView, pos: number, seconds: number): number {
  view.setUint16(pos, Math.floor(seconds / 2 ** 32) & 0xffff);
  view.setUint32(pos + 2, seconds >>> 0);
  return pos + 6;
}

/** A 48-bit time as 6 octets (BADTIME's Other Data, RFC 8945 §5.2.3). */
export function timeOctets(seconds: number): Uint8Array {
  const out = new Uint8Array(6);
  putTime(new DataView(out.buffer), 0, seconds);
  return out;
}

interface DigestParts {
  readonly key: TsigKey;
  /** The request's MAC (first response) or the previous message's MAC (later messages). */
  readonly priorMac: Uint8Array | undefined;
  /** Messages without their TSIG, in order (unsigned ones of a stream, then this one). */
  readonly messages: readonly Uint8Array[];
  readonly timeSigned: number;
  readonly fudge: number;
  /** Only the timers are digested (RFC 8945 §4.3.1: later messages of a stream). */
  readonly timersOnly: boolean;
  readonly error: number;
  readonly otherData: Uint8Array;
}

function computeMac(parts: DigestParts): Uint8Array {
  const hmac = createHmac(parts.key.algorithm.slice('hmac-'.length), parts.key.secret);
  if (parts.priorMac !== undefined) {
    hmac.update(u16Bytes(parts.priorMac.length));
    hmac.update(parts.priorMac);
  }
  for (const message of parts.messages) hmac.update(message);
  if (!parts.timersOnly) {
    // RFC 8945 §4.3.3: names in canonical form (lower case, uncompressed).
    hmac.update(nameToWire(parts.key.name));
    hmac.update(new Uint8Array([0, CLASS_ANY, 0, 0, 0, 0]));
    hmac.update(nameToWire(algorithmName(parts.key.algorithm)));
  }
  const timers = new Uint8Array(8);
  const view = new DataView(timers.buffer);
  putTime(view, 0, parts.timeSigned);
  view.setUint16(6, parts.fudge);
  hmac.update(timers);
  if (!parts.timersOnly) {
    hmac.update(u16Bytes(parts.error));
    hmac.update(u16Bytes(parts.otherData.length));
    hmac.update(parts.otherData);
  }
  return new Uint8Array(hmac.digest());
}

function u16Bytes(value: number): Uint8Array {
  return new Uint8Array([value >> 8, value & 0xff]);
}

function appendTsig(unsigned: Uint8Array, record: Uint8Array): Uint8Array {
  const out = new Uint8Array(unsigned.length + record.length);
  out.set(unsigned, 0);
  out.set(record, unsigned.length);
  const arcount = ((out[10] << 8) | out[11]) + 1;
  out[10] = arcount >> 8;
  out[11] = arcount & 0xff;
  return out;
}

export interface SignOptions {
  /** Seconds since the epoch (from the caller's Clock). */
  readonly timeSigned: number;
  readonly fudge?: number;
  /** For a response: the MAC of the request it answers (RFC 8945 §4.3.1). */
  readonly requestMac?: Uint8Array;
  readonly error?: number;
  readonly otherData?: Uint8Array;
}

export interface Signed {
  readonly bytes: Uint8Array;
  /** This message's MAC: a response to it is digested with it. */
  readonly mac: Uint8Array;
}

/** Signs one message (a request, or a single response): its bytes with a TSIG appended. */
export function signMessage(unsigned: Uint8Array, key: TsigKey, options: SignOptions): Signed {
  const fields = {
    timeSigned: options.timeSigned,
    fudge: options.fudge ?? DEFAULT_FUDGE_SECONDS,
    originalId: (unsigned[0] << 8) | unsigned[1],
    error: options.error ?? TsigError.NOERROR,
    otherData: options.otherData ?? new Uint8Array(0),
  };
  const mac = computeMac({ key, priorMac: options.requestMac, messages: [unsigned], timersOnly: false, ...fields });
  const record: TsigRecord = { keyName: key.name, algorithm: algorithmName(key.algorithm), ...fields, mac };
  return { bytes: appendTsig(unsigned, tsigRecordWire(record)), mac };
}

/**
 * An error response with an unsigned TSIG (RFC 8945 §5.3.2: BADKEY, BADSIG): the TSIG names
 * the request's key and algorithm, with an empty MAC and the error.
 */
export function appendUnsignedTsig(unsigned: Uint8Array, request: TsigRecord, error: TsigError): Uint8Array {
  const record: TsigRecord = {
    keyName: request.keyName,
    algorithm: request.algorithm,
    timeSigned: request.timeSigned,
    fudge: request.fudge,
    mac: new Uint8Array(0),
    originalId: (unsigned[0] << 8) | unsigned[1],
    error,
    otherData: new Uint8Array(0),
  };
  return appendTsig(unsigned, tsigRecordWire(record));
}

/** What checking a message's TSIG found (CONVENTIONS rule 6: outcomes are values). */
export type TsigCheck =
  | { readonly kind: 'unsigned'; readonly unsigned: Uint8Array }
  | { readonly kind: 'verified'; readonly key: TsigKey; readonly tsig: TsigRecord; readonly unsigned: Uint8Array }
  | {
      readonly kind: 'failed';
      readonly error: TsigError;
      readonly tsig: TsigRecord;
      /** The key, when it was known (BADSIG, BADTIME: a BADTIME answer is signed with it). */
      readonly key: TsigKey | undefined;
      readonly unsigned: Uint8Array;
      readonly reason: string;
    };

type TsigFailure = Extract<TsigCheck, { kind: 'failed' }>;

/** Finds the key a TSIG names: both its name and its algorithm must match (RFC 8945 §5.2.1). */
export type TsigKeyLookup = (keyName: string, algorithm: string) => TsigKey | undefined;

/** A lookup over a list of keys. */
export function keyLookup(keys: readonly TsigKey[]): TsigKeyLookup {
  return (keyName, algorithm) => keys.find((k) => k.name === keyName && algorithmOfName(algorithm) === k.algorithm);
}

/**
 * Checks the TSIG of a request (RFC 8945 §5.2): key, then MAC, then time against `nowSeconds`.
 *
 * @throws WireFormatError for a malformed message or a misplaced TSIG (answer FORMERR).
 */
export function verifyRequest(bytes: Uint8Array, keys: TsigKeyLookup, nowSeconds: number): TsigCheck {
  const split = splitTsig(bytes);
  if (split === undefined) return { kind: 'unsigned', unsigned: bytes };
  return checkSigned(split, keys(split.tsig.keyName, split.tsig.algorithm), undefined, [split.unsigned], false, nowSeconds);
}

/**
 * Checks the TSIG of a single response to a request we signed with `key` and `requestMac`.
 * An unsigned response to a signed request fails (BADSIG): RFC 8945 §5.3 requires it signed.
 */
export function verifyResponse(bytes: Uint8Array, key: TsigKey, requestMac: Uint8Array, nowSeconds: number): TsigCheck {
  const split = splitTsig(bytes);
  if (split === undefined) return unsignedResponse(bytes);
  const known = split.tsig.keyName === key.name && algorithmOfName(split.tsig.algorithm) === key.algorithm ? key : undefined;
  return checkSigned(split, known, requestMac, [split.unsigned], false, nowSeconds);
}

function unsignedResponse(bytes: Uint8Array): TsigCheck {
  // There is no TSIG to report on; describe it as an empty one for the caller's message.
  const tsig: TsigRecord = { keyName: '.', algorithm: '.', timeSigned: 0, fudge: 0, mac: new Uint8Array(0), originalId: 0, error: 0, otherData: new Uint8Array(0) };
  return { kind: 'failed', error: TsigError.BADSIG, tsig, key: undefined, unsigned: bytes, reason: 'the response is not signed' };
}

function checkSigned(
  split: SplitMessage,
  key: TsigKey | undefined,
  priorMac: Uint8Array | undefined,
  messages: readonly Uint8Array[],
  timersOnly: boolean,
  nowSeconds: number,
): TsigCheck {
  const { tsig, unsigned } = split;
  const failed = (error: TsigError, reason: string, known: TsigKey | undefined): TsigCheck => ({
    kind: 'failed',
    error,
    tsig,
    key: known,
    unsigned,
    reason,
  });
  if (key === undefined) return failed(TsigError.BADKEY, `unknown key ${tsig.keyName} (${tsig.algorithm})`, undefined);
  // A peer's error (in a response) is reported as it is; its MAC may be empty (§5.3.2).
  if (priorMac !== undefined && tsig.error !== TsigError.NOERROR && tsig.mac.length === 0) {
    return failed(tsig.error as TsigError, `the peer answered TSIG error ${tsigErrorName(tsig.error)}`, key);
  }
  // RFC 8945 §5.2.2.1: a MAC may be truncated, to no less than 10 octets and half the hash.
  const full = macOctets(key.algorithm);
  if (tsig.mac.length > full || tsig.mac.length < Math.max(10, full / 2)) {
    return failed(TsigError.BADSIG, `a MAC of ${tsig.mac.length} octets for ${key.algorithm}`, undefined);
  }
  const expected = computeMac({
    key,
    priorMac,
    messages,
    timeSigned: tsig.timeSigned,
    fudge: tsig.fudge,
    timersOnly,
    error: tsig.error,
    otherData: tsig.otherData,
  }).subarray(0, tsig.mac.length);
  if (!timingSafeEqual(expected, tsig.mac)) return failed(TsigError.BADSIG, `the MAC does not verify with key ${key.name}`, undefined);
  if (tsig.error !== TsigError.NOERROR) {
    return failed(tsig.error as TsigError, `the peer answered TSIG error ${tsigErrorName(tsig.error)}`, key);
  }
  if (Math.abs(nowSeconds - tsig.timeSigned) > tsig.fudge) {
    return failed(TsigError.BADTIME, `signed at ${tsig.timeSigned}, ${nowSeconds - tsig.timeSigned} s from our clock (fudge ${tsig.fudge} s)`, key);
  }
  return { kind: 'verified', key, tsig, unsigned };
}

export function tsigErrorName(error: number): string {
  for (const [name, code] of Object.entries(TsigError)) if (code === error) return name;
  return `error ${error}`;
}

/**
 * Signs the messages of one multi-message response (an AXFR or IXFR, RFC 8945 §5.3.1): every
 * message is signed, the first over the request's MAC and the full variables, each later one
 * over the previous MAC and the timers only.
 */
export class TsigStreamSigner {
  private priorMac: Uint8Array;
  private isFirst = true;

  constructor(
    private readonly key: TsigKey,
    requestMac: Uint8Array,
    private readonly now: () => number,
  ) {
    this.priorMac = requestMac;
  }

  sign(unsigned: Uint8Array): Uint8Array {
    const timeSigned = this.now();
    const fields = {
      timeSigned,
      fudge: DEFAULT_FUDGE_SECONDS,
      originalId: (unsigned[0] << 8) | unsigned[1],
      error: TsigError.NOERROR,
      otherData: new Uint8Array(0),
    };
    const mac = computeMac({ key: this.key, priorMac: this.priorMac, messages: [unsigned], timersOnly: !this.isFirst, ...fields });
    this.isFirst = false;
    this.priorMac = mac;
    return appendTsig(unsigned, tsigRecordWire({ keyName: this.key.name, algorithm: algorithmName(this.key.algorithm), ...fields, mac }));
  }
}

/**
 * Verifies the messages of a multi-message response as they arrive (RFC 8945 §5.3.1): the
 * first must be signed; later ones may be unsigned, and are then digested with the next signed
 * one; at most 99 unsigned in a row. `verify` answers 'pending' for an unsigned message.
 */
export class TsigStreamVerifier {
  private priorMac: Uint8Array;
  private isFirst = true;
  private unsignedRun: Uint8Array[] = [];

  constructor(
    private readonly key: TsigKey,
    requestMac: Uint8Array,
  ) {
    this.priorMac = requestMac;
  }

  verify(bytes: Uint8Array, nowSeconds: number): TsigCheck | { readonly kind: 'pending' } {
    const split = splitTsig(bytes);
    if (split === undefined) {
      if (this.isFirst) return unsignedResponse(bytes);
      this.unsignedRun.push(bytes);
      // RFC 8945 §5.3.1: a signature at least every 100 messages.
      if (this.unsignedRun.length > 99) return { ...(unsignedResponse(bytes) as TsigFailure), reason: '100 unsigned messages in a row' };
      return { kind: 'pending' };
    }
    const known = split.tsig.keyName === this.key.name && algorithmOfName(split.tsig.algorithm) === this.key.algorithm ? this.key : undefined;
    const check = checkSigned(split, known, this.priorMac, [...this.unsignedRun, split.unsigned], !this.isFirst, nowSeconds);
    if (check.kind === 'verified') {
      this.priorMac = split.tsig.mac;
      this.isFirst = false;
      this.unsignedRun = [];
    }
    return check;
  }
}
