import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { diffPlans } from './diff-plans.js';
import { EndpointTable } from './endpoint-table.js';
import type { PlanDraft, PlanEndpoint } from './plan.js';
import { decodePlan, encodePlan, PLAN_SCHEMA_VERSION } from './plan-codec.js';

function endpoint(i: number, weight = 100): PlanEndpoint {
  return {
    name: `api-${i}.demo.test.`,
    zone: 'demo.test.',
    type: i % 2 === 0 ? 'A' : 'AAAA',
    ttlSeconds: 30,
    policy: i % 3 === 0 ? 'failover' : 'weighted',
    activeRegion: i % 3 === 0 ? 'east' : null,
    isFailOpen: i % 5 === 0,
    records: [
      { address: `192.0.2.${i % 250}`, target: `tcp://192.0.2.${i % 250}:80`, weight, role: 'serving', sinceMs: 1_700_000_000_000 + i },
      { address: `198.51.100.${i % 250}`, target: `tcp://198.51.100.${i % 250}:80`, weight: 25, role: 'ramping', sinceMs: 1_700_000_000_123 },
    ],
  };
}

function draft(count: number, parentGeneration: bigint | null = 41n): PlanDraft {
  return {
    parentGeneration,
    createdAtMs: 1_700_000_000_999,
    zones: [{ apex: 'demo.test.', nameservers: ['ns1.demo.test.'], negativeTtlSeconds: 5, hostmaster: 'hostmaster.demo.test.', records: [{ name: 'demo.test.', type: 'MX', ttlSeconds: 300, value: '10 mail.demo.test.' }] }],
    endpoints: EndpointTable.from(Array.from({ length: count }, (_, i) => endpoint(i))),
    reasons: [{ name: 'api-1.demo.test.', address: '192.0.2.1', target: 'tcp://192.0.2.1:80', rule: 'health', detail: 'up: connected' }, { name: 'api-2.demo.test.', rule: 'config', detail: 'new name' }],
    unsettledNames: ['api-1.demo.test.'],
  };
}

/** Everything a plan says, as plain values, for deepEqual. */
function contentOf(plan: PlanDraft): unknown {
  return { ...plan, endpoints: [...plan.endpoints.values()].sort((a, b) => (a.name < b.name ? -1 : 1)) };
}

describe('the plan codec', () => {
  test('a plan decodes to the same content with the generation the store gave it, frozen', () => {
    const original = draft(50);
    const plan = decodePlan(encodePlan(original), 2n ** 63n + 5n);
    assert.equal(plan.generation, 2n ** 63n + 5n);
    assert.deepEqual(contentOf({ ...plan, generation: undefined } as unknown as PlanDraft), contentOf({ ...original, generation: undefined } as unknown as PlanDraft));
    assert.ok(Object.isFrozen(plan) && Object.isFrozen(plan.zones[0].records) && Object.isFrozen(plan.endpoints.get('api-3.demo.test.')?.records[0]));
    assert.equal(decodePlan(encodePlan(draft(1, null)), 1n).parentGeneration, null);
  });

  test('equal plans encode to equal bytes, whatever order their table was built in', () => {
    const reversed: PlanDraft = { ...draft(0), endpoints: EndpointTable.from(Array.from({ length: 50 }, (_, i) => endpoint(49 - i))) };
    assert.equal(encodePlan(reversed).digest, encodePlan(draft(50)).digest);
  });

  test('a plan of 100,000 names is megabytes in chunks well under 1 MiB, and round-trips', () => {
    const big = draft(100_000);
    const encoded = encodePlan(big);
    const bytes = encoded.chunks.reduce((n, c) => n + c.length, 0);
    assert.ok(bytes > 5_000_000, `${bytes} bytes`);
    assert.ok(encoded.chunks.every((c) => c.length <= 256 * 1024));
    const plan = decodePlan(encoded, 42n);
    assert.equal(plan.endpoints.size, 100_000);
    assert.deepEqual(plan.endpoints.get('api-99999.demo.test.'), endpoint(99_999));
  });

  test('decoding against the previous plan shares every unchanged endpoint, so a diff costs the change', () => {
    const before = decodePlan(encodePlan(draft(1000)), 42n);
    const changed = { ...draft(1000, 42n), endpoints: before.endpoints.with([endpoint(7, 50)], ['api-8.demo.test.']) };
    const after = decodePlan(encodePlan(changed), 43n, { previous: before });
    assert.equal(after.endpoints.get('api-9.demo.test.'), before.endpoints.get('api-9.demo.test.'), 'the very same object');
    assert.deepEqual([...after.endpoints.changedNames(before.endpoints)].sort(), ['api-7.demo.test.', 'api-8.demo.test.']);
    assert.deepEqual(diffPlans(before, after).map((c) => `${c.op} ${c.name} ${c.value}`), ['~ api-7.demo.test. 192.0.2.7', '- api-8.demo.test. 192.0.2.8', '- api-8.demo.test. 198.51.100.8']);
  });

  test('a newer major schema version is refused with ERR_PLAN_SCHEMA; a newer minor is read', () => {
    const encoded = encodePlan(draft(3));
    assert.throws(() => decodePlan({ ...encoded, schemaVersion: { major: PLAN_SCHEMA_VERSION.major + 1, minor: 0 } }, 7n), {
      code: 'ERR_PLAN_SCHEMA',
      message: /schema version 2\.x is newer than this release knows \(1\.0\) \(generation 7\); a rolling upgrade is in progress/,
    });
    // A minor version only adds: an extra header field and an extra tuple element are ignored.
    const text = new TextDecoder().decode(Buffer.concat(encoded.chunks)).replace('"format":"resolute-plan"', '"format":"resolute-plan","future":1').replace(/\]\]\]$/, ']],"extra"]');
    const bytes = new TextEncoder().encode(text);
    const newer = { schemaVersion: { major: 1, minor: 9 }, chunks: [bytes], digest: createHash('sha256').update(bytes).digest('hex') };
    assert.equal(decodePlan(newer, 8n).endpoints.size, 3);
  });

  test('bytes that do not match their digest are refused with ERR_PLAN_DIGEST', () => {
    const encoded = encodePlan(draft(10), { chunkBytes: 100 });
    const damaged = encoded.chunks.map((c, i) => (i === 3 ? c.map((b) => b ^ 1) : c));
    assert.throws(() => decodePlan({ ...encoded, chunks: damaged }, 5n), { code: 'ERR_PLAN_DIGEST' });
    assert.throws(() => decodePlan({ ...encoded, chunks: encoded.chunks.slice(1) }, 5n), { code: 'ERR_PLAN_DIGEST' });
  });
});
