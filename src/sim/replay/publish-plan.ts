/**
 * The planner of the replay: publishes plan number `n` of the scenario — the endpoint served by
 * `addressesOf(n)` — computed against the newest stored plan, through the real plan codec and
 * the store's compare-and-set, as the planner does (plan/planner.ts writes the same shape).
 */
import { assert } from '../../base/assert.js';
import type { Clock } from '../../base/clock.js';
import { EndpointTable } from '../../plan/endpoint-table.js';
import { encodePlan } from '../../plan/plan-codec.js';
import type { PlanDraft } from '../../plan/plan.js';
import type { Store } from '../../store/store.js';
import type { LaneAction } from './lane.js';
import type { Scenario } from './scenario.js';

export async function publishScenarioPlan(store: Store, clock: Clock, scenario: Scenario, n: number): Promise<bigint> {
  const head = await store.readNewestHeader();
  assert(head.kind !== 'unavailable', 'the replay store (in memory) answers');
  const parent = head.kind === 'found' ? head.header.generation : null;
  const draft = oneEndpointDraft({ zone: scenario.zone, name: scenario.endpoint, parent, createdAtMs: clock.nowMs(), addresses: scenario.addressesOf(n) });
  const outcome = await store.publishPlan({ parentGeneration: parent, createdAtMs: draft.createdAtMs, plan: encodePlan(draft) });
  assert(outcome.kind === 'published', `plan ${n} is published against the newest (${outcome.kind})`);
  return outcome.generation;
}

/** The planner's action in a lane's timeline. */
export async function plannerPublishes(store: Store, clock: Clock, scenario: Scenario, n: number): Promise<LaneAction> {
  const generation = await publishScenarioPlan(store, clock, scenario, n);
  return { actor: 'planner', kind: 'published', text: `published plan ${generation}` };
}

/** A plan serving `addresses` (multivalue, weight 100 each) for one A endpoint `name` in `zone`. */
export function oneEndpointDraft(input: { readonly zone: string; readonly name: string; readonly parent: bigint | null; readonly createdAtMs: number; readonly addresses: readonly string[] }): PlanDraft {
  const { zone, name, parent, createdAtMs, addresses } = input;
  return {
    parentGeneration: parent,
    createdAtMs,
    zones: [{ apex: zone, nameservers: [`ns1.${zone}`], negativeTtlSeconds: 5, hostmaster: `hostmaster.${zone}`, records: [] }],
    endpoints: EndpointTable.from([
      {
        name,
        zone,
        type: 'A',
        ttlSeconds: 30,
        policy: 'multivalue',
        activeRegion: null,
        isFailOpen: false,
        records: addresses.map((address) => ({ address, target: `tcp://${address}:443`, weight: 100, role: 'serving' as const, sinceMs: createdAtMs })),
      },
    ]),
    reasons: [],
    unsettledNames: [],
  };
}
