import { ResoluteError } from '../../base/errors.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './address-text.js';
import { RRType, typeName } from './constants.js';
import { nameFromWire, nameToWire, parseName } from './name.js';
import { decodeText } from './presentation-escape.js';
import { rdataFromWire } from './rdata-wire.js';
import { parseTtl } from './ttl-text.js';
import { WireFormatError } from './wire-format-error.js';

/**
 * Rdata in presentation form (RFC 1035 §5.1) ⇄ the stored wire form, for A, AAAA, NS, CNAME,
 * PTR, SOA, MX, TXT, SRV and CAA; every type, these included, also in RFC 3597 §5's generic
 * form `\# <length> <hex>`.
 */

/**
 * Presentation-form rdata fields → the uncompressed wire rdata of `type`.
 *
 * HOW FIELDS ARRIVE (the contract with the zone-file tokenizer):
 * - One field per token, comments and the parentheses of multi-line records already removed.
 * - A quoted token arrives WITHOUT its double quotes and with its escapes NOT decoded: the text
 *   between the quotes exactly as written. `"a \"b\" c"` arrives as `a \"b\" c`, `""` as the
 *   empty field. Unquoted tokens arrive the same way (`a\ b` stays `a\ b`, one field).
 *   So the tokenizer must not split inside quotes nor at an escaped space, and keeps every
 *   backslash; this function decodes `\X` and `\DDD` itself (RFC 1035 §5.1), per field, as
 *   the field's type requires — in a name `\.` is a dot inside a label, something an already
 *   decoded field could not say.
 * - A first field that is exactly `\#` starts the RFC 3597 generic form. The quotes are gone,
 *   so a TXT whose first string is `#` must be written `"#"` (not `"\#"`).
 * - In name fields `@` alone is `origin`; other relative names are completed with `origin`
 *   (a canonical absolute name). Names are stored lower case.
 *
 * @throws ResoluteError ERR_RDATA_INVALID whose reason names the field; the caller adds the place.
 */
export function rdataFromText(type: number, fields: readonly string[], origin: string): Uint8Array {
  if (fields[0] === '\\#') return genericFromText(type, fields);
  const f = new Fields(type, fields, origin);
  switch (type) {
    case RRType.A:
      f.expect(['address']);
      return f.address(0, 4, parseIPv4);
    case RRType.AAAA:
      f.expect(['address']);
      return f.address(0, 16, parseIPv6);
    case RRType.NS:
      f.expect(['nsdname']);
      return f.name(0);
    case RRType.CNAME:
      f.expect(['cname']);
      return f.name(0);
    case RRType.PTR:
      f.expect(['ptrdname']);
      return f.name(0);
    case RRType.SOA:
      f.expect(['mname', 'rname', 'serial', 'refresh', 'retry', 'expire', 'minimum']);
      return concat([
        f.name(0),
        f.name(1),
        u32(f.uint(2, 0xffffffff)),
        ...[3, 4, 5, 6].map((i) => u32(f.timer(i))),
      ]);
    case RRType.MX:
      f.expect(['preference', 'exchange']);
      return concat([u16(f.uint(0, 0xffff)), f.name(1)]);
    case RRType.SRV:
      f.expect(['priority', 'weight', 'port', 'target']);
      return concat([u16(f.uint(0, 0xffff)), u16(f.uint(1, 0xffff)), u16(f.uint(2, 0xffff)), f.name(3)]);
    case RRType.TXT:
      if (fields.length === 0) throw f.fail('TXT needs at least one character-string (RFC 1035 §3.3.14)');
      return concat(fields.map((_, i) => f.characterString(i)));
    case RRType.CAA:
      f.expect(['flags', 'tag', 'value']);
      return concat([Uint8Array.of(f.uint(0, 0xff)), f.caaTag(1), f.text(2)]);
    case RRType.DS:
      // RFC 4034 §5.3: key tag, algorithm, digest type, then the digest in hex, spaces allowed.
      if (fields.length < 4) throw f.fail(`DS needs 4 fields or more (key-tag algorithm digest-type digest), got ${fields.length}`);
      f.expect(['key-tag', 'algorithm', 'digest-type', ...fields.slice(3).map(() => 'digest')]);
      return concat([u16(f.uint(0, 0xffff)), Uint8Array.of(f.uint(1, 0xff), f.uint(2, 0xff)), f.hex(3)]);
    default:
      throw f.fail(`${typeName(type)} has no presentation form here; write it as \\# <length> <hex> (RFC 3597 §5)`);
  }
}

