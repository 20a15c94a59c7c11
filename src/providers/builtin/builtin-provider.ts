/**
 * The built-in provider: publishes zones into the Store, where the built-in DNS server's
 * processes read them (zone-follower.ts). Its fence is the zone's applied generation in the
 * store, written with the record sets in one transaction (fence.ts).
 *
 * Its zones for a plan (`zonesFor`): the configured ones and every zone of the plan that no
 * external provider of the process holds (`externalZones`), so a zone added to the config and
 * planned after a reload is published without restarting the enactors. Each such zone is
 * fenced like any other: its first write adopts it under "missing".
 *
 * apply(records, expected):
 *   1. expected is a generation: the zone as held at that generation (this object's last write,
 *      or one full read of the store); the store at another generation ⇒ fenced, re-read;
 *      expected is missing or unparsable: nothing is trusted, the write is the whole zone;
 *   2. changes: the names whose encoded RRsets differ, deletions for names gone, and the zone's
 *      meta (SOA fields, serial base, last changed generation) when anything changed;
 *   3. the fenced write (fence.ts). Unchanged zones still move their applied generation, so
 *      the enactor sees the provider at the newest plan, and keep their SOA serial.
 */
import { unreachable } from '../../base/assert.js';
import { ResoluteError } from '../../base/errors.js';
import type { ServedRRset } from '../../dns/zone/zone-table.js';
import type { Plan } from '../../plan/plan.js';
import type { RecordSetChange, Store } from '../../store/store.js';
import type { ApplyOutcome, Fence, FenceRead, Provider, ProviderUnavailable, ReadBack, ZoneRecords } from '../provider.js';
import { fencedWrite } from './fence.js';
import { decodeServedRRsets, encodeServedRRsets } from './record-set-codec.js';
import { decodeZoneMeta, encodeZoneMeta, isSameSoaFields, ZONE_META_NAME, type ZoneMeta } from './zone-meta.js';

export interface BuiltinProviderOptions {
  /** The provider id: the key of its applied generations in the store (`builtin` by default in config). */
  readonly id: string;
  /** The zones of the config at start: always acted on, even when an external provider also lists them. */
  readonly zones: readonly string[];
  /**
   * Zones an external (RFC 2136) provider of the same config publishes: never taken from a plan
   * (a zone listed both here and in `zones` stays published here too). Default none.
   */
  readonly externalZones?: readonly string[];
  readonly store: Store;
  /** Who writes (the enactor's id), kept with each applied generation. */
  readonly by: string;
  /**
   * Serial base of a zone adopted here (soa-serial.ts `serialBaseAbove`): above any serial its
   * secondaries hold from before. 0 when absent.
   */
  readonly serialBases?: ReadonlyMap<string, number>;
  /**
   * The highest generation the DNS processes serve for a zone (the CLI reads their
   * `dns-<id>.json` status files), or undefined. Above the store's applied generation (a store
   * restored from an old copy, a lost data dir), the provider is AHEAD of the store: readBack
   * says so, so reconcile makes the next generation jump above it, and writes are whole zones
   * (the store's deltas no longer lead from what is served, and the zone's serial must move).
   */
  readonly servedGeneration?: (zone: string) => bigint | undefined;
}

/** A zone as this provider last wrote or read it: encoded names at one generation. */
interface HeldZone {
  readonly generation: bigint;
  readonly names: ReadonlyMap<string, Uint8Array>;
  readonly meta: ZoneMeta | undefined;
}

export class BuiltinProvider implements Provider {
  readonly id: string;
  readonly zones: readonly string[];
  private readonly externalZones: ReadonlySet<string>;
  private readonly store: Store;
  private readonly by: string;
  private readonly serialBases: ReadonlyMap<string, number>;
  private readonly servedGeneration: (zone: string) => bigint | undefined;
  /** Per zone, what this object wrote last: the next apply diffs against it without a read (O(k) store traffic). */
  private readonly held = new Map<string, HeldZone>();

