/**
 * What a DNS server process runs for the built-in provider: it follows the zones' record sets in
 * the store and swaps answer tables into a running DnsServer (CONVENTIONS rule 12).
 *
 * step():
 *   1. per zone, read the record sets: the whole zone the first time, then only the names
 *      changed since the generation served (store.ts `readRecordSets`, O(k));
 *   2. a delta becomes one `updateZoneTable` (O(k)); a whole zone rebuilds the table;
 *      the new SOA serial is soa-serial.ts's, from the zone's meta (zone-meta.ts);
 *   3. swap the table into the attached server; queries in flight finish on the old one;
 *   4. now and then, and on close, the snapshot file (zone-snapshot-file.ts) is rewritten, so
 *      a restart answers before the store does.
 *
 * The store unavailable, a zone unreadable, a zone read as `none` (marker removed), or a zone
 * at a generation BELOW the one served (a store restored from an old copy): the last table keeps
 * answering (never backwards), and the next read is of the whole zone. Nothing here ever
 * turns "could not read" into "these names are gone".
 */
import { unreachable } from '../../base/assert.js';
import type { Clock } from '../../base/clock.js';
import { ResoluteError } from '../../base/errors.js';
import { RRClass, RRType } from '../../dns/wire/constants.js';
import { nameToWire } from '../../dns/wire/name.js';
import type { RRset } from '../../dns/wire/record.js';
import { buildZoneTable, updateZoneTable, type NameChange, type ZoneContent } from '../../dns/zone/table-builder.js';
import type { ServedRRset, ZoneTable } from '../../dns/zone/zone-table.js';
import type { Store } from '../../store/store.js';
import { decodeServedRRsets } from './record-set-codec.js';
import { zoneSerial, zoneSoa } from './soa-serial.js';
import { decodeZoneMeta, encodeZoneMeta, ZONE_META_NAME, type ZoneMeta } from './zone-meta.js';
import { readZoneSnapshot, writeZoneSnapshot, type SnapshotZone } from './zone-snapshot-file.js';

export interface ZoneFollowerOptions {
  readonly store: Store;
  /** The built-in provider's id (its key in the store). */
  readonly provider: string;
  readonly zones: readonly string[];
  /** The snapshot file, e.g. `<data-dir>/dns-<id>.zones`. */
  readonly snapshotFile: string;
  readonly clock: Clock;
  /** Between two reads of the store in `run` (default 100 ms: propagation ≤ 100 ms p99, issue 6). */
  readonly intervalMs?: number;
  /** The snapshot is rewritten at most this often while changes come (default 5000). */
  readonly snapshotEveryMs?: number;
}

/** What a server needs from the follower: DnsServer satisfies it. */
export interface TableSink {
  setTable(table: ZoneTable): void;
}

export type FollowOutcome =
  | {
      readonly kind: 'followed';
      /** Zones whose table changed in this step, with the number of names changed (full: every name). */
      readonly changed: ReadonlyMap<string, number>;
      /** Zones that could not be read this step (the last table answers for them). */
      readonly unavailable: ReadonlyMap<string, ResoluteError>;
    };

interface FollowedZone {
  /** The store generation served; undefined before the first read (or snapshot). */
  generation: bigint | undefined;
  names: Map<string, Uint8Array>;
  meta: ZoneMeta | undefined;
  /**
   * The store was seen BELOW the generation served (restored from an old copy, a lost data
   * dir): its deltas no longer lead from what is served, so the next read is of the whole zone.
   */
  isAheadOfStore?: boolean;
}

export class ZoneFollower {
  private readonly zones = new Map<string, FollowedZone>();
  private current: ZoneTable;
  private sink: TableSink | undefined;
  private version = 0n;
  private isSnapshotDirty = false;
  private lastSnapshotMs = -Infinity;

  private constructor(private readonly options: ZoneFollowerOptions) {
    for (const zone of options.zones) this.zones.set(zone, { generation: undefined, names: new Map(), meta: undefined });
    this.current = this.buildTable();
  }

  /**
   * A follower serving the snapshot file if it can be read (zones it lacks answer SERVFAIL
   * until the store answers). A missing file is a first start; a damaged one is reported in
   * `snapshotError` and ignored.
   */
  static async open(options: ZoneFollowerOptions): Promise<ZoneFollower> {
    const follower = new ZoneFollower(options);
    const snapshot = await readZoneSnapshot(options.snapshotFile);
    if (snapshot.kind === 'read') {
      for (const saved of snapshot.zones) {
        const zone = follower.zones.get(saved.zone);
        if (zone === undefined) continue;
        zone.generation = saved.generation;
        zone.names = new Map(saved.names);
        const meta = zone.names.get(ZONE_META_NAME);
        zone.names.delete(ZONE_META_NAME);
        zone.meta = meta === undefined ? undefined : decodeZoneMeta(saved.zone, meta);
      }
      follower.current = follower.buildTable();
    } else if (snapshot.kind === 'damaged') {
      follower.snapshotError = snapshot.cause;
    }
    return follower;
  }

