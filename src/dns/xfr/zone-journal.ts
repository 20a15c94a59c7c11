/**
 * The journal: for each zone, the diffs of its last K versions, so an IXFR (RFC 1995) sends
 * only what changed since the client's serial. Fed wherever a new table is published: a zone
 * file reloaded (diffZoneTables) or a plan applied (diffOfChanges, before updateZoneTable).
 *
 * | the client's serial                          | what `since` returns                         |
 * |----------------------------------------------|----------------------------------------------|
 * | the current one, or newer (RFC 1982)         | 'current': the answer is the single SOA      |
 * | the start of a diff, and the diffs chain     | one condensed diff up to the current serial  |
 * |   unbroken up to the current serial          |                                              |
 * | anything else (older than the journal, a gap,| 'unknown': the answer is the whole zone,     |
 * |   a table published without its diff)        |   AXFR-style (RFC 1995 §4)                   |
 *
 * Memory: K diffs per zone (default 20), each as large as its change.
 */
import { assert } from '../../base/assert.js';
import { isSerialNewer } from './soa-serial.js';
import { condenseDiffs, fromSerial, toSerial, type ZoneDiff } from './zone-diff.js';

export const DEFAULT_JOURNAL_VERSIONS = 20;

export type JournalAnswer = { readonly kind: 'current' } | { readonly kind: 'diff'; readonly diff: ZoneDiff } | { readonly kind: 'unknown' };

export class ZoneJournal {
  private readonly diffs = new Map<string, ZoneDiff[]>();

  constructor(readonly versionsMax = DEFAULT_JOURNAL_VERSIONS) {
    assert(versionsMax >= 0, 'a journal keeps zero or more versions');
  }

  /** Records that zone `diff.origin` went from `diff.fromSoa` to `diff.toSoa`. */
  record(diff: ZoneDiff): void {
    const list = this.diffs.get(diff.origin) ?? [];
    const last = list[list.length - 1];
    // A diff that does not continue the chain starts a new one: older diffs can no longer
    // reach the current serial.
    const chained = last === undefined || toSerial(last) === fromSerial(diff) ? list : [];
    chained.push(diff);
    while (chained.length > this.versionsMax) chained.shift();
    this.diffs.set(diff.origin, chained);
  }

  /** Forgets a zone's history (the zone was removed, or replaced by an unrelated one). */
  forget(origin: string): void {
    this.diffs.delete(origin);
  }

  /** What changed in `origin` from `clientSerial` to `currentSerial` (see the table above). */
  since(origin: string, clientSerial: number, currentSerial: number): JournalAnswer {
    if (clientSerial === currentSerial || isSerialNewer(clientSerial, currentSerial)) return { kind: 'current' };
    const list = this.diffs.get(origin) ?? [];
    const start = list.findIndex((d) => fromSerial(d) === clientSerial);
    if (start < 0 || toSerial(list[list.length - 1]) !== currentSerial) return { kind: 'unknown' };
    return { kind: 'diff', diff: condenseDiffs(list.slice(start)) };
  }

  /** The serials the journal can answer from, oldest first (for logs and tests). */
  serials(origin: string): number[] {
    return (this.diffs.get(origin) ?? []).map(fromSerial);
  }
}
