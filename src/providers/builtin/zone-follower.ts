/**
 * What a DNS server process runs for the built-in provider: it follows the zones' record sets in
 * the store and swaps answer tables into a running DnsServer (CONVENTIONS rule 12).
 *
 * step():
 *   0. learn the zones: every zone the built-in provider has an applied generation for in the
 *      store (`listApplied`) joins the served set, so a zone added to the config and applied
 *      after a reload is served without a restart; a zone served stays served (removing one
 *      takes a restart); the table is rebuilt once with it (SERVFAIL until its first read);
 *   1. per zone, read the record sets: the whole zone the first time, then only the names
 *      changed since the generation served (store.ts `readRecordSets`, O(k));
 *   2. a delta becomes `updateZoneTable` calls (O(k)); a whole zone becomes the delta from what
 *      is served; both decoded and built in slices that yield to the event loop every few
 *      milliseconds (Pacer), because this thread answers DNS (issue 6: the server never waits on a plan
 *      being built); the new SOA serial is soa-serial.ts's, from the zone's meta (zone-meta.ts);
 *   3. swap the table into the attached server; queries in flight finish on the old one;
 *   4. now and then, and on close, the snapshot file (zone-snapshot-file.ts) is rewritten in
 *      the background, in pieces, so a restart answers before the store does.
 * `run` steps when the store says a zone's applied generation changed (store.ts `watch`), or
 * every `intervalMs`, whichever comes first (a zone not yet served is noticed by the latter;
 * the watch then follows it too).
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
import { buildZoneTable, setZoneAvailability, updateZoneTable, type NameChange, type ZoneContent } from '../../dns/zone/table-builder.js';
import type { ServedRRset, ZoneTable } from '../../dns/zone/zone-table.js';
import type { RecordSetChange, Store, StoreWatch } from '../../store/store.js';
import { decodeServedRRsets } from './record-set-codec.js';
import { zoneSerial, zoneSoa } from './soa-serial.js';
import { decodeZoneMeta, encodeZoneMeta, ZONE_META_NAME, type ZoneMeta } from './zone-meta.js';
import { readZoneSnapshot, writeZoneSnapshot, type SnapshotZoneInput } from './zone-snapshot-file.js';

export interface ZoneFollowerOptions {
  readonly store: Store;
  /** The built-in provider's id (its key in the store). */
  readonly provider: string;
  /** The zones served from the start (SERVFAIL until read); more are learned from the store (step 0). */
  readonly zones: readonly string[];
  /**
   * Zones another provider publishes (an RFC 2136 server answers them): never learned from the
   * built-in provider's rows, which may be left over from before the zone moved. Default none.
   */
  readonly excludedZones?: readonly string[];
  /** The snapshot file, e.g. `<data-dir>/dns-<id>.zones`; absent: none read or written (the simulator, which has no disk). */
  readonly snapshotFile?: string;
  readonly clock: Clock;
  /** The longest pause between two reads of the store in `run` when no change is heard (default 100 ms). */
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
  /** `names` is being written to the snapshot file: copy it before changing it. */
  isNamesLent?: boolean;
}

export class ZoneFollower {
  private readonly zones = new Map<string, FollowedZone>();
  private current: ZoneTable;
  private sink: TableSink | undefined;
  private version = 0n;
  private isSnapshotDirty = false;
  private lastSnapshotMs = -Infinity;
  /** The snapshot write in flight, if any. */
  private snapshotting: Promise<void> | undefined;

  private readonly excludedZones: ReadonlySet<string>;

  private constructor(private readonly options: ZoneFollowerOptions) {
    this.excludedZones = new Set(options.excludedZones ?? []);
    for (const zone of options.zones) this.addZone(zone);
    this.current = this.buildTable();
  }

