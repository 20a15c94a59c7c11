/**
 * The 2025 provider: its records REFER to a plan. Per zone it holds only the generation of the
 * plan it points at; what it serves is derived from that stored plan each time it is read. A
 * write is an unconditional overwrite of the pointer (no fence: whoever writes last wins, even
 * with an older plan), and a plan deleted from the store leaves the zone's managed names with
 * nothing to answer — the empty record set of October 2025 (DESIGN: "The problem it solves").
 *
 * Resolute's providers hold materialized records instead (providers/provider.ts), so cleanup of
 * plans cannot reach what they serve. This one exists for the simulator and the tests only.
 */
import type { ServedRRset, ZoneTable } from '../../dns/zone/zone-table.js';
import type { ResoluteError } from '../../base/errors.js';
import { decodePlan } from '../../plan/plan-codec.js';
import type { Plan } from '../../plan/plan.js';
import type { ZoneSoaFields } from '../../providers/provider.js';
import { zoneRecordsOf } from '../../providers/zone-records.js';
import type { Store } from '../../store/store.js';
import { servedTable, type ServedZone } from './served-table.js';

export interface NaiveProviderOptions {
  readonly id: string;
  /** Zone apexes, canonical (`demo.test.`). */
  readonly zones: readonly string[];
  /** Where the plans its records refer to are stored. */
  readonly store: Store;
}

/** What one zone serves now, derived from the plan it points at. */
export type NaiveZoneRead =
  /** Never written: nothing served yet. */
  | { readonly kind: 'unwritten'; readonly zone: string }
  | { readonly kind: 'served'; readonly zone: string; readonly generation: bigint; readonly names: ReadonlyMap<string, readonly ServedRRset[]>; readonly soa: ZoneSoaFields }
  /** The plan pointed at was deleted: the zone's managed names are EMPTY. */
  | { readonly kind: 'plan-deleted'; readonly zone: string; readonly generation: bigint; readonly soa: ZoneSoaFields }
  | { readonly kind: 'unavailable'; readonly zone: string; readonly cause: ResoluteError };

interface Pointer {
  readonly generation: bigint;
  /** The zone's own apex data (SOA fields): the provider's, kept from the last write. */
  readonly soa: ZoneSoaFields;
}

export class NaiveProvider {
  readonly id: string;
  readonly zones: readonly string[];
  private readonly store: Store;
  private readonly pointers = new Map<string, Pointer>();
  private lastTable: ZoneTable | undefined;

  constructor(options: NaiveProviderOptions) {
    this.id = options.id;
    this.zones = Object.freeze([...options.zones]);
    this.store = options.store;
  }

  /** The 2025 write: every zone of the plan now points at `plan.generation`, whatever it pointed at. */
  write(plan: Plan): readonly string[] {
    const written: string[] = [];
    for (const zone of this.zones) {
      const planZone = plan.zones.find((z) => z.apex === zone);
      if (planZone === undefined) continue;
      this.pointers.set(zone, { generation: plan.generation, soa: { nameservers: planZone.nameservers, hostmaster: planZone.hostmaster, negativeTtlSeconds: planZone.negativeTtlSeconds } });
      written.push(zone);
    }
    return written;
  }

  /** The generation `zone` points at; undefined before its first write. */
  pointedAt(zone: string): bigint | undefined {
    return this.pointers.get(zone)?.generation;
  }

  /** What `zone` serves now: the records of the stored plan it points at, or nothing. */
  async read(zone: string): Promise<NaiveZoneRead> {
    const pointer = this.pointers.get(zone);
    if (pointer === undefined) return { kind: 'unwritten', zone };
    const stored = await this.store.readPlan(pointer.generation);
    switch (stored.kind) {
      case 'unavailable':
        return { kind: 'unavailable', zone, cause: stored.cause };
      case 'none':
        return { kind: 'plan-deleted', zone, generation: pointer.generation, soa: pointer.soa };
      case 'found': {
        const records = zoneRecordsOf(decodePlan(stored.plan.plan, pointer.generation), zone);
        return { kind: 'served', zone, generation: pointer.generation, names: records?.names ?? new Map(), soa: pointer.soa };
      }
    }
  }

  /**
   * Every zone's answer table, SOA serial = the generation pointed at (as in 2025). Zones never
   * written are left out; with the store unavailable the last table is kept.
   */
  async table(): Promise<ZoneTable> {
    const zones: ServedZone[] = [];
    for (const zone of this.zones) {
      const read = await this.read(zone);
      if (read.kind === 'unavailable') return this.lastTable ?? servedTable([]);
      if (read.kind === 'unwritten') continue;
      zones.push({ apex: zone, soa: read.soa, serial: Number(read.generation), names: read.kind === 'served' ? read.names : new Map() });
    }
    this.lastTable = servedTable(zones);
    return this.lastTable;
  }
}
