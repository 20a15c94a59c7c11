/**
 * AXFR (RFC 5936): the whole zone from one table snapshot — its SOA first, every RRset of every
 * name (the apex NS, delegations and their glue, empty non-terminals have none), the SOA last
 * (§2.2). The snapshot is immutable, so a table swapped in mid-transfer changes nothing here.
 */
import { RRType } from '../wire/constants.js';
import type { ResourceRecord } from '../wire/record.js';
import type { ZoneState, ZoneTable } from '../zone/zone-table.js';
import { rrsetRecords, soaRecord, zoneNodes } from './zone-diff.js';

export function* axfrRecords(table: ZoneTable, zone: ZoneState): Generator<ResourceRecord> {
  const soa = soaRecord(zone);
  yield soa;
  for (const node of zoneNodes(table, zone)) {
    for (const rrset of node.rrsets.values()) if (rrset.type !== RRType.SOA) yield* rrsetRecords(rrset);
  }
  yield soa;
}