  /**
   * A follower serving the snapshot file if it can be read (zones it lacks answer SERVFAIL
   * until the store answers). A missing file is a first start; a damaged one is reported in
   * `snapshotError` and ignored.
   */
  static async open(options: ZoneFollowerOptions): Promise<ZoneFollower> {
    const follower = new ZoneFollower(options);
    if (options.snapshotFile === undefined) return follower;
    const snapshot = await readZoneSnapshot(options.snapshotFile);
    if (snapshot.kind === 'read') {
      for (const saved of snapshot.zones) {
        // A zone learned before the restart (step 0) is served from the snapshot too.
        const zone = follower.zones.get(saved.zone) ?? follower.addZone(saved.zone);
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
    const listed = await this.learnZones();
    let table = this.current;
    for (const [zone, state] of this.zones) {
      // The store's list already says this zone is still at the generation served: no read.
      if (state.generation !== undefined && state.isAheadOfStore !== true && listed?.get(zone) === state.generation) continue;
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
        const change = await this.decodeChange(zone, state, read.changes, read.isFull);
        table = await this.buildInSlices(table, zone, change);
        if (state.isNamesLent === true) state.names = await copyPaced(state.names, new Pacer(this.options.clock));
        state.isNamesLent = false;
        for (const [name, value] of change.values) {
          if (value === null) state.names.delete(name);
          else state.names.set(name, value);
        }
        Object.assign(state, { generation: read.generation, meta: change.meta, isAheadOfStore: false });
        changed.set(zone, read.isFull ? state.names.size : read.changes.length);
      } catch (error) {
        if (!(error instanceof ResoluteError)) throw error;
        unavailable.set(zone, error);
      }
    }
    if (changed.size > 0) {
      this.current = table;
      this.isSnapshotDirty = true;
      this.sink?.setTable(table);
    }
    this.startSnapshot();
    return { kind: 'followed', changed, unavailable };
  }

  /** Follows until `signal` aborts: a step on every change of a zone's applied generation, and every `intervalMs`. */
  async run(signal: AbortSignal): Promise<void> {
    const watchZones = (): StoreWatch => this.options.store.watch([...this.zones.keys()].map((zone) => ({ kind: 'applied' as const, provider: this.options.provider, zone })));
    let watch = watchZones();
    let watched = this.zones.size;
    try {
      while (!signal.aborted) {
        await this.step();
        if (this.zones.size !== watched) {
          // A zone was learned: follow its changes too (the set only grows).
          watch.close();
          watch = watchZones();
          watched = this.zones.size;
        }
        await watch.next({ timeoutMs: this.options.intervalMs ?? 100, signal });
      }
    } finally {
      watch.close();
    }
  }

  /**
   * Step 0: zones the built-in provider holds in the store and this process does not serve yet
   * join the served set, with a table rebuilt at once (the new zone SERVFAIL until its first
   * read, in this same step). The store down: the known zones go on; the next step looks again.
   * Returns each listed zone's applied generation, so the step reads only zones that moved.
   */
  private async learnZones(): Promise<ReadonlyMap<string, bigint> | undefined> {
    const listed = await this.options.store.listApplied();
    if (listed.kind !== 'listed') return undefined;
    const generations = new Map<string, bigint>();
    let isLearned = false;
    for (const applied of listed.items) {
      if (applied.provider !== this.options.provider || applied.zone === null) continue;
      generations.set(applied.zone, applied.generation);
      if (!this.zones.has(applied.zone)) isLearned = this.addZone(applied.zone) !== undefined || isLearned;
    }
    if (isLearned) {
      this.current = this.buildTable();
      this.sink?.setTable(this.current);
    }
    return generations;
  }

  /** A zone to serve from now on, unless another provider publishes it (and it is not configured here too). */
  private addZone(zone: string): FollowedZone | undefined {
    if (this.excludedZones.has(zone) && !this.options.zones.includes(zone)) return undefined;
    const state: FollowedZone = { generation: undefined, names: new Map(), meta: undefined };
    this.zones.set(zone, state);
    return state;
  }

  /** Writes the snapshot if it changed since the last write (after the one in flight, if any). */
  async close(): Promise<void> {
    await this.snapshotting;
    if (this.isSnapshotDirty) await this.writeSnapshot();
  }

  /**
   * The names whose value changes (null: deleted), decoded for the table, and the zone's meta,
   * decoded before anything is touched (a damaged value leaves the zone as it was). A whole
   * zone (`isFull`) becomes the difference from what is served, so it is built like a delta:
   * in slices, never one long rebuild. Yields between slices: this thread answers queries.
   */
  private async decodeChange(zone: string, state: FollowedZone, changes: readonly RecordSetChange[], isFull: boolean): Promise<ZoneChange> {
    const pacer = new Pacer(this.options.clock);
    let meta = isFull ? undefined : state.meta;
    const values = new Map<string, Uint8Array | null>();
    for (let i = 0; i < changes.length; i++) {
      const { name, value } = changes[i];
      if (name === ZONE_META_NAME) {
        if (value !== null) meta = decodeZoneMeta(zone, value);
      } else if (!isFull || (value !== null && !isSameBytes(state.names.get(name), value))) {
        values.set(name, value);
      }
      await pacer.pace();
    }
    if (isFull) {
      const present = new Set(changes.map((c) => c.name));
      for (const name of state.names.keys()) if (!present.has(name)) values.set(name, null);
    }
    if (meta === undefined) throw corruptZone(zone, 'the zone has record sets but no zone meta (SOA fields)');
    const tableChanges = new Map<string, NameChange>();
    for (const [name, value] of values) {
      tableChanges.set(name, value === null ? null : byType(decodeServedRRsets(name, value)));
      await pacer.pace();
    }
    const isMetaChanged = meta !== state.meta;
    // The apex carries the NS from the meta: its answers change with the name servers too.
    if (isMetaChanged || values.has(zone)) tableChanges.set(zone, apexRRsets(zone, values.has(zone) ? values.get(zone) : state.names.get(zone), meta));
    return { values, tableChanges, meta, soa: isMetaChanged ? soaOf(zone, meta) : undefined };
  }

  /**
   * `table` with the change, built in slices that yield between them: the table being served
   * stays the old one until the caller swaps in the last slice's (each slice is O(its names)).
   */
  private async buildInSlices(table: ZoneTable, zone: string, change: ZoneChange): Promise<ZoneTable> {
    const pacer = new Pacer(this.options.clock);
    const slices = sliceChanges(change.tableChanges, CHANGE_SLICE_NAMES);
    for (let i = 0; i < slices.length; i++) {
      const isLast = i === slices.length - 1;
      table = updateZoneTable(table, zone, slices[i], { version: ++this.version, ...(change.soa === undefined || !isLast ? {} : { soa: change.soa }) });
      if (!isLast) await pacer.pace();
    }
    // A zone served SERVFAIL until its first read (or its meta) answers from now on.
    if (table.zone(zone)?.servfail !== undefined) {
      table = setZoneAvailability(table, zone, true);
      this.version = table.version;
    }
    return table;
  }

  private buildTable(): ZoneTable {
    const contents: ZoneContent[] = [];
    const unavailable: string[] = [];
    for (const [zone, state] of this.zones) {
      const rrsets = new Map<string, ReadonlyMap<number, ServedRRset>>();
      const soa = soaOf(zone, state.meta);
      if (state.meta === undefined) unavailable.push(zone);
      else for (const [name, value] of state.names) rrsets.set(name, byType(decodeServedRRsets(name, value)));
      // A whole zone carries its SOA at the apex, as a zone file does (updateZoneTable adds it itself).
      rrsets.set(zone, apexRRsets(zone, state.names.get(zone), state.meta).set(RRType.SOA, soa));
      contents.push({ origin: zone, soa, rrsets });
    }
    return buildZoneTable(contents, { version: ++this.version, unavailable });
  }

  /** Starts a snapshot write in the background when one is due; one at a time. */
  private startSnapshot(): void {
    if (this.snapshotting !== undefined || !this.isSnapshotDirty || this.options.snapshotFile === undefined) return;
    if (this.options.clock.monotonicMs() - this.lastSnapshotMs < (this.options.snapshotEveryMs ?? 5000)) return;
    this.snapshotting = this.writeSnapshot().finally(() => {
      this.snapshotting = undefined;
    });
  }

  /**
   * The snapshot of what is served now, written in pieces (zone-snapshot-file.ts) while steps go
   * on, so the answering thread is never held for the whole file. The names maps are lent to
   * the writer, not copied: a step that changes a lent map first takes a copy (`ownNames`).
   */
  private async writeSnapshot(): Promise<void> {
    const file = this.options.snapshotFile;
    if (file === undefined) return;
    const zones: SnapshotZoneInput[] = [];
    const lent: FollowedZone[] = [];
    for (const [zone, state] of this.zones) {
      if (state.generation === undefined || state.meta === undefined) continue;
      state.isNamesLent = true;
      lent.push(state);
      zones.push({ zone, generation: state.generation, names: withMeta(state.names, encodeZoneMeta(state.meta)) });
    }
    this.isSnapshotDirty = false;
    this.lastSnapshotMs = this.options.clock.monotonicMs();
    const outcome = await writeZoneSnapshot(file, zones).finally(() => {
      for (const state of lent) state.isNamesLent = false;
    });
    // A failed write keeps the table served from memory; the next change tries again.
    if (outcome.kind === 'failed') {
      this.isSnapshotDirty = true;
      this.snapshotError = outcome.cause;
    }
  }
}

/** One zone's change as a step applies it: to the served state (`values`) and to the table. */
interface ZoneChange {
  /** Owner name → its new encoded value, null when deleted (the meta apart). */
  readonly values: ReadonlyMap<string, Uint8Array | null>;
  readonly tableChanges: ReadonlyMap<string, NameChange>;
  readonly meta: ZoneMeta;
  /** The new SOA when the meta changed. */
  readonly soa: RRset | undefined;
}

function apexRRsets(zone: string, value: Uint8Array | null | undefined, meta: ZoneMeta | undefined): Map<number, ServedRRset> {
  const rrsets = value === undefined || value === null ? new Map<number, ServedRRset>() : byType(decodeServedRRsets(zone, value));
  const nameservers = meta?.soa.nameservers ?? [];
  if (!rrsets.has(RRType.NS) && nameservers.length > 0) {
    rrsets.set(RRType.NS, { name: zone, type: RRType.NS, class: RRClass.IN, ttlSeconds: 3600, rdatas: nameservers.map((ns) => nameToWire(ns)) });
  }
  return rrsets;
}

function soaOf(zone: string, meta: ZoneMeta | undefined): RRset {
  if (meta === undefined) return zoneSoa(zone, { nameservers: [], hostmaster: `hostmaster.${zone}`, negativeTtlSeconds: 5 }, 0);
  return zoneSoa(zone, meta.soa, zoneSerial(meta.serialBase, meta.changedGeneration));
}

/** The names of a zone and its meta under the reserved name, as the snapshot file holds them. */
function withMeta(names: ReadonlyMap<string, Uint8Array>, meta: Uint8Array): SnapshotZoneInput['names'] {
  return {
    size: names.size + 1,
    *[Symbol.iterator]() {
      yield [ZONE_META_NAME, meta] as const;
      yield* names;
    },
  };
}

async function copyPaced(names: ReadonlyMap<string, Uint8Array>, pacer: Pacer): Promise<Map<string, Uint8Array>> {
  const copy = new Map<string, Uint8Array>();
  for (const [name, value] of names) {
    copy.set(name, value);
    await pacer.pace();
  }
  return copy;
}

function isSameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && Buffer.compare(a, b) === 0;
}

