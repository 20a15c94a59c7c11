import { RRType, typeName } from './constants.js';
import { readNameWire } from './name.js';
import { WireFormatError } from './wire-format-error.js';

/**
 * Rdata as it sits in a message, for the types Resolute knows.
 *
 * Reading turns rdata into the stored form of ResourceRecord.rdata: uncompressed, with the
 * names of known types lower-cased (the canonical form of RFC 4034 §6.2), after checking its
 * layout. Writing compresses names inside rdata only where RFC 3597 §4 allows it.
 */

/**
 * Where the names a writer may compress sit in the rdata of one type: `before` fixed octets,
 * then `names` consecutive names, then the rest as it is.
 */
export interface RdataNameLayout {
  readonly before: number;
  readonly names: number;
}

// RFC 3597 §4: a sender may compress names in rdata only for the "well-known" types of
// RFC 1035; never in SRV (RFC 2782 "Target ... MUST NOT be compressed") nor in a type it does
// not know. (MD, MF, MB, MG, MR, MINFO are obsolete and carried as unknown here.)
const COMPRESSIBLE = new Map<number, RdataNameLayout>([
  [RRType.NS, { before: 0, names: 1 }],
  [RRType.CNAME, { before: 0, names: 1 }],
  [RRType.PTR, { before: 0, names: 1 }],
  [RRType.SOA, { before: 0, names: 2 }],
  [RRType.MX, { before: 2, names: 1 }],
]);

/** The names in `type`'s rdata a writer may compress, or undefined: write the rdata as it is. */
export function compressibleNames(type: number): RdataNameLayout | undefined {
  return COMPRESSIBLE.get(type);
}

/** The layout of rdata holding names: `before` octets, `names` names, then exactly `after` octets. */
interface NamedLayout {
  readonly before: number;
  readonly names: number;
  readonly after: number;
}

// Names a reader decompresses: the compressible types above, plus SRV, which RFC 3597 §4 asks
// receivers to decompress because RFC 2052 once allowed compressing it.
const NAMED = new Map<number, NamedLayout>([
  [RRType.NS, { before: 0, names: 1, after: 0 }],
  [RRType.CNAME, { before: 0, names: 1, after: 0 }],
  [RRType.PTR, { before: 0, names: 1, after: 0 }],
  // RFC 1035 §3.3.13: MNAME, RNAME, then SERIAL REFRESH RETRY EXPIRE MINIMUM, 32 bits each.
  [RRType.SOA, { before: 0, names: 2, after: 20 }],
  [RRType.MX, { before: 2, names: 1, after: 0 }],
  // RFC 2782: priority, weight, port (16 bits each), then the target.
  [RRType.SRV, { before: 6, names: 1, after: 0 }],
]);

export interface RdataReadOptions {
  /** Follow compression pointers (in a message); false for standalone rdata (RFC 3597 `\#`). */
  readonly allowPointers?: boolean;
  /**
   * Accept empty rdata whatever the type: RFC 2136 §2.4 and §2.5 use rdlength 0 with class
   * ANY or NONE to mean "the whole RRset".
   */
  readonly allowEmpty?: boolean;
}

/**
 * The stored form of the rdata of `type` found at buf[offset, offset + length). `buf` is the
 * whole message, so compression pointers resolve; offsets in errors are offsets in `buf`.
 *
 * @throws WireFormatError when the rdata does not have the layout of its type.
 */
