import { unreachable } from '../base/assert.js';
import type { Clock } from '../base/clock.js';
import type { ResoluteError } from '../base/errors.js';
import type { Plan, PlanDraft } from '../plan/plan.js';
import { encodePlan } from '../plan/plan-codec.js';
import type { Store } from '../store/store.js';

export type Republished =
  | { readonly kind: 'published'; readonly generation: bigint }
  /** The newest moved since `plan` was read: someone published; the next step reads that one. */
  | { readonly kind: 'conflict' }
  | { readonly kind: 'unavailable'; readonly cause: ResoluteError };

/**
 * Publishes the newest plan's content again under a new, higher generation — the planner's
 * compare-and-set on the newest generation, with `plan` as parent, so it can never replace a
 * plan it has not seen. Two cases need it (DESIGN, the safety protocol):
 * - a provider holds a generation ABOVE the newest plan (a store restored from an old backup,
 *   a lost data dir): `minGeneration` makes the next generation jump above it, so the system
 *   converges instead of being refused forever;
 * - a provider at the newest generation serves something else (records edited by hand): a
 *   fenced write must go forward, so the repair gets a generation of its own.
 * Same records, so no velocity limit or safety rule is at stake; the planner's next plan is
 * computed against this one as against any other.
 */
export async function republishPlan(store: Store, clock: Clock, plan: Plan, minGeneration?: bigint): Promise<Republished> {
  const draft: PlanDraft = {
    parentGeneration: plan.generation,
    createdAtMs: clock.nowMs(),
    zones: plan.zones,
    endpoints: plan.endpoints,
    reasons: [],
    unsettledNames: plan.unsettledNames,
  };
  const outcome = await store.publishPlan({
    parentGeneration: plan.generation,
    createdAtMs: draft.createdAtMs,
    plan: encodePlan(draft),
    ...(minGeneration === undefined ? {} : { minGeneration }),
  });
  switch (outcome.kind) {
    case 'published':
      return outcome;
    case 'conflict':
      return { kind: 'conflict' };
    case 'unavailable':
      return outcome;
    default:
      return unreachable(outcome);
  }
}