function corruptZone(zone: string, reason: string): ResoluteError {
  return new ResoluteError('ERR_RECORD_SETS_CORRUPT', `the stored record sets of ${zone} cannot be served: ${reason}`, {
    where: zone,
    hint: 'the next apply of the newest plan rewrites them; run reconcile to repair now',
  });
}

function byType(rrsets: readonly ServedRRset[]): Map<number, ServedRRset> {
  return new Map(rrsets.map((r) => [r.type, r]));
}

/** Names per `updateZoneTable` call of a large change: well under a millisecond each. */
const CHANGE_SLICE_NAMES = 200;
/**
 * Work between two yields to the event loop. A turn of the loop reads a bounded number of
 * datagrams (libuv: 32 per socket wake-up), so the work between turns must be short for the
 * queries arriving meanwhile to be answered at the rate they come, not queued for seconds.
 */
const WORK_MS_BETWEEN_YIELDS = 4;

/** Yields one turn of the event loop once WORK_MS_BETWEEN_YIELDS of work ran since the last. */
class Pacer {
  private since: number;

  constructor(private readonly clock: Clock) {
    this.since = clock.monotonicMs();
  }

  async pace(): Promise<void> {
    if (this.clock.monotonicMs() - this.since < WORK_MS_BETWEEN_YIELDS) return;
    await this.clock.sleep(0);
    this.since = this.clock.monotonicMs();
  }
}

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
