import { ResoluteError } from '../../base/errors.js';
import { decodeEscape, pushCharacter } from './presentation-escape.js';
import { WireFormatError } from './wire-format-error.js';

/**
 * Domain names in the two forms Resolute uses.
 *
 * - Presentation form (RFC 1035 §5.1), as strings. The *canonical* form, which every record
 *   owner and every map key uses, is absolute, lower case (ASCII only, RFC 4343), with a
 *   trailing dot, and escapes exactly these octets: `. \ " ( ) ; @ $` as `\X`, and octets
 *   outside 0x21–0x7E as `\DDD`. Every other octet is written as itself, so one name has one
 *   canonical string and string equality is name equality.
 * - Wire form (RFC 1035 §3.1), as bytes: length-prefixed labels ending in the root label 0.
 */

/** RFC 1035 §2.3.4: a label is at most 63 octets, a name at most 255 octets in wire form. */
export const MAX_LABEL_OCTETS = 63;
export const MAX_NAME_OCTETS = 255;

/** The header is 12 octets (RFC 1035 §4.1.1) and holds no names, so no pointer may point into it. */
const HEADER_OCTETS = 12;

function invalid(reason: string, text: string): ResoluteError {
  return new ResoluteError('ERR_NAME_INVALID', `name "${text}": ${reason}`);
}

/**
 * Presentation form → canonical presentation form.
 *
 * A name without a trailing dot is relative and is completed with `origin` (a canonical
 * absolute name); without an origin that is an error. `@` is NOT the origin here: the zone-file
 * parser replaces it before calling (here `@` is an ordinary character, written `\@`).
 * Escapes: `\X` is the character X, `\DDD` the octet with decimal value DDD (RFC 1035 §5.1).
 * Characters outside ASCII are taken as their UTF-8 octets.
 *
 * @throws ResoluteError ERR_NAME_INVALID with the reason (the caller adds the place).
 */
export function parseName(text: string, origin?: string): string {
  const plain = plainCanonical(text, origin);
  if (plain !== undefined) return plain;
  return wireToText(presentationToWire(text, origin, true), true);
}

/**
 * Zone files and configs are mostly plain host names (`e1234`, `api.demo.test.`): letters,
 * digits, `-`, `_`, `*` and dots, no escapes. Their canonical form is the lower-cased text, so
 * loading a million of them skips the wire round trip. Anything else returns undefined and goes
 * the general way, which also produces every error message.
 */
function plainCanonical(text: string, origin: string | undefined): string | undefined {
  const length = text.length;
  if (length === 0 || length > MAX_NAME_OCTETS) return undefined;
  let labelLength = 0;
  let hasUpper = false;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (labelLength === 0) return undefined;
      labelLength = 0;
      continue;
    }
    if (c >= 0x41 && c <= 0x5a) hasUpper = true;
    else if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f || c === 0x2a)) return undefined;
    if (++labelLength > MAX_LABEL_OCTETS) return undefined;
  }
  const lower = hasUpper ? text.toLowerCase() : text;
  // Wire length = text length + 1 (a length octet per label and the root octet, no dots).
  if (labelLength === 0) return length + 1 <= MAX_NAME_OCTETS ? lower : undefined; // absolute
  if (origin === undefined) return undefined;
  const full = origin === '.' ? `${lower}.` : `${lower}.${origin}`;
  return full.length + 1 <= MAX_NAME_OCTETS ? full : undefined;
}

/**
 * The uncompressed wire form of an absolute presentation-form name. Case is kept as written, so
 * a question name with mixed case (as received) is sent back with the same case.
 */
export function nameToWire(name: string): Uint8Array {
  return plainToWire(name) ?? presentationToWire(name, undefined, false);
}

/** nameToWire for a plain absolute name (see plainCanonical), or undefined. */
function plainToWire(name: string): Uint8Array | undefined {
  const length = name.length;
  if (length < 2 || length + 1 > MAX_NAME_OCTETS || name.charCodeAt(length - 1) !== 0x2e) return undefined;
  const out = new Uint8Array(length + 1);
  let labelStart = 0;
  for (let i = 0; i < length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x2e) {
      const labelLength = i - labelStart;
      if (labelLength === 0 || labelLength > MAX_LABEL_OCTETS) return undefined;
      out[labelStart] = labelLength;
      labelStart = i + 1;
    } else if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || c === 0x2d || c === 0x5f || c === 0x2a) {
      out[i + 1] = c;
    } else {
      return undefined;
    }
  }
  out[length] = 0;
  return out;
}

