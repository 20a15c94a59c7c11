/**
 * An RFC 2136 UPDATE message (opcode 5) as a `Message`, so the wire module serializes it:
 * the zone section is the question section, the prerequisite section the answer section, the
 * update section the authority section (RFC 2136 §2). Pure: no I/O.
 *
 * | RFC 2136 | class | type | ttl | rdata | here |
 * |---|---|---|---|---|---|
 * | §2.4.1 RRset exists (value independent) | ANY | type | 0 | empty | — |
 * | §2.4.2 RRset exists (value dependent) | zone (IN) | type | 0 | each rdata | `rrsetIs` (the marker fence) |
 * | §2.4.3 RRset does not exist | NONE | type | 0 | empty | `rrsetAbsent` (adoption; "no CNAME here") |
 * | §2.5.1 add to an RRset | zone (IN) | type | ttl | rdata | `addRecords` |
 * | §2.5.2 delete an RRset | ANY | type | 0 | empty | `deleteRRset` |
 */
import { Opcode, RRClass, RRType } from '../../dns/wire/constants.js';
import { buildRequest, type Message } from '../../dns/wire/message.js';
import { isSubdomain, nameToWire } from '../../dns/wire/name.js';
import type { ResourceRecord } from '../../dns/wire/record.js';

export interface UpdateSections {
  readonly id: number;
  /** The zone apex, canonical. */
  readonly zone: string;
  readonly prerequisites: readonly ResourceRecord[];
  readonly updates: readonly ResourceRecord[];
}

export function updateMessage(sections: UpdateSections): Message {
  return buildRequest({
    id: sections.id,
    opcode: Opcode.UPDATE,
    // RFC 2136 §2.3: ZOCOUNT 1, ZTYPE SOA, ZCLASS the zone's class.
    questions: [{ name: sections.zone, type: RRType.SOA, class: RRClass.IN }],
    answers: sections.prerequisites,
    authority: sections.updates,
  });
}

const EMPTY = new Uint8Array(0);

/** §2.4.2: the RRset at `name`/`type` is exactly these rdatas (compared as a set, TTL ignored). */
export function rrsetIs(name: string, type: number, rdatas: readonly Uint8Array[]): ResourceRecord[] {
  return rdatas.map((rdata) => ({ name, type, class: RRClass.IN, ttlSeconds: 0, rdata }));
}

/** §2.4.3: no RRset of `type` at `name`. */
export function rrsetAbsent(name: string, type: number): ResourceRecord {
  return { name, type, class: RRClass.NONE, ttlSeconds: 0, rdata: EMPTY };
}

/** §2.5.2: delete the RRset at `name`/`type` (nothing happens when there is none). */
export function deleteRRset(name: string, type: number): ResourceRecord {
  return { name, type, class: RRClass.ANY, ttlSeconds: 0, rdata: EMPTY };
}

/** §2.5.1: add these records to the RRset at `name`/`type`. */
export function addRecords(name: string, type: number, ttlSeconds: number, rdatas: readonly Uint8Array[]): ResourceRecord[] {
  return rdatas.map((rdata) => ({ name, type, class: RRClass.IN, ttlSeconds, rdata }));
}

/**
 * An upper bound of the octets `records` take in an UPDATE of `zone`: per record its owner, 10
 * octets of type, class, TTL and length, its rdata (RFC 1035 §4.1.3). An owner in the zone costs
 * at most its labels before the zone and a 2-octet pointer to the zone's name in the zone section
 * (RFC 1035 §4.1.4; the message writer seeds the question's name at offset 12, so that pointer is
 * always possible); any other name is counted whole. Names inside rdata are counted whole.
 */
export function recordsOctets(records: readonly ResourceRecord[], zone: string): number {
  const zoneOctets = nameToWire(zone).length;
  let octets = 0;
  for (const rr of records) octets += (isSubdomain(rr.name, zone) ? nameToWire(rr.name).length - zoneOctets + 2 : nameToWire(rr.name).length) + 10 + rr.rdata.length;
  return octets;
}
