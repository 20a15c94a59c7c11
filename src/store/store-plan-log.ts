import type { Plan } from '../plan/plan.js';
import type { PlanLog } from '../plan/plan-log.js';
import type { EncodedPlan, Store, StoredPlan } from './store.js';

/** plan/plan-codec.ts's decodePlan, passed in: the store never decodes plans itself. */
export type DecodePlan = (encoded: EncodedPlan, generation: bigint, options: { readonly previous?: Plan }) => Plan;

/**
 * The planner's PlanLog over a Store. Plans are immutable, so decoded plans are kept by
 * generation (a few in the velocity window), and each is decoded against its nearest decoded neighbour,
 * so they share unchanged endpoints and diffs stay O(change). An unavailable store is thrown
 * as ERR_STORE_UNAVAILABLE: the planner's step fails and is retried, it never plans as if the
 * store were empty.
 */
export class StorePlanLog implements PlanLog {
  private readonly decoded = new Map<bigint, Plan>();

  constructor(
    private readonly store: Store,
    private readonly decode: DecodePlan,
  ) {}

  async newest(): Promise<Plan | undefined> {
    const header = await this.store.readNewestHeader();
    if (header.kind === 'unavailable') throw header.cause;
    if (header.kind === 'none') return undefined;
    const cached = this.decoded.get(header.header.generation);
    if (cached !== undefined) return cached;
    const read = await this.store.readPlan(header.header.generation);
    if (read.kind === 'unavailable') throw read.cause;
    // Deleted between the two reads cannot happen to the newest; a newer one arrived: read that.
    if (read.kind === 'none') return this.newest();
    return this.remember(read.plan);
  }

  async since(sinceMs: number): Promise<readonly Plan[]> {
    const listed = await this.store.listPlans();
    if (listed.kind === 'unavailable') throw listed.cause;
    const plans: Plan[] = [];
    for (const header of listed.items) {
      if (header.createdAtMs < sinceMs) continue;
      let plan = this.decoded.get(header.generation);
      if (plan === undefined) {
        const read = await this.store.readPlan(header.generation);
        if (read.kind === 'unavailable') throw read.cause;
        if (read.kind === 'none') continue; // cleaned up meanwhile: outside any window that matters
        plan = this.remember(read.plan);
      }
      plans.push(plan);
    }
    // Only what the window can still need stays cached.
    const kept = new Set(listed.items.filter((h) => h.createdAtMs >= sinceMs).map((h) => h.generation));
    const newest = listed.items.at(-1)?.generation;
    for (const generation of this.decoded.keys()) if (!kept.has(generation) && generation !== newest) this.decoded.delete(generation);
    return plans;
  }

  private remember(stored: StoredPlan): Plan {
    const generation = stored.header.generation;
    // The nearest plan already decoded, older or newer: neighbours share the most endpoints.
    let previous: Plan | undefined;
    const distance = (g: bigint): bigint => (g > generation ? g - generation : generation - g);
    for (const [g, plan] of this.decoded) if (previous === undefined || distance(g) < distance(previous.generation)) previous = plan;
    const plan = this.decode(stored.plan, generation, previous === undefined ? {} : { previous });
    this.decoded.set(generation, plan);
    return plan;
  }
}

