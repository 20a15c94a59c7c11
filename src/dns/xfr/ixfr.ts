/**
 * IXFR (RFC 1995 §4): the client's IXFR carries its SOA in the authority section; the answer
 * is, in order of the journal's answer (zone-journal.ts):
 *  - 'current': the single current SOA (the client is up to date, §4);
 *  - 'diff': current SOA, then the condensed difference — the SOA of the client's version, the
 *    records removed, the current SOA, the records added — then the current SOA again;
 *  - 'unknown': the whole zone AXFR-style (SOA, records, SOA), which the client recognises by
 *    its second record not being an SOA (§4).
 */
import type { ResourceRecord } from '../wire/record.js';
import type { ZoneState, ZoneTable } from '../zone/zone-table.js';
import { axfrRecords } from './axfr.js';
import type { JournalAnswer } from './zone-journal.js';
import { soaRecord } from './zone-diff.js';

export function* ixfrRecords(table: ZoneTable, zone: ZoneState, answer: JournalAnswer): Generator<ResourceRecord> {
  const soa = soaRecord(zone);
  switch (answer.kind) {
    case 'current':
      yield soa;
      return;
    case 'unknown':
      yield* axfrRecords(table, zone);
      return;
    case 'diff':
      yield soa;
      yield answer.diff.fromSoa;
      yield* answer.diff.removed;
      yield answer.diff.toSoa;
      yield* answer.diff.added;
      yield soa;
      return;
  }
}