export function rdataFromWire(
  type: number,
  buf: Uint8Array,
  offset: number,
  length: number,
  options: RdataReadOptions = {},
): Uint8Array {
  const end = offset + length;
  if (end > buf.length) throw new WireFormatError(`rdata of ${length} octets runs past the end of the message`, offset);
  if (length === 0 && options.allowEmpty === true) return new Uint8Array(0);
  const named = NAMED.get(type);
  if (named !== undefined) return readNamed(type, named, buf.subarray(0, end), offset, options.allowPointers !== false);
  switch (type) {
    case RRType.A:
      return readFixed(buf, offset, length, 4, 'A');
    case RRType.AAAA:
      return readFixed(buf, offset, length, 16, 'AAAA');
    case RRType.TXT:
      checkTxt(buf, offset, end);
      return copy(buf, offset, end);
    case RRType.DS:
      // RFC 4034 §5.1: key tag (16 bits), algorithm, digest type, then the digest.
      if (length < 4) throw new WireFormatError(`DS rdata is ${length} octets, shorter than its 4 fixed octets`, offset);
      return copy(buf, offset, end);
    case RRType.CAA:
      checkCaa(buf, offset, end);
      return copy(buf, offset, end);
    default:
      // RFC 3597 §4: a type we do not know is copied as it is; OPT is checked by edns.ts.
      return copy(buf, offset, end);
  }
}

function readFixed(buf: Uint8Array, offset: number, length: number, expected: number, type: string): Uint8Array {
  if (length !== expected) throw new WireFormatError(`${type} rdata is ${length} octets, not ${expected}`, offset);
  return copy(buf, offset, offset + length);
}

/** `bounded` ends where the rdata ends, so no label can run into the next record. */
function readNamed(
  type: number,
  layout: NamedLayout,
  bounded: Uint8Array,
  offset: number,
  allowPointers: boolean,
): Uint8Array {
  const end = bounded.length;
  const short = (): WireFormatError =>
    new WireFormatError(`${typeName(type)} rdata of ${end - offset} octets is too short for its fields`, offset);
  if (offset + layout.before > end) throw short();
  const parts: Uint8Array[] = [bounded.subarray(offset, offset + layout.before)];
  let pos = offset + layout.before;
  for (let i = 0; i < layout.names; i++) {
    if (pos >= end) throw short();
    const { wire, end: next } = readNameWire(bounded, pos, { allowPointers });
    parts.push(lowerCase(wire));
    pos = next;
  }
  if (end - pos !== layout.after) {
    throw new WireFormatError(
      `${typeName(type)} rdata has ${end - pos} octets after its names, not ${layout.after}`,
      pos,
    );
  }
  parts.push(bounded.subarray(pos, end));
  return concat(parts);
}

/** RFC 1035 §3.3.14: one or more character-strings, exactly filling the rdata. */
function checkTxt(buf: Uint8Array, offset: number, end: number): void {
  if (offset === end) throw new WireFormatError('TXT rdata is empty; it holds at least one character-string', offset);
  for (let pos = offset; pos < end; pos += 1 + buf[pos]) {
    if (pos + 1 + buf[pos] > end) throw new WireFormatError('TXT character-string runs past its rdata', pos);
  }
}

/** RFC 8659 §4.1: flags, tag length (at least 1), tag, value (the rest). */
function checkCaa(buf: Uint8Array, offset: number, end: number): void {
  if (end - offset < 2) throw new WireFormatError('CAA rdata is shorter than its flags and tag length', offset);
  const tagLength = buf[offset + 1];
  if (tagLength === 0) throw new WireFormatError('CAA tag is empty', offset + 1);
  if (offset + 2 + tagLength > end) throw new WireFormatError('CAA tag runs past its rdata', offset + 1);
}

function lowerCase(wire: Uint8Array): Uint8Array {
  // Label lengths are at most 63, below 0x41, so lower-casing every octet only touches letters.
  for (let i = 0; i < wire.length; i++) if (wire[i] >= 0x41 && wire[i] <= 0x5a) wire[i] += 0x20;
  return wire;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let pos = 0;
  for (const part of parts) {
    out.set(part, pos);
    pos += part.length;
  }
  return out;
}

/**
 * A copy in a plain Uint8Array. Not buf.slice(): on a Node Buffer (a datagram) slice is a
 * view, and stored rdata must not alias a receive buffer.
 */
function copy(buf: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(buf.subarray(start, end));
}
