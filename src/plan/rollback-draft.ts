import type { Config } from '../config/config.js';
import { isUnsettled, type Plan, type PlanDraft, type PlanEndpoint, type PlanReason, type PlanRecord, type PlanZone } from './plan.js';
import { servedCapacity, velocityFloor } from './safety.js';

export interface RollbackInput {
  /** The stored plan rolled back to (generation G). */
  readonly target: Plan;
  /** The newest stored plan: the compare-and-set parent. */
  readonly newest: Plan;
  /** Stored plans in the velocity window, oldest first. */
  readonly window: readonly Plan[];
  readonly config: Config;
  readonly nowMs: number;
}

export type RollbackDraft =
  | { readonly kind: 'draft'; readonly draft: PlanDraft }
  /** Nothing would change: G's content is what the newest plan already publishes. */
  | { readonly kind: 'same' }
  /** The rollback would publish a configured name with no record (never empty). */
  | { readonly kind: 'empty'; readonly names: readonly string[] };

const NO_HEALTH = new Map();

/**
 * A rollback (DESIGN: "a new plan with old content and a new, higher generation; it passes the
 * same safety rules as any plan"), pure:
 *
 * | name | content |
 * |---|---|
 * | in G | G's record set |
 * | not in G, in the newest plan (configured since G) | the newest plan's: kept, not dropped |
 *
 * Zones follow the same rule by apex. Then the safety rules of a plan:
 *   1. never empty: a configured name with targets and no record refuses the whole rollback;
 *   2. velocity limit: records of the newest plan that the rollback would drop are held while
 *      dropping them would take the name below its floor over the window (safety.ts), as the
 *      planner holds them; health is not known here, so no removal is "confirmed down".
 * No recovery ramp: the rollback restores capacity G served, and the planner — frozen after a
 * rollback — would never move a ramp on; after `resolute resume` it plans from here as usual.
 */
export function rollbackDraft(input: RollbackInput): RollbackDraft {
  const { target, newest, config, nowMs } = input;
  const set: PlanEndpoint[] = [];
  const reasons: PlanReason[] = [];
  for (const old of target.endpoints.values()) {
    const current = newest.endpoints.get(old.name);
    const next = holdForVelocity(old, current, input);
    if (current === next) continue;
    set.push(next);
    reasons.push({ name: old.name, rule: 'config', detail: `rollback to generation ${target.generation}${next === old ? '' : ' (velocity limit holds some records)'}` });
  }
  // Names the newest plan has and G has not stay as they are: nothing is removed from its table.
  const endpoints = newest.endpoints.with(set, []);
  const empty = config.endpoints.filter((e) => e.targets.length > 0 && (endpoints.get(e.name)?.records.length ?? 1) === 0).map((e) => e.name);
  if (empty.length > 0) return { kind: 'empty', names: empty };
  const zones = rollbackZones(target.zones, newest.zones);
  if (endpoints === newest.endpoints && zones === newest.zones) return { kind: 'same' };
  const unsettled = new Set<string>();
  for (const endpoint of endpoints.values()) if (isUnsettled(endpoint)) unsettled.add(endpoint.name);
  return {
    kind: 'draft',
    draft: Object.freeze({
      parentGeneration: newest.generation,
      createdAtMs: nowMs,
      zones,
      endpoints,
      reasons: Object.freeze(reasons),
      unsettledNames: Object.freeze([...unsettled].sort()),
    }),
  };
}

/** G's record set, plus the newest plan's records it drops while the velocity floor needs them. */
function holdForVelocity(old: PlanEndpoint, current: PlanEndpoint | undefined, input: RollbackInput): PlanEndpoint {
  if (current === undefined) return old;
  const present = new Set(old.records.map((r) => r.target));
  const dropped = current.records.filter((r) => !present.has(r.target) && r.role !== 'fail-open' && r.role !== 'draining');
  if (dropped.length === 0) return old;
  const { floor } = velocityFloor(old.name, current, input.window, NO_HEALTH, input.config.planner);
  let capacity = servedCapacity(old, NO_HEALTH);
  const held: PlanRecord[] = [];
  for (const record of [...dropped].sort((a, b) => b.weight - a.weight)) {
    if (capacity >= floor - 1e-9) break;
    held.push(Object.freeze({ ...record, role: 'held', sinceMs: record.role === 'held' ? record.sinceMs : input.nowMs }));
    capacity += record.weight;
  }
  if (held.length === 0) return old;
  const records = [...old.records, ...held].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return Object.freeze({ ...old, records: Object.freeze(records) });
}

function rollbackZones(old: readonly PlanZone[], newest: readonly PlanZone[]): readonly PlanZone[] {
  const apexes = new Set(old.map((z) => z.apex));
  const zones = [...old, ...newest.filter((z) => !apexes.has(z.apex))];
  if (JSON.stringify(zones) === JSON.stringify(newest)) return newest;
  return Object.freeze(zones);
}
