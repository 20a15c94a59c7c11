/**
 * The planner role's loop (the Planner itself is pure, plan/planner.ts).
 *
 * step():
 *   1. read the freeze flag: frozen (rollback, `resolute freeze`) or unreadable → write nothing;
 *   2. plan against the newest stored plan (its parent); nothing changed → nothing written;
 *   3. publish with the store's compare-and-set on the newest generation, naming the parent;
 *      a conflict (another planner, a rollback, an enactor's jump) → recompute against the new
 *      newest, at most CONFLICTS_MAX times a step;
 *   4. heartbeat `<id>:planner` with the outcome.
 * Operators' drains (`resolute drain`, in the store) are applied to the config before planning
 * (plan/drain-targets.ts), so a drained target leaves through the velocity limit.
 * Health changes re-plan only the names they touch (Planner's incremental mode); after any
 * step that did not end in `published` or `unchanged`, the next one is a full plan.
 */
import { unreachable } from '../base/assert.js';
import type { Clock } from '../base/clock.js';
import { ResoluteError } from '../base/errors.js';
import { channels } from '../base/events.js';
import type { Config } from '../config/config.js';
import type { HealthView } from '../health/quorum-health.js';
import { drainTargets } from '../plan/drain-targets.js';
import { encodePlan } from '../plan/plan-codec.js';
import type { Planner } from '../plan/planner.js';
import type { Store } from '../store/store.js';

const CONFLICTS_MAX = 3;

export interface PlannerLoopOptions {
  readonly clock: Clock;
  readonly store: Store;
  readonly planner: Planner;
  readonly id: string;
  /** The config in force (a reload swaps it). */
  readonly config: () => Config;
  readonly health: (config: Config) => Promise<HealthView>;
  /** Target keys whose health changed since the last call (drained by the call); undefined: unknown, plan in full. */
  readonly takeChangedTargets?: () => ReadonlySet<string> | undefined;
  readonly intervalMs: number;
}

export type PlannerStep =
  | { readonly kind: 'frozen'; readonly by: string; readonly reason: string }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'published'; readonly generation: bigint; readonly parentGeneration: bigint | null; readonly changedNames: number }
  | { readonly kind: 'conflicts'; readonly count: number }
  | { readonly kind: 'store-unavailable'; readonly cause: ResoluteError };

export class PlannerLoop {
  private needsFullPlan = true;

  constructor(private readonly options: PlannerLoopOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.step();
      await this.options.clock.sleep(this.options.intervalMs, signal).catch(() => undefined);
    }
  }

  async step(): Promise<PlannerStep> {
    let outcome: PlannerStep;
    try {
      outcome = await this.plan();
    } catch (error) {
      if (!(error instanceof ResoluteError) || error.code !== 'ERR_STORE_UNAVAILABLE') throw error;
      outcome = { kind: 'store-unavailable', cause: error };
    }
    this.needsFullPlan = outcome.kind !== 'published' && outcome.kind !== 'unchanged';
    await this.options.store.recordHeartbeat({ id: `${this.options.id}:planner`, role: 'planner', ...heartbeatOf(outcome) });
    return outcome;
  }

  private async plan(): Promise<PlannerStep> {
    const { store, planner } = this.options;
    const changed = this.options.takeChangedTargets?.();
    const freeze = await store.readFreeze();
    if (freeze.kind === 'unavailable') return { kind: 'store-unavailable', cause: freeze.cause };
    if (freeze.freeze.isFrozen) return { kind: 'frozen', by: freeze.freeze.by, reason: freeze.freeze.reason };
    const drains = await store.listDrains();
    if (drains.kind === 'unavailable') return { kind: 'store-unavailable', cause: drains.cause };
    const drained = new Set(drains.items.filter((d) => d.isDrained).map((d) => d.target));
    for (let attempt = 0; attempt < CONFLICTS_MAX; attempt++) {
      const config = drained.size === 0 ? this.options.config() : drainTargets(this.options.config(), drained).config;
      const health = await this.options.health(config);
      const isIncremental = attempt === 0 && !this.needsFullPlan && changed !== undefined;
      const draft = await planner.plan(config, health, isIncremental ? { changedTargets: changed } : {});
      if (draft === undefined) return { kind: 'unchanged' };
      const published = await store.publishPlan({ parentGeneration: draft.parentGeneration, createdAtMs: draft.createdAtMs, plan: encodePlan(draft) });
      switch (published.kind) {
        case 'published': {
          const changedNames = new Set(draft.reasons.map((r) => r.name)).size;
          if (channels.planPublished.hasSubscribers) {
            channels.planPublished.publish({ generation: published.generation, parentGeneration: draft.parentGeneration, by: 'planner', changedNames, reason: draft.reasons[0]?.detail ?? '' });
          }
          return { kind: 'published', generation: published.generation, parentGeneration: draft.parentGeneration, changedNames };
        }
        case 'conflict':
          continue; // the newest moved: recompute against it
        case 'unavailable':
          return { kind: 'store-unavailable', cause: published.cause };
        default:
          unreachable(published);
      }
    }
    return { kind: 'conflicts', count: CONFLICTS_MAX };
  }
}

function heartbeatOf(step: PlannerStep): { outcome: string; detail?: string; generation?: bigint } {
  switch (step.kind) {
    case 'frozen':
      return { outcome: 'frozen', detail: `by ${step.by}: ${step.reason}` };
    case 'unchanged':
      return { outcome: 'unchanged' };
    case 'published':
      return { outcome: 'published', generation: step.generation, detail: `${step.changedNames} name(s) changed` };
    case 'conflicts':
      return { outcome: 'conflicts', detail: `${step.count} compare-and-set conflicts in a row` };
    case 'store-unavailable':
      return { outcome: 'unavailable', detail: step.cause.message };
    default:
      return unreachable(step);
  }
}
