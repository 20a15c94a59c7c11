import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Config } from '../config/config.js';
import { parseConfig } from '../config/load-config.js';
import type { Plan, PlanDraft } from './plan.js';
import { computePlan } from './planner.js';
import { rollbackDraft } from './rollback-draft.js';

function config(apiAddresses: readonly number[], withWww: boolean): Config {
  const targets = (list: readonly number[]): string => list.map((i) => `      - { address: 192.0.2.${i}, weight: 100 }`).join('\n');
  const www = withWww ? `  - name: www.demo.test\n    type: A\n    targets:\n${targets([9])}\n` : '';
  return parseConfig(
    `zones: [{ apex: demo.test, nameservers: [ns1.demo.test] }]\nendpoints:\n  - name: api.demo.test\n    type: A\n    targets:\n${targets(apiAddresses)}\n${www}planner:\n  velocity: { max_fraction: 0.25, window: 60s }\n`,
    'rollback.yaml',
  );
}

const stored = (draft: PlanDraft | undefined, generation: bigint): Plan => {
  assert.ok(draft !== undefined);
  return Object.freeze({ ...draft, generation });
};
const addresses = (plan: PlanDraft, name: string): string => (plan.endpoints.get(name)?.records ?? []).map((r) => `${r.address}${r.role === 'serving' ? '' : `(${r.role})`}`).join(' ');

const g1 = stored(computePlan({ config: config([1, 2], false), health: new Map(), parent: undefined, window: [], nowMs: 1000 }), 1n);

test("a rollback takes G's record sets and keeps a name added since G", () => {
  const now = config([1], true);
  const g2 = stored(computePlan({ config: now, health: new Map(), parent: g1, window: [], nowMs: 500_000 }), 2n);
  assert.equal(addresses(g2, 'api.demo.test.'), '192.0.2.1');
  const result = rollbackDraft({ target: g1, newest: g2, window: [], config: now, nowMs: 600_000 });
  assert.equal(result.kind, 'draft');
  const draft = result.kind === 'draft' ? result.draft : g2;
  assert.equal(draft.parentGeneration, 2n);
  assert.equal(draft.endpoints.get('api.demo.test.'), g1.endpoints.get('api.demo.test.'), "G's own record set");
  assert.equal(draft.endpoints.get('www.demo.test.'), g2.endpoints.get('www.demo.test.'), 'the name added since G is kept');
});

test('a rollback that would drop capacity faster than the velocity limit holds records', () => {
  const big = config([1, 2, 3, 4], false);
  const g2 = stored(computePlan({ config: big, health: new Map(), parent: g1, window: [], nowMs: 500_000 }), 2n);
  const g3 = stored(computePlan({ config: big, health: new Map(), parent: g2, window: [], nowMs: 600_000 }), 3n);
  const result = rollbackDraft({ target: g1, newest: g3, window: [g3], config: big, nowMs: 601_000 });
  assert.equal(result.kind, 'draft');
  if (result.kind === 'draft') {
    assert.equal(addresses(result.draft, 'api.demo.test.'), '192.0.2.1 192.0.2.2 192.0.2.3(held)');
    assert.deepEqual(result.draft.unsettledNames, ['api.demo.test.']);
  }
});

test('a rollback to content the newest plan already publishes is refused as the same', () => {
  const g2 = Object.freeze({ ...g1, parentGeneration: 1n, generation: 2n });
  assert.deepEqual(rollbackDraft({ target: g1, newest: g2, window: [], config: config([1, 2], false), nowMs: 2000 }), { kind: 'same' });
});
