/**
 * A name's key and every precomputed answer, packed side by side in an answer arena, so the
 * query path reads one or two cache lines where following objects (node, answers, answer,
 * body) would cost a miss each.
 *
 * Layout (big-endian), at offset o of an arena chunk:
 *
 * | at              | size | field                                                       |
 * |-----------------|------|-------------------------------------------------------------|
 * | o + 0           | 4    | hash of the name (name-hash.ts), a quick reject             |
 * | o + 4           | 2    | length of the whole record                                  |
 * | o + 6           | 1    | L, length of the key                                        |
 * | o + 7           | L    | key: the name in lower-case wire form                       |
 * | h = o + 7 + L   | 2    | zone index                                                  |
 * | h + 2           | 1    | N, number of entries; entry 0 answers any QTYPE not listed  |
 * | h + 3 + 14 i    | 14   | entry i: QTYPE (2), flags (1), ANCOUNT, NSCOUNT, ARCOUNT,   |
 * |                 |      | body length, body offset from o (2 each), reserved (1)      |
 * | …               |      | bodies                                                      |
 *
 * Flags: 0x80 authoritative (AA), 0x40 negative (the zone's SOA follows the body), low 4 bits
 * the RCODE. Only authoritative names and delegation points are packed; a name below a cut, a
 * name with a weighted RRset (records drawn per response), or one whose record would pass
 * 65,535 octets is answered from its node. A packed name's node keeps no answers of its own:
 * the record is the one copy.
 */
import type { AnswerArena } from './answer-arena.js';
import { OFFSET_MASK } from './answer-arena.js';
import type { AnswersByType } from './answers-by-type.js';
import type { PrecomputedAnswer } from './precomputed-answer.js';
import { NodeKind } from './zone-table.js';

export const ENTRY_OCTETS = 14;
export const FLAG_AUTHORITATIVE = 0x80;
export const FLAG_NEGATIVE = 0x40;
const RECORD_OCTETS_MAX = 0xffff;

/** What a record is made of: a name's identity and its exact-name answers. */
export interface PackableName {
  readonly key: Uint8Array;
  readonly hash: number;
  readonly zoneIndex: number;
  readonly kind: NodeKind;
  readonly answers: AnswersByType;
  readonly otherwise: PrecomputedAnswer;
}

/** Writes the name's record into the arena; its location, or -1 when the name is not packed. */
export function packName(arena: AnswerArena, node: PackableName): number {
  if (node.kind === NodeKind.BELOW_CUT) return -1;
  const entries: Array<[number, PrecomputedAnswer]> = [[0, node.otherwise], ...node.answers.entries()];
  if (entries.length > 255 || entries.some(([, answer]) => answer.weighted !== undefined)) return -1;
  const key = node.key;
  const headerOctets = 7 + key.length + 3 + ENTRY_OCTETS * entries.length;
  let length = headerOctets;
  for (const [, answer] of entries) length += answer.body.length;
  if (length > RECORD_OCTETS_MAX) return -1;

  const location = arena.allocate(length);
  const chunk = arena.chunk(location);
  const o = location & OFFSET_MASK;
  writeU32(chunk, o, node.hash);
  writeU16(chunk, o + 4, length);
  chunk[o + 6] = key.length;
  chunk.set(key, o + 7);
  const h = o + 7 + key.length;
  writeU16(chunk, h, node.zoneIndex);
  chunk[h + 2] = entries.length;
  let bodyAt = headerOctets;
  entries.forEach(([qtype, answer], i) => {
    const e = h + 3 + ENTRY_OCTETS * i;
    writeU16(chunk, e, qtype);
    chunk[e + 2] =
      (answer.authoritative ? FLAG_AUTHORITATIVE : 0) |
      (answer.negative ? FLAG_NEGATIVE : 0) |
      (answer.rcode & 0x0f);
    writeU16(chunk, e + 3, answer.answerCount);
    writeU16(chunk, e + 5, answer.authorityCount);
    writeU16(chunk, e + 7, answer.additionalCount);
    writeU16(chunk, e + 9, answer.body.length);
    writeU16(chunk, e + 11, bodyAt);
    chunk[e + 13] = 0;
    chunk.set(answer.body, o + bodyAt);
    bodyAt += answer.body.length;
  });
  return location;
}

/** Copies the record at `location` of `from` into `to`; its new location. */
export function copyRecord(from: AnswerArena, location: number, to: AnswerArena): number {
  const length = recordOctets(from, location);
  const target = to.allocate(length);
  const o = location & OFFSET_MASK;
  to.chunk(target).set(from.chunk(location).subarray(o, o + length), target & OFFSET_MASK);
  return target;
}

/** The record length stored at `location`. */
export function recordOctets(arena: AnswerArena, location: number): number {
  const chunk = arena.chunk(location);
  const o = location & OFFSET_MASK;
  return (chunk[o + 4] << 8) | chunk[o + 5];
}

/** Whether the record at `location` is the name at `offset` in `bytes` (any case, RFC 4343). */
export function recordMatches(chunk: Uint8Array, o: number, hash: number, bytes: Uint8Array, offset: number): boolean {
  if (((chunk[o] << 24) | (chunk[o + 1] << 16) | (chunk[o + 2] << 8) | chunk[o + 3]) !== hash) return false;
  const keyLength = chunk[o + 6];
  const key = o + 7;
  for (let i = 0; i < keyLength; i++) {
    const c = bytes[offset + i];
    const k = chunk[key + i];
    if (c !== k && (c < 0x41 || c > 0x5a || (c | 0x20) !== k)) return false;
  }
  return true;
}

/** Whether the record at `location` holds exactly `key` (a lower-case wire name). */
export function recordHasKey(chunk: Uint8Array, o: number, key: Uint8Array): boolean {
  if (chunk[o + 6] !== key.length) return false;
  for (let i = 0; i < key.length; i++) if (chunk[o + 7 + i] !== key[i]) return false;
  return true;
}

function writeU16(chunk: Uint8Array, at: number, value: number): void {
  chunk[at] = value >>> 8;
  chunk[at + 1] = value & 0xff;
}

function writeU32(chunk: Uint8Array, at: number, value: number): void {
  chunk[at] = value >>> 24;
  chunk[at + 1] = (value >>> 16) & 0xff;
  chunk[at + 2] = (value >>> 8) & 0xff;
  chunk[at + 3] = value & 0xff;
}