/**
 * Lower-cases a presentation-form name produced by this module (e.g. a question name as
 * received). Safe with a plain toLowerCase because the form only holds ASCII: other octets are
 * `\DDD` escapes, and escapes never use letters.
 */
export function canonicalName(name: string): string {
  return name.toLowerCase();
}

export interface NameReadOptions {
  /** Keep the case of the octets as received (a question name); default: lower-case them. */
  readonly preserveCase?: boolean;
  /** Follow compression pointers (default true); false for names that must not be compressed. */
  readonly allowPointers?: boolean;
}

/**
 * Reads a possibly compressed name at `offset` of a DNS message (RFC 1035 §4.1.4). `end` is the
 * offset just after the name where it starts (after its first pointer, or its root label).
 *
 * @throws WireFormatError for truncation, a label type 0x40/0x80 (reserved; RFC 6891 §5 retired
 *   the extended label type 0x40), a pointer into the header, a pointer that does not point
 *   strictly before the labels that led to it (which also excludes every loop), or a name over
 *   255 octets.
 */
export function nameFromWire(
  buf: Uint8Array,
  offset: number,
  options: NameReadOptions = {},
): { name: string; end: number } {
  const { wire, end } = readNameWire(buf, offset, options);
  return { name: wireToText(wire, options.preserveCase !== true), end };
}

/**
 * Like nameFromWire, but returns the uncompressed wire form with the case as received, for
 * callers that keep names as bytes (rdata). Validation is the same.
 */
export function readNameWire(
  buf: Uint8Array,
  offset: number,
  options: Pick<NameReadOptions, 'allowPointers'> = {},
): { wire: Uint8Array; end: number } {
  const allowPointers = options.allowPointers !== false;
  const out = new Uint8Array(MAX_NAME_OCTETS);
  let length = 0;
  let pos = offset;
  let end = -1;
  // Every pointer must point before the first octet of the run of labels that led to it. The
  // targets then strictly decrease, so reading always terminates: no loop can be built.
  let runStart = offset;
  for (;;) {
    if (pos >= buf.length) throw new WireFormatError('name runs past the end of the message', pos);
    const octet = buf[pos];
    const kind = octet & 0xc0;
    if (kind === 0xc0) {
      if (!allowPointers) throw new WireFormatError('compression pointer where names must not be compressed', pos);
      if (pos + 1 >= buf.length) throw new WireFormatError('compression pointer runs past the end of the message', pos);
      const target = ((octet & 0x3f) << 8) | buf[pos + 1];
      if (target < HEADER_OCTETS) throw new WireFormatError(`compression pointer to ${target} points into the header`, pos);
      if (target >= runStart) {
        throw new WireFormatError(`compression pointer to ${target} does not point strictly backwards`, pos);
      }
      if (end < 0) end = pos + 2;
      runStart = target;
      pos = target;
      continue;
    }
    if (kind !== 0) {
      throw new WireFormatError(`label type 0x${kind.toString(16)} is reserved (RFC 6891 §5)`, pos);
    }
    // kind 0: a normal label of `octet` (<= 63) octets, or the root label.
    if (length + 1 + octet > MAX_NAME_OCTETS) {
      throw new WireFormatError(`name is longer than ${MAX_NAME_OCTETS} octets (RFC 1035 §2.3.4)`, pos);
    }
    if (pos + 1 + octet > buf.length) throw new WireFormatError('label runs past the end of the message', pos);
    out[length] = octet;
    out.set(buf.subarray(pos + 1, pos + 1 + octet), length + 1);
    length += 1 + octet;
    pos += 1 + octet;
    if (octet === 0) break;
  }
  return { wire: out.slice(0, length), end: end < 0 ? pos : end };
}

/** True when `name` is `ancestor` or below it; both canonical. Every name is below the root. */
export function isSubdomain(name: string, ancestor: string): boolean {
  if (ancestor === '.' || name === ancestor) return true;
  const dot = name.length - ancestor.length - 1;
  return dot >= 0 && name.endsWith(ancestor) && name[dot] === '.' && !isEscaped(name, dot);
}

