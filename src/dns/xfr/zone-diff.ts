/**
 * What changed in a zone between two versions, as IXFR sends it (RFC 1995 §4): the records
 * removed and the records added, between the SOA of the older version and the SOA of the newer.
 *
 * Two ways to get one:
 *  - `diffOfChanges` — from the changes given to updateZoneTable (a plan applied): O(k) in the
 *    names changed; call it with the table BEFORE the update;
 *  - `diffZoneTables` — by comparing two whole tables (a zone file reloaded): O(zone).
 * A record is identified by owner, type, TTL and rdata: a TTL change removes the old records
 * and adds them back with the new TTL, which every IXFR client applies correctly.
 */
import { RRType } from '../wire/constants.js';
import { nameToWire } from '../wire/name.js';
import type { ResourceRecord } from '../wire/record.js';
import type { NameChange } from '../zone/table-builder.js';
import { hashWireName } from '../zone/name-hash.js';
import type { NameNode, ServedRRset, ZoneState, ZoneTable } from '../zone/zone-table.js';
import { serialOfSoaRdata } from './soa-serial.js';

export interface ZoneDiff {
  readonly origin: string;
  /** The SOA of the older version (its serial is where the diff starts). */
  readonly fromSoa: ResourceRecord;
  /** The SOA of the newer version. */
  readonly toSoa: ResourceRecord;
  /** Records of the older version that the newer one does not have (never the SOA). */
  readonly removed: readonly ResourceRecord[];
  /** Records of the newer version that the older one did not have (never the SOA). */
  readonly added: readonly ResourceRecord[];
}

export function fromSerial(diff: ZoneDiff): number {
  return serialOfSoaRdata(diff.fromSoa.rdata);
}

export function toSerial(diff: ZoneDiff): number {
  return serialOfSoaRdata(diff.toSoa.rdata);
}

/** The zone's SOA as one record. */
export function soaRecord(zone: ZoneState): ResourceRecord {
  const { soa } = zone;
  return { name: zone.origin, type: RRType.SOA, class: soa.class, ttlSeconds: soa.ttlSeconds, rdata: soa.rdatas[0] };
}

/** The nodes of one zone of a table (every served name, glue and empty non-terminals included). */
export function* zoneNodes(table: ZoneTable, zone: ZoneState): IterableIterator<NameNode> {
  for (const [, node] of table.names.entries()) if (node.zoneIndex === zone.index) yield node;
}

/** The records of an RRset, one per rdata (weights and `pick` are the server's business). */
export function rrsetRecords(rrset: ServedRRset): ResourceRecord[] {
  return rrset.rdatas.map((rdata) => ({ name: rrset.name, type: rrset.type, class: rrset.class, ttlSeconds: rrset.ttlSeconds, rdata }));
}

/**
 * The diff that applying `changes` (and `soa`) to zone `origin` of `table` makes. Call it before
 * updateZoneTable with the same arguments; undefined when the zone is not in the table.
 */
export function diffOfChanges(
  table: ZoneTable,
  origin: string,
  changes: ReadonlyMap<string, NameChange>,
  soa: ResourceRecord | undefined,
): ZoneDiff | undefined {
  const zone = table.zone(origin);
  if (zone === undefined) return undefined;
  const removed: ResourceRecord[] = [];
  const added: ResourceRecord[] = [];
  for (const [name, change] of changes) {
    diffRrsets(nodeIn(table, zone, name)?.rrsets, change ?? undefined, removed, added);
  }
  const fromSoa = soaRecord(zone);
  return { origin, fromSoa, toSoa: soa ?? fromSoa, removed, added };
}

/**
 * The diff between zone `origin` in `before` and in `after` (both must serve it), or undefined
 * when nothing changed, the SOA included.
 */