/**
 * Wire rdata → presentation form, as dig prints it; rdataFromText reads it back to the same
 * bytes. Rdata that does not fit its type's layout is printed in the generic form instead.
 */
export function rdataToText(type: number, rdata: Uint8Array): string {
  try {
    const text = knownToText(type, rdata);
    if (text !== undefined) return text;
  } catch (error) {
    if (!(error instanceof WireFormatError)) throw error;
  }
  return genericToText(rdata);
}

function knownToText(type: number, rdata: Uint8Array): string | undefined {
  // Validates the layout first, so what follows may read without bounds checks.
  rdataFromWire(type, rdata, 0, rdata.length, { allowPointers: false });
  const view = new DataView(rdata.buffer, rdata.byteOffset, rdata.byteLength);
  const name = (pos: number): { name: string; end: number } =>
    nameFromWire(rdata, pos, { preserveCase: true, allowPointers: false });
  switch (type) {
    case RRType.A:
      return formatIPv4(rdata);
    case RRType.AAAA:
      return formatIPv6(rdata);
    case RRType.NS:
    case RRType.CNAME:
    case RRType.PTR:
      return name(0).name;
    case RRType.SOA: {
      const mname = name(0);
      const rname = name(mname.end);
      const timers = [0, 4, 8, 12, 16].map((i) => view.getUint32(rname.end + i));
      return [mname.name, rname.name, ...timers].join(' ');
    }
    case RRType.MX:
      return `${view.getUint16(0)} ${name(2).name}`;
    case RRType.SRV:
      return `${view.getUint16(0)} ${view.getUint16(2)} ${view.getUint16(4)} ${name(6).name}`;
    case RRType.TXT: {
      const strings: string[] = [];
      for (let pos = 0; pos < rdata.length; pos += 1 + rdata[pos]) {
        strings.push(quote(rdata.subarray(pos + 1, pos + 1 + rdata[pos])));
      }
      return strings.join(' ');
    }
    case RRType.DS:
      if (rdata.length === 4) return undefined; // no digest: only the generic form says that
      return `${view.getUint16(0)} ${rdata[2]} ${rdata[3]} ${hexOf(rdata.subarray(4))}`;
    case RRType.CAA: {
      const tagEnd = 2 + rdata[1];
      const tag = String.fromCharCode(...rdata.subarray(2, tagEnd));
      return /^[A-Za-z0-9]+$/.test(tag) ? `${rdata[0]} ${tag} ${quote(rdata.subarray(tagEnd))}` : undefined;
    }
    default:
      return undefined;
  }
}

/** RFC 3597 §5: `\#`, the rdata length in decimal, then the rdata in hex, in any number of fields. */
function genericFromText(type: number, fields: readonly string[]): Uint8Array {
  const fail = (reason: string): ResoluteError =>
    new ResoluteError('ERR_RDATA_INVALID', `${typeName(type)} \\# rdata: ${reason}`);
  if (fields.length < 2 || !/^\d{1,5}$/.test(fields[1])) throw fail('expected \\# <length> <hex>');
  const length = Number(fields[1]);
  if (length > 0xffff) throw fail(`length ${length} is above 65535`);
  const hex = fields.slice(2).join('');
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw fail('the data is not an even number of hex digits');
  if (hex.length !== length * 2) throw fail(`length says ${length} octets, the hex holds ${hex.length / 2}`);
  const rdata = Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
  try {
    // A known type in generic form must still have its type's layout (RFC 3597 §5).
    return rdataFromWire(type, rdata, 0, rdata.length, { allowPointers: false });
  } catch (error) {
    if (error instanceof WireFormatError) throw fail(`${error.reason} at octet ${error.offset}`);
    throw error;
  }
}

function genericToText(rdata: Uint8Array): string {
  if (rdata.length === 0) return '\\# 0';
  return `\\# ${rdata.length} ${hexOf(rdata)}`;
}

function hexOf(octets: Uint8Array): string {
  return Buffer.from(octets.buffer, octets.byteOffset, octets.byteLength).toString('hex').toUpperCase();
}

/**
 * A character-string as dig prints it: in double quotes, `"` and `\` escaped with a backslash,
 * octets outside printable ASCII as `\DDD` (RFC 1035 §5.1).
 */
