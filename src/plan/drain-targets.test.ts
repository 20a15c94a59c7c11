import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../config/load-config.js';
import { drainTargets } from './drain-targets.js';
import type { Plan, PlanDraft } from './plan.js';
import { computePlan } from './planner.js';

const CONFIG = parseConfig(
  `zones: [{ apex: demo.test, nameservers: [ns1.demo.test] }]
endpoints:
  - name: api.demo.test
    type: A
    targets:
      - { address: 192.0.2.1, weight: 100 }
      - { address: 192.0.2.2, weight: 100 }
      - { address: 192.0.2.3, weight: 100 }
      - { address: 192.0.2.4, weight: 100 }
  - name: solo.demo.test
    type: A
    targets:
      - { address: 192.0.2.1, weight: 100 }
planner:
  velocity: { max_fraction: 0.25, window: 60s }
`,
  'drain.yaml',
);

const stored = (draft: PlanDraft | undefined, generation: bigint): Plan => {
  assert.ok(draft !== undefined);
  return Object.freeze({ ...draft, generation });
};
const addresses = (plan: Plan, name: string): string =>
  (plan.endpoints.get(name)?.records ?? []).map((r) => `${r.address}${r.role === 'serving' ? '' : `(${r.role})`}`).join(' ');

test('no drain gives the very same config object, so the planner keeps its incremental path', () => {
  assert.equal(drainTargets(CONFIG, new Set()).config, CONFIG);
  assert.equal(drainTargets(CONFIG, new Set(['static://198.51.100.9'])).config, CONFIG);
});

test('drained targets leave through the velocity limit, and an endpoint never loses its last target', () => {
  const first = stored(computePlan({ config: CONFIG, health: new Map(), parent: undefined, window: [], nowMs: 1000 }), 1n);
  const drained = drainTargets(CONFIG, new Set(['static://192.0.2.1', 'static://192.0.2.2']));
  assert.deepEqual(drained.kept, ['static://192.0.2.1 in solo.demo.test.']);
  const second = stored(computePlan({ config: drained.config, health: new Map(), parent: first, window: [first], nowMs: 2000 }), 2n);
  // 25% per window: one of the two drained targets goes now, the other is held.
  assert.equal(addresses(second, 'api.demo.test.'), '192.0.2.2(held) 192.0.2.3 192.0.2.4');
  assert.equal(addresses(second, 'solo.demo.test.'), '192.0.2.1');
  const later = stored(computePlan({ config: drained.config, health: new Map(), parent: second, window: [], nowMs: 200_000 }), 3n);
  assert.equal(addresses(later, 'api.demo.test.'), '192.0.2.3 192.0.2.4');
});
