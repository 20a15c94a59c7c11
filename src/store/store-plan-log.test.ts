import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../base/random.js';
import { EndpointTable } from '../plan/endpoint-table.js';
import type { PlanDraft, PlanEndpoint } from '../plan/plan.js';
import { decodePlan, encodePlan } from '../plan/plan-codec.js';
import { MemoryKeyValue } from './memory/memory-key-value.js';
import { openMemoryStore } from './memory/memory-store.js';
import { ManualClock } from './store-contract.js';
import { StorePlanLog } from './store-plan-log.js';

const endpoint = (name: string, weight: number): PlanEndpoint => ({
  name,
  zone: 'demo.test.',
  type: 'A',
  ttlSeconds: 30,
  policy: 'weighted',
  activeRegion: null,
  isFailOpen: false,
  records: [{ address: '192.0.2.1', target: 'tcp://192.0.2.1:80', weight, role: 'serving', sinceMs: 0 }],
});

const draft = (parent: bigint | null, createdAtMs: number, weight: number): PlanDraft => ({
  parentGeneration: parent,
  createdAtMs,
  zones: [],
  endpoints: EndpointTable.from([endpoint('a.demo.test.', weight), endpoint('b.demo.test.', 100)]),
  reasons: [],
  unsettledNames: [],
});

test('the planner reads the newest plan and its velocity window through the store, decoded and sharing structure', async () => {
  const keyValue = new MemoryKeyValue();
  const store = openMemoryStore({ clock: new ManualClock(), random: seededRandom(1), keyValue });
  const log = new StorePlanLog(store, decodePlan);
  assert.equal(await log.newest(), undefined);
  let parent: bigint | null = null;
  for (let i = 0; i < 4; i++) {
    const outcome = await store.publishPlan({ parentGeneration: parent, createdAtMs: 1000 * i, plan: encodePlan(draft(parent, 1000 * i, 10 + i)) });
    assert.equal(outcome.kind, 'published');
    parent = (outcome as { generation: bigint }).generation;
  }
  const newest = await log.newest();
  assert.equal(newest?.generation, 4n);
  assert.equal(newest?.endpoints.get('a.demo.test.')?.records[0].weight, 13);
  const window = await log.since(2000);
  assert.deepEqual(window.map((p) => p.generation), [3n, 4n]);
  assert.equal(window[1], newest, 'decoded once, by generation');
  assert.equal(window[0].endpoints.get('b.demo.test.'), newest?.endpoints.get('b.demo.test.'), 'unchanged endpoints are shared');
  keyValue.setUnavailable(true);
  await assert.rejects(log.since(0), { code: 'ERR_STORE_UNAVAILABLE' });
  await assert.rejects(log.newest(), { code: 'ERR_STORE_UNAVAILABLE' }, 'never "no plan" when the store cannot answer');
});
