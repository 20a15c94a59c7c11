/**
 * Cleanup: deletes stored plans older than the oldest generation applied at any provider's
 * zone, always keeping the newest `keepLast` (for rollback). It reads and deletes plans in the
 * store and nothing else: what a provider serves is materialized records, never a reference to
 * a plan (DESIGN invariant 4, "cleanup is harmless") — the 2025 cleanup deleted what the stale
 * plan had published; this one cannot reach a provider at all.
 *
 * One step:
 * 1. the newest plan, for the zones each provider acts on (`zonesFor`: a zone added by a
 *    reload counts as soon as it is planned, the same zones the enactors write); the store
 *    down, or a plan this release cannot read → keep everything;
 * 2. the applied generation of each of those zones (a zone never applied does not hold
 *    cleanup back: it needs the newest plan, which is never deleted); an unreadable row →
 *    keep everything until reconcile or the enactor repairs it;
 * 3. the stored plans, oldest first; the floor is the lower of the oldest applied generation
 *    and the `keepLast`-th newest plan;
 * 4. delete plans below the floor (the store never deletes the newest); audit what went.
 */
import type { Clock } from '../base/clock.js';
import type { ResoluteError } from '../base/errors.js';
import { assert, unreachable } from '../base/assert.js';
import type { Plan } from '../plan/plan.js';
import type { Provider } from '../providers/provider.js';
import type { Store } from '../store/store.js';
import type { DecodePlan } from './enact-context.js';
import { NewestPlanReader } from './newest-plan.js';

export interface CleanupOptions {
  readonly clock: Clock;
  readonly store: Store;
  readonly providers: readonly Provider[];
  /** plan/plan-codec.ts's decodePlan: the newest plan says which zones each provider acts on. */
  readonly decodePlan: DecodePlan;
  readonly id: string;
  /** Plans always kept, newest first, for rollback (`resolute rollback --to G`). Default 20, at least 1. */
  readonly keepLast?: number;
  /** Pause between steps of `run`. Default 60,000. */
  readonly intervalMs?: number;
  /**
   * TEST-ONLY, a bug planted for the simulator to find (`resolute sim --plant
   * cleanup-ignores-provider`): this provider's applied generations are ignored. Unset in
   * production (cli never sets it).
   */
  readonly testOnlyIgnoredProvider?: string;
}

export type CleanupStep =
  | { readonly kind: 'store-unavailable'; readonly cause: ResoluteError }
  /** Nothing deleted, and why. */
  | { readonly kind: 'kept'; readonly reason: string }
  | { readonly kind: 'deleted'; readonly below: bigint; readonly generations: readonly bigint[] };

export const DEFAULT_KEEP_LAST = 20;

export class Cleanup {
  private readonly keepLast: number;
  private readonly reader: NewestPlanReader;

  constructor(private readonly options: CleanupOptions) {
    this.keepLast = options.keepLast ?? DEFAULT_KEEP_LAST;
    this.reader = new NewestPlanReader(options.store, options.decodePlan);
    assert(Number.isInteger(this.keepLast) && this.keepLast >= 1, 'cleanup keeps at least the newest plan');
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.step();
      await this.options.clock.sleep(this.options.intervalMs ?? 60_000, signal).catch(() => undefined);
    }
  }

  async step(): Promise<CleanupStep> {
    const { store } = this.options;
    const newest = await this.reader.read();
    switch (newest.kind) {
      case 'plan':
        break;
      case 'unavailable':
        return { kind: 'store-unavailable', cause: newest.cause };
      case 'none':
        return { kind: 'kept', reason: 'no plan published yet' };
      case 'refused':
        return { kind: 'kept', reason: `the newest plan ${newest.generation} cannot be read by this release, so its zones are unknown: kept` };
      default:
        return unreachable(newest);
    }
    const oldest = await this.oldestApplied(newest.plan);
    if (typeof oldest === 'object' && oldest !== null) return oldest;
    const listed = await store.listPlans();
    if (listed.kind === 'unavailable') return { kind: 'store-unavailable', cause: listed.cause };
    const plans = listed.items;
    if (plans.length <= this.keepLast) return { kind: 'kept', reason: `${plans.length} plans stored, ${this.keepLast} kept` };
    const keepFrom = plans[plans.length - this.keepLast].generation;
    const below = oldest === undefined || keepFrom < oldest ? keepFrom : oldest;
    if (below <= plans[0].generation) return { kind: 'kept', reason: `no plan below ${below}` };
    const deleted = await store.deletePlans({ below });
    if (deleted.kind === 'unavailable') return { kind: 'store-unavailable', cause: deleted.cause };
    if (deleted.generations.length > 0) {
      const list = deleted.generations.length > 5 ? `${deleted.generations[0]}…${deleted.generations.at(-1)}` : deleted.generations.join(', ');
      await store.appendAudit({ actor: this.options.id, action: 'cleanup', detail: `deleted ${deleted.generations.length} plans below ${below}: ${list}` });
    }
    return { kind: 'deleted', below, generations: deleted.generations };
  }

  /** The oldest applied generation of a zone the providers act on for `plan`; undefined when none was applied yet; a step outcome to stop. */
  private async oldestApplied(plan: Plan): Promise<bigint | undefined | CleanupStep> {
    const { store, providers } = this.options;
    const listed = await store.listApplied();
    if (listed.kind === 'unavailable') return { kind: 'store-unavailable', cause: listed.cause };
    let oldest: bigint | undefined;
    for (const provider of providers) {
      if (provider.id === this.options.testOnlyIgnoredProvider) continue;
      for (const zone of provider.zonesFor(plan)) {
        const rows = listed.items.filter((a) => a.provider === provider.id);
        let generation = (rows.find((a) => a.zone === zone) ?? rows.find((a) => a.zone === null))?.generation;
        if (generation === undefined) {
          // listApplied leaves unreadable rows out: tell "never applied" from "unreadable".
          const read = await store.readApplied({ provider: provider.id, zone });
          if (read.kind === 'unavailable') return { kind: 'store-unavailable', cause: read.cause };
          if (read.kind === 'corrupt') return { kind: 'kept', reason: `the applied generation of ${provider.id} ${zone} is unreadable (${read.detail}); kept until it is repaired` };
          if (read.kind === 'found') generation = read.applied.generation;
        }
        if (generation !== undefined && (oldest === undefined || generation < oldest)) oldest = generation;
      }
    }
    return oldest;
  }
}