export function diffZoneTables(before: ZoneTable, after: ZoneTable, origin: string): ZoneDiff | undefined {
  const oldZone = before.zone(origin);
  const newZone = after.zone(origin);
  if (oldZone === undefined || newZone === undefined) return undefined;
  const removed: ResourceRecord[] = [];
  const added: ResourceRecord[] = [];
  for (const node of zoneNodes(after, newZone)) diffRrsets(nodeIn(before, oldZone, node.name)?.rrsets, node.rrsets, removed, added);
  for (const node of zoneNodes(before, oldZone)) {
    if (nodeIn(after, newZone, node.name) === undefined) diffRrsets(node.rrsets, undefined, removed, added);
  }
  const fromSoa = soaRecord(oldZone);
  const toSoa = soaRecord(newZone);
  if (removed.length === 0 && added.length === 0 && sameRecord(fromSoa, toSoa)) return undefined;
  return { origin, fromSoa, toSoa, removed, added };
}

function nodeIn(table: ZoneTable, zone: ZoneState, name: string): NameNode | undefined {
  const key = nameToWire(name);
  const node = table.names.get(hashWireName(key, 0), key, 0);
  return node?.zoneIndex === zone.index ? node : undefined;
}

function diffRrsets(
  before: ReadonlyMap<number, ServedRRset> | undefined,
  after: ReadonlyMap<number, ServedRRset> | undefined,
  removed: ResourceRecord[],
  added: ResourceRecord[],
): void {
  if (before === after) return;
  for (const [type, rrset] of before ?? []) {
    if (type !== RRType.SOA) diffRrset(rrset, after?.get(type), removed, added);
  }
  for (const [type, rrset] of after ?? []) {
    if (type !== RRType.SOA && before?.has(type) !== true) added.push(...rrsetRecords(rrset));
  }
}

function diffRrset(before: ServedRRset, after: ServedRRset | undefined, removed: ResourceRecord[], added: ResourceRecord[]): void {
  if (before === after) return;
  if (after === undefined || after.ttlSeconds !== before.ttlSeconds || after.class !== before.class) {
    removed.push(...rrsetRecords(before));
    if (after !== undefined) added.push(...rrsetRecords(after));
    return;
  }
  const old = new Set(before.rdatas.map(rdataKey));
  const next = new Set(after.rdatas.map(rdataKey));
  for (const record of rrsetRecords(before)) if (!next.has(rdataKey(record.rdata))) removed.push(record);
  for (const record of rrsetRecords(after)) if (!old.has(rdataKey(record.rdata))) added.push(record);
}

function rdataKey(rdata: Uint8Array): string {
  return Buffer.from(rdata.buffer, rdata.byteOffset, rdata.byteLength).toString('latin1');
}

function recordKey(record: ResourceRecord): string {
  return `${record.name}\u0000${record.type}\u0000${record.class}\u0000${record.ttlSeconds}\u0000${rdataKey(record.rdata)}`;
}

function sameRecord(a: ResourceRecord, b: ResourceRecord): boolean {
  return recordKey(a) === recordKey(b);
}

/**
 * One diff equal to applying `diffs` in order (RFC 1995 §5 allows a server to condense): a
 * record added then removed is in neither list; removed then added back, in neither.
 */
export function condenseDiffs(diffs: readonly ZoneDiff[]): ZoneDiff {
  if (diffs.length === 1) return diffs[0];
  const removed = new Map<string, ResourceRecord>();
  const added = new Map<string, ResourceRecord>();
  for (const diff of diffs) {
    for (const record of diff.removed) {
      const key = recordKey(record);
      if (added.has(key)) added.delete(key);
      else removed.set(key, record);
    }
    for (const record of diff.added) {
      const key = recordKey(record);
      if (removed.has(key)) removed.delete(key);
      else added.set(key, record);
    }
  }
  return {
    origin: diffs[0].origin,
    fromSoa: diffs[0].fromSoa,
    toSoa: diffs[diffs.length - 1].toSoa,
    removed: [...removed.values()],
    added: [...added.values()],
  };
}