  constructor(options: BuiltinProviderOptions) {
    this.id = options.id;
    this.zones = Object.freeze([...options.zones]);
    this.externalZones = new Set(options.externalZones ?? []);
    this.store = options.store;
    this.by = options.by;
    this.serialBases = options.serialBases ?? new Map();
    this.servedGeneration = options.servedGeneration ?? (() => undefined);
  }

  zonesFor(plan: Plan): readonly string[] {
    const added = plan.zones.map((z) => z.apex).filter((zone) => !this.zones.includes(zone) && !this.externalZones.has(zone));
    return added.length === 0 ? this.zones : [...this.zones, ...added];
  }

  async readFence(zone: string): Promise<FenceRead> {
    const read = await this.store.readApplied({ provider: this.id, zone });
    switch (read.kind) {
      case 'found':
        return { kind: 'read', fence: { kind: 'generation', generation: read.applied.generation } };
      case 'none':
        return { kind: 'read', fence: { kind: 'missing' } };
      case 'corrupt':
        return { kind: 'read', fence: { kind: 'unparsable', raw: read.detail } };
      case 'unavailable':
        return read;
      default:
        return unreachable(read);
    }
  }

  async apply(records: ZoneRecords, expected: Fence): Promise<ApplyOutcome> {
    const zone = records.zone;
    if (!this.isMine(zone)) return this.notMine(zone);
    let held: HeldZone | undefined;
    if (expected.kind === 'generation') {
      const base = await this.heldAt(zone, expected.generation);
      if (base.kind === 'unavailable' || base.kind === 'fenced') return base;
      const served = this.servedGeneration(zone);
      // Served above the store: the whole zone, with a new meta (its serial moves above the served one).
      held = served !== undefined && served > expected.generation ? undefined : base.held;
    } else if (expected.kind === 'unparsable') {
      // The store compares "unreadable", not the bytes; the exact value is checked here first.
      const fence = await this.readFence(zone);
      if (fence.kind === 'unavailable') return fence;
      if (fence.fence.kind !== 'unparsable' || fence.fence.raw !== expected.raw) return { kind: 'fenced', current: fence.fence };
    }
    const { changes, names, meta } = this.changesFrom(held, records);
    const outcome = await fencedWrite(this.store, {
      provider: this.id,
      zone,
      expected,
      generation: records.generation,
      by: this.by,
      changes,
      isFull: held === undefined,
    });
    if (outcome.kind === 'applied') this.held.set(zone, { generation: records.generation, names, meta });
    else this.held.delete(zone);
    return outcome;
  }

  async readBack(zone: string): Promise<ReadBack> {
    const read = await this.readBackStore(zone);
    const served = this.servedGeneration(zone);
    if (read.kind !== 'read' || read.fence.kind !== 'generation' || served === undefined || served <= read.fence.generation) return read;
    // The DNS processes serve a generation the store does not hold: that is what clients see,
    // and its records are not these (no names: whatever the plan says differs).
    return { kind: 'read', fence: { kind: 'generation', generation: served }, names: new Map(), foreign: read.foreign };
  }

  private async readBackStore(zone: string): Promise<ReadBack> {
    if (!this.isMine(zone)) return this.notMine(zone);
    const read = await this.store.readRecordSets({ provider: this.id, zone });
    switch (read.kind) {
      case 'found': {
        const names = new Map<string, readonly ServedRRset[]>();
        try {
          for (const change of read.changes) {
            if (change.name === ZONE_META_NAME || change.value === null) continue;
            names.set(change.name, decodeServedRRsets(change.name, change.value));
          }
        } catch (error) {
          if (error instanceof ResoluteError) return { kind: 'unavailable', cause: error };
          throw error;
        }
        return { kind: 'read', fence: { kind: 'generation', generation: read.generation }, names, foreign: [] };
      }
      case 'none': {
        // No record sets: the marker is missing, or holds a generation with nothing written.
        const fence = await this.readFence(zone);
        if (fence.kind === 'unavailable') return fence;
        return { kind: 'read', fence: fence.fence, names: new Map(), foreign: [] };
      }
      case 'unavailable': {
        // An unreadable marker makes the record sets unreadable too: say which, so reconcile repairs it.
        const fence = await this.readFence(zone);
        if (fence.kind === 'read' && fence.fence.kind === 'unparsable') return { kind: 'read', fence: fence.fence, names: new Map(), foreign: [] };
        return read;
      }
      default:
        return unreachable(read);
    }
  }

