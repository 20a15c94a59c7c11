/**
 * The 2025 cleanup, run by an enactor after it applied a plan: deletes the stored plans "much
 * older" than the one it just applied — more than `keepGenerations` generations below it (never
 * the newest, the store refuses that) — without asking whether any provider still refers to
 * them. Since the naive provider's records refer to plans, deleting a plan also removes what it
 * published: a zone pointing at a deleted plan serves nothing (DESIGN: "The problem it solves").
 *
 * Resolute's cleanup (enact/cleanup.ts) deletes only below the oldest generation applied
 * anywhere, and could not empty a name even if it did not: providers hold materialized records.
 */
import { assert } from '../../base/assert.js';
import type { ResoluteError } from '../../base/errors.js';
import type { Store } from '../../store/store.js';
import type { NaiveEnactor } from './naive-enactor.js';
import type { NaiveProvider } from './naive-provider.js';

export interface NaiveCleanupOptions {
  readonly store: Store;
  /** The enactor this cleanup belongs to: its last applied plan is the reference for "old". */
  readonly enactor: NaiveEnactor;
  /** Providers whose zones are reported emptied when the plan they point at goes. */
  readonly providers: readonly NaiveProvider[];
  /** Plans this many generations below the last applied one, and newer, are kept. */
  readonly keepGenerations: number;
}

/** A zone whose plan was deleted under it: its managed names now answer nothing. */
export interface EmptiedZone {
  readonly provider: string;
  readonly zone: string;
  readonly generation: bigint;
}

export type NaiveCleanupStep =
  | { readonly kind: 'store-unavailable'; readonly cause: ResoluteError }
  /** The enactor applied nothing yet, or no plan is old enough. */
  | { readonly kind: 'kept'; readonly reason: string }
  | { readonly kind: 'deleted'; readonly below: bigint; readonly generations: readonly bigint[]; readonly emptied: readonly EmptiedZone[] };

export class NaiveCleanup {
  constructor(private readonly options: NaiveCleanupOptions) {
    assert(Number.isInteger(options.keepGenerations) && options.keepGenerations >= 0, `keepGenerations is an integer >= 0, got ${options.keepGenerations}`);
  }

  async step(): Promise<NaiveCleanupStep> {
    const applied = this.options.enactor.lastApplied;
    if (applied === undefined) return { kind: 'kept', reason: `${this.options.enactor.id} applied no plan yet` };
    const below = applied - BigInt(this.options.keepGenerations);
    const deleted = await this.options.store.deletePlans({ below });
    if (deleted.kind === 'unavailable') return { kind: 'store-unavailable', cause: deleted.cause };
    if (deleted.generations.length === 0) return { kind: 'kept', reason: `no plan below ${below}` };
    const gone = new Set(deleted.generations);
    const emptied: EmptiedZone[] = [];
    for (const provider of this.options.providers) {
      for (const zone of provider.zones) {
        const generation = provider.pointedAt(zone);
        if (generation !== undefined && gone.has(generation)) emptied.push({ provider: provider.id, zone, generation });
      }
    }
    return { kind: 'deleted', below, generations: deleted.generations, emptied };
  }
}
