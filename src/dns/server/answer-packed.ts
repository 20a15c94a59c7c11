/**
 * The fast path's answer from a packed record (src/dns/zone/packed-record.ts): pick the entry
 * for QTYPE (entry 0 for any other), and write the response from the record's bytes.
 * Returns null when the zone has no usable data: the node path answers SERVFAIL.
 */
import { CHUNK_BITS, OFFSET_MASK } from '../zone/answer-arena.js';
import { ENTRY_OCTETS, FLAG_AUTHORITATIVE, FLAG_NEGATIVE } from '../zone/packed-record.js';
import type { ZoneTable } from '../zone/zone-table.js';
import { writeResponse, type ResponseLimits } from './compose-response.js';
import type { Transport } from './transport.js';

export function answerPacked(
  query: Uint8Array,
  questionEnd: number,
  location: number,
  qtype: number,
  table: ZoneTable,
  limits: ResponseLimits,
  transport: Transport,
  udpSize: number,
  dnssecOk: boolean,
): Uint8Array | null {
  const chunk = table.index.arena.chunks[location >>> CHUNK_BITS];
  const o = location & OFFSET_MASK;
  const h = o + 7 + chunk[o + 6];
  const zone = table.zones[(chunk[h] << 8) | chunk[h + 1]];
  if (zone.servfail !== undefined) return null;
  const count = chunk[h + 2];
  let e = h + 3;
  for (let i = 1, at = h + 3 + ENTRY_OCTETS; i < count; i++, at += ENTRY_OCTETS) {
    if (((chunk[at] << 8) | chunk[at + 1]) === qtype) {
      e = at;
      break;
    }
  }
  const flags = chunk[e + 2];
  return writeResponse(
    query,
    questionEnd,
    chunk,
    o + ((chunk[e + 11] << 8) | chunk[e + 12]),
    (chunk[e + 9] << 8) | chunk[e + 10],
    (flags & FLAG_AUTHORITATIVE) !== 0,
    flags & 0x0f,
    (chunk[e + 3] << 8) | chunk[e + 4],
    (chunk[e + 5] << 8) | chunk[e + 6],
    (chunk[e + 7] << 8) | chunk[e + 8],
    (flags & FLAG_NEGATIVE) !== 0 ? zone.negativeSoa : undefined,
    limits,
    transport,
    udpSize,
    dnssecOk,
  );
}