function quote(octets: Uint8Array): string {
  let text = '"';
  for (const octet of octets) {
    if (octet === 0x22 || octet === 0x5c) text += `\\${String.fromCharCode(octet)}`;
    else if (octet < 0x20 || octet > 0x7e) text += `\\${octet.toString().padStart(3, '0')}`;
    else text += String.fromCharCode(octet);
  }
  return `${text}"`;
}

/** The fields of one record, read by position, with errors that name the field. */
class Fields {
  private names: readonly string[] = [];

  constructor(
    private readonly type: number,
    private readonly fields: readonly string[],
    private readonly origin: string,
  ) {}

  fail(reason: string): ResoluteError {
    return new ResoluteError('ERR_RDATA_INVALID', reason);
  }

  private failAt(i: number, reason: string): ResoluteError {
    return this.fail(`${typeName(this.type)} ${this.names[i] ?? `field ${i + 1}`}: ${reason}`);
  }

  expect(names: readonly string[]): void {
    this.names = names;
    if (this.fields.length !== names.length) {
      throw this.fail(
        `${typeName(this.type)} needs ${names.length} field${names.length === 1 ? '' : 's'} ` +
          `(${names.join(' ')}), got ${this.fields.length}`,
      );
    }
  }

  address(i: number, octets: number, parse: (text: string) => Uint8Array | undefined): Uint8Array {
    const bytes = parse(this.fields[i]);
    if (bytes === undefined || bytes.length !== octets) {
      throw this.failAt(i, `"${this.fields[i]}" is not an IPv${octets === 4 ? 4 : 6} address`);
    }
    return bytes;
  }

  name(i: number): Uint8Array {
    const field = this.fields[i];
    if (field === '@') return nameToWire(this.origin);
    try {
      return nameToWire(parseName(field, this.origin));
    } catch (error) {
      if (error instanceof ResoluteError && error.code === 'ERR_NAME_INVALID') throw this.failAt(i, error.reason);
      throw error;
    }
  }

  uint(i: number, max: number): number {
    const field = this.fields[i];
    const value = /^\d{1,10}$/.test(field) ? Number(field) : NaN;
    if (!(value <= max)) throw this.failAt(i, `"${field}" is not a number from 0 to ${max}`);
    return value;
  }

  /** SOA timers: seconds, or BIND units such as `1h` which every server accepts. */
  timer(i: number): number {
    const value = parseTtl(this.fields[i], 0xffffffff);
    if (value === undefined) throw this.failAt(i, `"${this.fields[i]}" is not a time (seconds, or units like 1h30m)`);
    return value;
  }

  text(i: number): Uint8Array {
    return decodeText(this.fields[i], (reason) => this.failAt(i, reason));
  }

  /** Hex digits in fields[from] and every field after it (RFC 4034 §5.3 allows spaces). */
  hex(from: number): Uint8Array {
    const digits = this.fields.slice(from).join('');
    if (!/^([0-9a-fA-F]{2})+$/.test(digits)) throw this.failAt(from, `"${digits}" is not an even number of hex digits`);
    return Uint8Array.from(digits.match(/../g) as string[], (pair) => parseInt(pair, 16));
  }

  /** RFC 1035 §3.3: a length octet, then at most 255 octets. */
  characterString(i: number): Uint8Array {
    const octets = decodeText(this.fields[i], (reason) => this.fail(`TXT string ${i + 1}: ${reason}`));
    if (octets.length > 255) {
      throw this.fail(`TXT string ${i + 1} is ${octets.length} octets; split it into strings of at most 255`);
    }
    return concat([Uint8Array.of(octets.length), octets]);
  }

  /** RFC 8659 §4.1: a tag is one or more ASCII letters and digits, in 15 octets or less. */
  caaTag(i: number): Uint8Array {
    const tag = this.fields[i];
    if (!/^[A-Za-z0-9]{1,15}$/.test(tag)) throw this.failAt(i, `"${tag}" is not 1 to 15 ASCII letters and digits`);
    return concat([Uint8Array.of(tag.length), Uint8Array.from(tag, (c) => c.charCodeAt(0))]);
  }
}

function u16(value: number): Uint8Array {
  return Uint8Array.of(value >> 8, value & 0xff);
}

function u32(value: number): Uint8Array {
  return Uint8Array.of(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let pos = 0;
  for (const part of parts) {
    out.set(part, pos);
    pos += part.length;
  }
  return out;
}
