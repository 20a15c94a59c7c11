import { unreachable } from '../base/assert.js';
import { ResoluteError } from '../base/errors.js';
import type { Plan } from '../plan/plan.js';
import type { PlanHeader, Store } from '../store/store.js';
import type { DecodePlan } from './enact-context.js';

export type NewestPlan =
  | { readonly kind: 'plan'; readonly plan: Plan; readonly header: PlanHeader }
  /** No plan was ever published: nothing to enact yet. */
  | { readonly kind: 'none' }
  /** The store is down, or the plan could not be read whole: do nothing this step, never "no names". */
  | { readonly kind: 'unavailable'; readonly cause: ResoluteError }
  /** A plan this release must not apply (a newer major schema during a rolling upgrade). */
  | { readonly kind: 'refused'; readonly generation: bigint; readonly cause: ResoluteError };

/** What a step of the enactor or of reconcile reports when there is no plan to act on. */
export type NoPlanStep =
  | { readonly kind: 'store-unavailable'; readonly cause: ResoluteError }
  | { readonly kind: 'no-plan' }
  | { readonly kind: 'refused'; readonly generation: bigint; readonly cause: ResoluteError };

/** The step outcome for a read that found no plan to act on. */
export function noPlanStep(newest: Exclude<NewestPlan, { readonly kind: 'plan' }>): NoPlanStep {
  switch (newest.kind) {
    case 'unavailable':
      return { kind: 'store-unavailable', cause: newest.cause };
    case 'none':
      return { kind: 'no-plan' };
    case 'refused':
      return { kind: 'refused', generation: newest.generation, cause: newest.cause };
    default:
      return unreachable(newest);
  }
}

/**
 * The newest stored plan, decoded once per generation: the header is one small key, so a
 * step that finds the same generation costs one read. Cached by generation AND digest,
 * because a store restored from an old backup can hand out a generation again with other
 * content.
 */
export class NewestPlanReader {
  private cached: { readonly plan: Plan; readonly header: PlanHeader } | undefined;
  /** A plan refused once is refused again without reading its megabytes each step. */
  private refused: { readonly digest: string; readonly generation: bigint; readonly cause: ResoluteError } | undefined;

  constructor(
    private readonly store: Store,
    private readonly decodePlan: DecodePlan,
  ) {}

  async read(): Promise<NewestPlan> {
    const head = await this.store.readNewestHeader();
    if (head.kind !== 'found') return head;
    const { header } = head;
    if (this.cached !== undefined && this.cached.header.generation === header.generation && this.cached.header.digest === header.digest) {
      return { kind: 'plan', ...this.cached };
    }
    if (this.refused !== undefined && this.refused.generation === header.generation && this.refused.digest === header.digest) {
      return { kind: 'refused', generation: header.generation, cause: this.refused.cause };
    }
    const read = await this.store.readPlan(header.generation);
    if (read.kind === 'unavailable') return read;
    if (read.kind === 'none') {
      // The newest is never deleted; gone between two reads means the store changed under us
      // (a restore): say so and read again next step, never act on a guess.
      return { kind: 'unavailable', cause: new ResoluteError('ERR_STORE_UNAVAILABLE', `the newest plan ${header.generation} vanished between two reads`, { where: 'plans/head', hint: 'read again' }) };
    }
    try {
      const previous = this.cached?.plan;
      const plan = this.decodePlan(read.plan.plan, header.generation, previous === undefined ? {} : { previous });
      this.cached = { plan, header: read.plan.header };
      return { kind: 'plan', plan, header: read.plan.header };
    } catch (error) {
      if (!(error instanceof ResoluteError)) throw error;
      // A digest mismatch is a plan not read whole: the store is unavailable, not the names gone.
      if (error.code === 'ERR_PLAN_DIGEST') return { kind: 'unavailable', cause: error };
      if (error.code === 'ERR_PLAN_SCHEMA') {
        this.refused = { digest: header.digest, generation: header.generation, cause: error };
        return { kind: 'refused', generation: header.generation, cause: error };
      }
      throw error;
    }
  }

  /** The newest generation only (after a refused write: is my plan still the newest?). */
  async newestHeader(): Promise<PlanHeader | 'none' | 'unavailable'> {
    const head = await this.store.readNewestHeader();
    return head.kind === 'found' ? head.header : head.kind;
  }
}