  async close(): Promise<void> {
    // The store belongs to whoever opened it; this object only forgets what it held.
    this.held.clear();
  }

  /** The zone's names at `generation`: from memory when this object wrote it, else one full read. */
  private async heldAt(
    zone: string,
    generation: bigint,
  ): Promise<{ kind: 'held'; held: HeldZone | undefined } | { kind: 'fenced'; current: Fence } | ProviderUnavailable> {
    const mine = this.held.get(zone);
    if (mine !== undefined && mine.generation === generation) return { kind: 'held', held: mine };
    const read = await this.store.readRecordSets({ provider: this.id, zone });
    switch (read.kind) {
      case 'found': {
        if (read.generation !== generation) return { kind: 'fenced', current: { kind: 'generation', generation: read.generation } };
        const names = new Map<string, Uint8Array>();
        let meta: ZoneMeta | undefined;
        for (const change of read.changes) {
          if (change.value === null) continue;
          if (change.name !== ZONE_META_NAME) names.set(change.name, change.value);
          else {
            // An undecodable meta is rewritten by this write (held without it ⇒ a new one).
            try {
              meta = decodeZoneMeta(zone, change.value);
            } catch {
              meta = undefined;
            }
          }
        }
        return { kind: 'held', held: { generation, names, meta } };
      }
      case 'none':
        // The marker holds a generation but no record sets were ever written with it: a full write.
        return { kind: 'held', held: undefined };
      case 'unavailable':
        return read;
      default:
        return unreachable(read);
    }
  }

  private changesFrom(held: HeldZone | undefined, records: ZoneRecords): { changes: RecordSetChange[]; names: Map<string, Uint8Array>; meta: ZoneMeta } {
    const names = new Map<string, Uint8Array>();
    const changes: RecordSetChange[] = [];
    for (const [name, rrsets] of records.names) {
      // A name with no RRsets is not published at all (never an empty RRset in the store).
      if (rrsets.length === 0) continue;
      const value = encodeServedRRsets(rrsets);
      names.set(name, value);
      const before = held?.names.get(name);
      if (before === undefined || Buffer.compare(before, value) !== 0) changes.push({ name, value });
    }
    if (held !== undefined) for (const name of held.names.keys()) if (!names.has(name)) changes.push({ name, value: null });
    const previous = held?.meta;
    const isChanged = held === undefined || changes.length > 0 || previous === undefined || !isSameSoaFields(previous.soa, records.soa);
    const meta: ZoneMeta = isChanged
      ? {
          soa: records.soa,
          serialBase: previous?.serialBase ?? this.serialBases.get(records.zone) ?? 0,
          changedGeneration: records.generation,
        }
      : previous;
    if (isChanged) changes.push({ name: ZONE_META_NAME, value: encodeZoneMeta(meta) });
    return { changes, names, meta };
  }

  /** A zone it may write: configured here, or held by no external provider (`zonesFor`). */
  private isMine(zone: string): boolean {
    return this.zones.includes(zone) || !this.externalZones.has(zone);
  }

  private notMine(zone: string): ProviderUnavailable {
    return {
      kind: 'unavailable',
      cause: new ResoluteError('ERR_ZONE_INVALID', `the built-in provider ${this.id} does not publish zone ${zone}: an external provider holds it`, {
        hint: `list ${zone} under the built-in provider in the config's providers: (a restart applies it)`,
      }),
    };
  }
}