  /** Why the snapshot file was not used at open, if it was damaged. */
  snapshotError: ResoluteError | undefined;

  get table(): ZoneTable {
    return this.current;
  }

  /** The generation served per zone (for `status` and reconcile); absent: nothing served yet. */
  get served(): ReadonlyMap<string, bigint> {
    const served = new Map<string, bigint>();
    for (const [zone, state] of this.zones) if (state.generation !== undefined) served.set(zone, state.generation);
    return served;
  }

  /** From now on every new table goes to `sink` (a running DnsServer); it gets the current one at once. */
  attach(sink: TableSink): void {
    this.sink = sink;
    sink.setTable(this.current);
  }

  async step(): Promise<FollowOutcome> {
    const changed = new Map<string, number>();
    const unavailable = new Map<string, ResoluteError>();
    let isRebuild = false;
    const deltas: Array<{ zone: string; changes: Map<string, NameChange>; soa: RRset | undefined }> = [];
    for (const [zone, state] of this.zones) {
      const read = await this.options.store.readRecordSets({
        provider: this.options.provider,
        zone,
        ...(state.generation === undefined || state.isAheadOfStore === true ? {} : { sinceGeneration: state.generation }),
      });
      switch (read.kind) {
        case 'none':
          continue; // nothing written yet, or the marker was removed: keep serving what we have
        case 'unavailable':
          unavailable.set(zone, read.cause);
          continue;
        case 'found':
          break;
        default:
          unreachable(read);
      }
      if (!read.isFull && read.generation === state.generation) continue;
      if (state.generation !== undefined && read.generation < state.generation) {
        // Never backwards (DESIGN, invariant 2): the store is behind what this process serves
        // (restored from an old copy, a lost data dir). Keep serving; the enactors see the
        // generation served (the dns-<id>.json status) and make the next one jump above it.
        state.isAheadOfStore = true;
        continue;
      }
      try {
        if (read.isFull) {
          const names = new Map<string, Uint8Array>();
          let meta: ZoneMeta | undefined;
          for (const change of read.changes) {
            if (change.value === null) continue;
            if (change.name === ZONE_META_NAME) meta = decodeZoneMeta(zone, change.value);
            else {
              decodeServedRRsets(change.name, change.value); // a damaged value fails the read here, not the rebuild
              names.set(change.name, change.value);
            }
          }
          Object.assign(state, { generation: read.generation, names, meta, isAheadOfStore: false });
          changed.set(zone, names.size);
          isRebuild = true;
          continue;
        }
        deltas.push({ zone, ...this.applyDelta(zone, state, read.generation, read.changes) });
        changed.set(zone, read.changes.length);
      } catch (error) {
        if (!(error instanceof ResoluteError)) throw error;
        unavailable.set(zone, error);
      }
    }
    if (isRebuild) {
      this.current = this.buildTable();
    } else {
      for (const { zone, changes, soa } of deltas) {
        // A large change is built in slices, yielding between them: this process answers DNS
        // on the same thread, and the table being served stays the old one until the last
        // slice (each slice is O(its names); only the finished table is swapped in).
        const slices = sliceChanges(changes, CHANGE_SLICE_NAMES);
        for (let i = 0; i < slices.length; i++) {
          const isLast = i === slices.length - 1;
          this.current = updateZoneTable(this.current, zone, slices[i], {
            version: ++this.version,
            ...(soa === undefined || !isLast ? {} : { soa }),
          });
          if (!isLast) await this.options.clock.sleep(0);
        }
      }
    }
    if (changed.size > 0) {
      this.isSnapshotDirty = true;
      this.sink?.setTable(this.current);
    }
    await this.maybeWriteSnapshot(false);
    return { kind: 'followed', changed, unavailable };
  }

  /** Follows until `signal` aborts, one step per `intervalMs`. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.step();
      try {
        await this.options.clock.sleep(this.options.intervalMs ?? 100, signal);
      } catch {
        break;
      }
    }
  }

  /** Writes the snapshot if it changed since the last write. */
  async close(): Promise<void> {
    await this.maybeWriteSnapshot(true);
  }