/** The number of labels, not counting the root: `.` → 0, `example.org.` → 2. */
export function labelCount(name: string): number {
  if (name === '.') return 0;
  let count = 0;
  for (let i = 0; i < name.length; i++) {
    if (name[i] === '\\') i++;
    else if (name[i] === '.') count++;
  }
  return count;
}

/** The name one label up (`www.example.org.` → `example.org.`), or undefined for the root. */
export function parentName(name: string): string | undefined {
  if (name === '.') return undefined;
  for (let i = 0; i < name.length; i++) {
    if (name[i] === '\\') i++;
    else if (name[i] === '.') return i === name.length - 1 ? '.' : name.slice(i + 1);
  }
  return undefined;
}

/** The labels in presentation form with their escapes, root excluded: `a\.b.org.` → `['a\.b', 'org']`. */
export function splitLabels(name: string): string[] {
  const labels: string[] = [];
  let start = 0;
  for (let i = 0; i < name.length; i++) {
    if (name[i] === '\\') i++;
    else if (name[i] === '.') {
      if (i > start) labels.push(name.slice(start, i));
      start = i + 1;
    }
  }
  if (start < name.length) labels.push(name.slice(start));
  return labels;
}

/** A dot is escaped when an odd number of backslashes precede it (`\\.` is a backslash, then a separator). */
function isEscaped(text: string, index: number): boolean {
  let backslashes = 0;
  for (let i = index - 1; i >= 0 && text[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 1;
}

function presentationToWire(text: string, origin: string | undefined, lower: boolean): Uint8Array {
  if (text === '') throw invalid('empty name', text);
  if (text === '.') return Uint8Array.of(0);
  const out: number[] = [];
  let labelStart = 0; // index in `out` of the current label's length octet
  out.push(0);
  let isAbsolute = false;
  const fail = (reason: string): ResoluteError => invalid(reason, text);
  const push = (octet: number): void => {
    if (out.length - labelStart > MAX_LABEL_OCTETS) {
      throw fail(`label longer than ${MAX_LABEL_OCTETS} octets (RFC 1035 §2.3.4)`);
    }
    out.push(lower && octet >= 0x41 && octet <= 0x5a ? octet + 0x20 : octet);
  };
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    isAbsolute = false;
    if (c === 0x2e /* . */) {
      if (out.length - labelStart === 1) throw fail('empty label (a leading dot or two dots in a row)');
      out[labelStart] = out.length - labelStart - 1;
      labelStart = out.length;
      out.push(0);
      isAbsolute = true;
      i++;
    } else if (c === 0x5c /* \ */) {
      i = decodeEscape(text, i, push, fail);
    } else {
      i = pushCharacter(text, i, push);
    }
  }
  // An absolute name's trailing dot closed its last label, so `out` ends with the root label.
  // A relative name's last label is still open: close it and append the origin.
  if (!isAbsolute) {
    out[labelStart] = out.length - labelStart - 1;
    if (origin === undefined) throw fail('relative name needs an origin (or a trailing dot)');
    for (const octet of presentationToWire(origin, undefined, lower)) out.push(octet);
  }
  if (out.length > MAX_NAME_OCTETS) {
    throw fail(`name is ${out.length} octets in wire form, more than ${MAX_NAME_OCTETS} (RFC 1035 §2.3.4)`);
  }
  return Uint8Array.from(out);
}

/** Octets a canonical name escapes as `\X`: the separator, the escape and zone-file specials. */
const SPECIAL = new Set([0x2e, 0x5c, 0x22, 0x28, 0x29, 0x3b, 0x40, 0x24]);

function wireToText(wire: Uint8Array, lower: boolean): string {
  if (wire.length === 1) return '.';
  let text = '';
  let pos = 0;
  while (wire[pos] !== 0) {
    const end = pos + 1 + wire[pos];
    for (let i = pos + 1; i < end; i++) {
      let octet = wire[i];
      if (lower && octet >= 0x41 && octet <= 0x5a) octet += 0x20;
      if (SPECIAL.has(octet)) text += `\\${String.fromCharCode(octet)}`;
      else if (octet < 0x21 || octet > 0x7e) text += `\\${octet.toString().padStart(3, '0')}`;
      else text += String.fromCharCode(octet);
    }
    text += '.';
    pos = end;
  }
  return text;
}
