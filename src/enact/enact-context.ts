import type { Clock } from '../base/clock.js';
import type { Random } from '../base/random.js';
import type { Plan } from '../plan/plan.js';
import type { Provider, ZoneRecords } from '../providers/provider.js';
import type { EncodedPlan, Store } from '../store/store.js';

/** plan/plan-codec.ts's decodePlan, passed in (a test passes one that refuses, the simulator a counting one). */
export type DecodePlan = (encoded: EncodedPlan, generation: bigint, options: { readonly previous?: Plan }) => Plan;

/**
 * providers/zone-records.ts's function, passed in: enact imports provider contracts, never
 * implementations. Undefined: the plan has no such zone.
 */
export type ZoneRecordsOf = (plan: Plan, zone: string) => ZoneRecords | undefined;

/** One zone of one provider: the unit a fence guards. */
export interface ZoneKey {
  readonly provider: string;
  readonly zone: string;
}

/**
 * What every enact role receives in its constructor (CONVENTIONS rule 4): no ambient time,
 * randomness or I/O, so the simulator runs enactors, cleanup and reconcile on virtual time.
 */
export interface EnactContext {
  readonly clock: Clock;
  readonly random: Random;
  readonly store: Store;
  readonly providers: readonly Provider[];
  readonly decodePlan: DecodePlan;
  readonly zoneRecordsOf: ZoneRecordsOf;
  /** This process's id (`enactor-a`): heartbeats, audit entries and applied rows carry it. */
  readonly id: string;
  /**
   * TEST-ONLY, a bug planted for the simulator to find (`resolute sim --plant
   * enactor-fence-from-store`): the fence is taken from the store's applied row instead of being
   * read from the provider. Unset in production (cli never sets it).
   */
  readonly testOnlyFenceFromStore?: boolean;
}

export function zoneLabel(key: ZoneKey): string {
  return `${key.provider} ${key.zone}`;
}