  /**
   * The changes of one delta, decoded before anything is touched (a damaged value leaves the
   * zone as it was), then applied to the zone's state; the SOA when the meta changed.
   */
  private applyDelta(zone: string, state: FollowedZone, generation: bigint, changes: readonly { name: string; value: Uint8Array | null }[]) {
    let meta = state.meta;
    const decoded = new Map<string, ServedRRset[] | null>();
    for (const change of changes) {
      if (change.name === ZONE_META_NAME) {
        if (change.value !== null) meta = decodeZoneMeta(zone, change.value);
      } else {
        decoded.set(change.name, change.value === null ? null : decodeServedRRsets(change.name, change.value));
      }
    }
    const isMetaChanged = meta !== state.meta;
    for (const change of changes) {
      if (change.name === ZONE_META_NAME) continue;
      if (change.value === null) state.names.delete(change.name);
      else state.names.set(change.name, change.value);
    }
    state.meta = meta;
    state.generation = generation;
    const tableChanges = new Map<string, NameChange>();
    for (const [name, rrsets] of decoded) tableChanges.set(name, rrsets === null ? null : byType(rrsets));
    // The apex carries the NS from the meta: its answers change with the name servers too.
    if (isMetaChanged || decoded.has(zone)) tableChanges.set(zone, this.apexRRsets(zone, state));
    return { changes: tableChanges, soa: isMetaChanged ? this.soaOf(zone, state) : undefined };
  }

  private buildTable(): ZoneTable {
    const contents: ZoneContent[] = [];
    const unavailable: string[] = [];
    for (const [zone, state] of this.zones) {
      const rrsets = new Map<string, ReadonlyMap<number, ServedRRset>>();
      const soa = this.soaOf(zone, state);
      if (state.meta === undefined) unavailable.push(zone);
      else for (const [name, value] of state.names) rrsets.set(name, byType(decodeServedRRsets(name, value)));
      // A whole zone carries its SOA at the apex, as a zone file does (updateZoneTable adds it itself).
      rrsets.set(zone, this.apexRRsets(zone, state).set(RRType.SOA, soa));
      contents.push({ origin: zone, soa, rrsets });
    }
    return buildZoneTable(contents, { version: ++this.version, unavailable });
  }

  private apexRRsets(zone: string, state: FollowedZone): Map<number, ServedRRset> {
    const value = state.names.get(zone);
    const rrsets = value === undefined ? new Map<number, ServedRRset>() : byType(decodeServedRRsets(zone, value));
    const nameservers = state.meta?.soa.nameservers ?? [];
    if (!rrsets.has(RRType.NS) && nameservers.length > 0) {
      rrsets.set(RRType.NS, { name: zone, type: RRType.NS, class: RRClass.IN, ttlSeconds: 3600, rdatas: nameservers.map((ns) => nameToWire(ns)) });
    }
    return rrsets;
  }

  private soaOf(zone: string, state: FollowedZone): RRset {
    const meta = state.meta;
    if (meta === undefined) return zoneSoa(zone, { nameservers: [], hostmaster: `hostmaster.${zone}`, negativeTtlSeconds: 5 }, 0);
    return zoneSoa(zone, meta.soa, zoneSerial(meta.serialBase, meta.changedGeneration));
  }

  private async maybeWriteSnapshot(isForced: boolean): Promise<void> {
    if (!this.isSnapshotDirty) return;
    const now = this.options.clock.monotonicMs();
    if (!isForced && now - this.lastSnapshotMs < (this.options.snapshotEveryMs ?? 5000)) return;
    const zones: SnapshotZone[] = [];
    for (const [zone, state] of this.zones) {
      if (state.generation === undefined || state.meta === undefined) continue;
      const names = new Map(state.names);
      names.set(ZONE_META_NAME, encodeZoneMeta(state.meta));
      zones.push({ zone, generation: state.generation, names });
    }
    this.isSnapshotDirty = false;
    this.lastSnapshotMs = now;
    const outcome = await writeZoneSnapshot(this.options.snapshotFile, zones);
    // A failed write keeps the table served from memory; the next change tries again.
    if (outcome.kind === 'failed') {
      this.isSnapshotDirty = true;
      this.snapshotError = outcome.cause;
    }
  }
}

function byType(rrsets: readonly ServedRRset[]): Map<number, ServedRRset> {
  return new Map(rrsets.map((r) => [r.type, r]));
}

/** Names per slice of a large change: a slice takes a few milliseconds to build. */
const CHANGE_SLICE_NAMES = 2_000;

function sliceChanges(changes: ReadonlyMap<string, NameChange>, size: number): ReadonlyMap<string, NameChange>[] {
  if (changes.size <= size) return [changes];
  const slices: Map<string, NameChange>[] = [];
  let slice = new Map<string, NameChange>();
  for (const [name, change] of changes) {
    slice.set(name, change);
    if (slice.size === size) {
      slices.push(slice);
      slice = new Map();
    }
  }
  if (slice.size > 0) slices.push(slice);
  return slices;
}
