import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { systemClock } from '../base/clock.js';
import { decodePlan, encodePlan } from '../plan/plan-codec.js';
import { BuiltinProvider } from '../providers/builtin/builtin-provider.js';
import type { Provider } from '../providers/provider.js';
import { openMemoryStore } from '../store/memory/memory-store.js';
import { MemoryKeyValue } from '../store/memory/memory-key-value.js';
import { EnactWorld, planDraft, testSeed, WORLD_ZONE } from '../testing/enact-world.js';
import { Cleanup } from './cleanup.js';
import type { ZoneKey } from './enact-context.js';
import { Enactor } from './enactor.js';

const seed = testSeed('dist/src/enact/enactor.test.js');

/** The kinds of a step's zone outcomes, `provider:kind`, for one-line assertions. */
function kinds(step: Awaited<ReturnType<Enactor['step']>>): string[] {
  assert.equal(step.kind, 'enacted', JSON.stringify(step.kind));
  return step.kind === 'enacted' ? step.zones.map((z) => `${z.provider}:${z.kind}`) : [];
}

describe('the enactor', () => {
  let world: EnactWorld;
  before(async () => {
    world = await EnactWorld.open(seed);
  });
  after(async () => world.close());

  test('an enactor applies the newest plan to every provider, records it and says so in its heartbeat', async () => {
    const g = await world.publish(['192.0.2.10', '192.0.2.11']);
    const enactor = new Enactor(world.context('enactor-a'));
    assert.deepEqual(kinds(await enactor.step()), ['builtin-east:applied', 'builtin-west:applied']);
    const served = await world.check();
    for (const id of world.providerIds) assert.deepEqual({ ...served.get(id), serial: 0 }, { generation: g, serial: 0, addresses: ['192.0.2.10', '192.0.2.11'] });
    const applied = await world.store.readApplied({ provider: 'builtin-west', zone: WORLD_ZONE });
    assert.equal(applied.kind === 'found' && applied.applied.generation, g);
    const beats = await world.store.listHeartbeats();
    assert.ok(beats.kind === 'listed' && beats.items.some((b) => b.id === 'enactor-a' && b.outcome === 'applied' && b.generation === g));
    assert.deepEqual(kinds(await enactor.step()), ['builtin-east:current', 'builtin-west:current'], 'a second step writes nothing');
  });

  test('the 2025 sequence: a paused enactor is refused by the provider, nothing is ever empty or backwards, every provider ends at g+5', async () => {
    const g = await world.publish(['192.0.2.20']);
    // A is paused after it read plan g and the fence, before its write: the 2025 instant.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const paused = new Promise<void>((resolve) => (reached = resolve));
    const pausedAt: Array<[ZoneKey, bigint]> = [];
    const a = new Enactor({
      ...world.context('enactor-a'),
      beforeApply: async (zone, generation) => {
        pausedAt.push([zone, generation]);
        if (generation === g && zone.provider === 'builtin-east') {
          reached();
          await released;
        }
      },
    });
    const b = new Enactor(world.context('enactor-b'));
    const c = new Enactor(world.context('enactor-c'));
    const stepA = a.step();
    await paused;
    assert.deepEqual(pausedAt[0], [{ provider: 'builtin-east', zone: WORLD_ZONE }, g]);
    // Meanwhile: the planner writes g+1 … g+5, B applies each, C joins in, B runs cleanup.
    let last = g;
    for (let i = 1; i <= 5; i++) {
      last = await world.publish([`192.0.2.${20 + i}`, '198.51.100.1']);
      kinds(await b.step());
      await world.check();
      if (i === 3) kinds(await c.step());
    }
    const cleaned = await new Cleanup({ clock: world.clock, store: world.store, providers: world.context('enactor-b').providers, decodePlan, id: 'enactor-b', keepLast: 1 }).step();
    assert.equal(cleaned.kind, 'deleted');
    await world.check();
    // A resumes: its write of plan g is refused by the provider itself, and A drops the plan.
    release();
    const resumed = await stepA;
    const east = resumed.kind === 'enacted' ? resumed.zones.find((z) => z.provider === 'builtin-east') : undefined;
    assert.equal(east?.kind, 'superseded', JSON.stringify(east?.kind));
    assert.equal(east?.kind === 'superseded' && east.newest, last);
    const audit = await world.store.readAudit({ limit: 50 });
    assert.ok(audit.kind === 'listed' && audit.items.some((e) => e.actor === 'enactor-a' && e.action === 'fenced' && e.detail.includes(`plan ${g} dropped for ${last}`)), 'the refusal is audited');
    const served = await world.check();
    for (const id of world.providerIds) {
      assert.equal(served.get(id)?.generation, last, `${id} holds g+5`);
      assert.deepEqual(served.get(id)?.addresses, ['192.0.2.25', '198.51.100.1']);
    }
    assert.equal(last, g + 5n);
    // And the next step of A applies nothing old: everything is current at g+5.
    assert.deepEqual(kinds(await a.step()), ['builtin-east:current', 'builtin-west:current']);
  });

  test('a plan of a newer major schema is refused with ERR_PLAN_SCHEMA, nothing is written, and the heartbeat says so', async () => {
    const before = await world.check();
    const head = await world.store.readNewestHeader();
    const parent = head.kind === 'found' ? head.header.generation : null;
    const encoded = encodePlan(planDraft(parent, world.clock.nowMs(), ['203.0.113.1']));
    const published = await world.store.publishPlan({ parentGeneration: parent, createdAtMs: world.clock.nowMs(), plan: { ...encoded, schemaVersion: { major: 99, minor: 0 } } });
    assert.equal(published.kind, 'published');
    const step = await new Enactor(world.context('enactor-new')).step();
    assert.equal(step.kind, 'refused');
    assert.equal(step.kind === 'refused' && step.cause.code, 'ERR_PLAN_SCHEMA');
    const beats = await world.store.listHeartbeats();
    const beat = beats.kind === 'listed' ? beats.items.find((b) => b.id === 'enactor-new') : undefined;
    assert.equal(beat?.outcome, 'refused');
    assert.match(beat?.detail ?? '', /ERR_PLAN_SCHEMA: plan schema version 99\.x is newer than this release knows/);
    assert.deepEqual(await world.check(), before, 'what is served did not change');
    await world.publish(['192.0.2.30']); // the planner (upgraded) moves on
  });

  test('an unavailable store makes the enactor do nothing this step, never treat the names as gone', async () => {
    const enactor = new Enactor(world.context('enactor-d'));
    kinds(await enactor.step());
    const before = await world.check();
    world.kv.setUnavailable(true);
    try {
      const step = await enactor.step();
      assert.equal(step.kind, 'store-unavailable');
      assert.equal(step.kind === 'store-unavailable' && step.cause.code, 'ERR_STORE_UNAVAILABLE');
    } finally {
      world.kv.setUnavailable(false);
    }
    assert.deepEqual(await world.check(), before);
  });

  test('an unreachable provider is retried with backoff and never blocks another', async () => {
    // East's own store connection is down: a real provider that cannot reach its backend.
    const downKv = new MemoryKeyValue();
    downKv.setUnavailable(true);
    const context = world.context('enactor-e');
    const downEast = new BuiltinProvider({ id: 'builtin-east', zones: [WORLD_ZONE], store: openMemoryStore({ clock: world.clock, random: world.random, keyValue: downKv }), by: 'enactor-e' });
    const enactor = new Enactor({ ...context, providers: [downEast, context.providers[1]], backoff: { baseMs: 1000, maxMs: 8000 } });
    const g = await world.publish(['192.0.2.40', '192.0.2.41']);
    const first = await enactor.step();
    assert.deepEqual(kinds(first), ['builtin-east:unavailable', 'builtin-west:applied']);
    const east = first.kind === 'enacted' ? first.zones[0] : undefined;
    assert.ok(east?.kind === 'unavailable' && east.retryInMs >= 500 && east.retryInMs <= 1000, 'jittered first backoff');
    assert.deepEqual(kinds(await enactor.step()), ['builtin-east:waiting', 'builtin-west:current'], 'east waits, west is not held up');
    world.clock.advance(1000);
    assert.deepEqual(kinds(await enactor.step()), ['builtin-east:unavailable', 'builtin-west:current']);
    downKv.setUnavailable(false);
    world.clock.advance(2000);
    assert.deepEqual(kinds(await enactor.step()), ['builtin-east:applied', 'builtin-west:current']);
    const served = await world.check();
    assert.equal(served.get('builtin-east')?.generation, g);
  });

  test('a provider that never answers times out with ERR_PROVIDER_TIMEOUT while the others are applied', async () => {
    const context = world.context('enactor-f');
    const hanging: Provider = { id: 'builtin-east', zones: [WORLD_ZONE], zonesFor: () => [WORLD_ZONE], readFence: () => new Promise(() => {}), apply: () => new Promise(() => {}), readBack: () => new Promise(() => {}), close: async () => {} };
    const enactor = new Enactor({ ...context, clock: { ...world.clock, nowMs: () => world.clock.nowMs(), monotonicMs: () => world.clock.monotonicMs(), sleep: (ms) => world.clock.sleep(ms), after: systemClock.after }, providers: [hanging, context.providers[1]], providerTimeoutMs: 50 });
    const g = await world.publish(['192.0.2.50']);
    const step = await enactor.step();
    assert.deepEqual(kinds(step), ['builtin-east:unavailable', 'builtin-west:applied']);
    assert.equal(step.kind === 'enacted' && step.zones[0].kind === 'unavailable' && step.zones[0].cause.code, 'ERR_PROVIDER_TIMEOUT');
    assert.equal((await world.check()).get('builtin-west')?.generation, g);
    kinds(await new Enactor(world.context('enactor-a')).step());
  });

  test('a provider ahead of the store (plans restored from an old backup) makes the next generation jump above it', async () => {
    const enactor = new Enactor(world.context('enactor-a'));
    await world.publish(['192.0.2.60']);
    kinds(await enactor.step());
    // Back up the plans, move on three generations, then restore the plans only.
    const backup = await world.kv.range('plans/');
    for (let i = 1; i <= 3; i++) {
      await world.publish([`192.0.2.${60 + i}`]);
      kinds(await enactor.step());
    }
    const ahead = (await world.check()).get('builtin-east')?.generation as bigint;
    await world.kv.txn([], [{ kind: 'delete-prefix', prefix: 'plans/' } as const, ...backup.map((e) => ({ kind: 'put' as const, key: e.key, value: e.value }))]);
    const restored = await world.store.readNewestHeader();
    assert.ok(restored.kind === 'found' && restored.header.generation === ahead - 3n);
    const step = await enactor.step();
    assert.deepEqual(kinds(step), ['builtin-east:ahead', 'builtin-west:ahead']);
    assert.ok(step.kind === 'enacted' && step.jump?.kind === 'published' && step.jump.generation > ahead, 'republished above the providers');
    assert.deepEqual(kinds(await enactor.step()), ['builtin-east:applied', 'builtin-west:applied']);
    const served = await world.check();
    assert.deepEqual(served.get('builtin-west')?.addresses, ['192.0.2.60'], 'the newest plan the store holds is what is served');
    const next = await world.publish(['192.0.2.70']);
    assert.ok(next > ahead + 1n);
    kinds(await enactor.step());
    assert.equal((await world.check()).get('builtin-east')?.generation, next);
  });
});

