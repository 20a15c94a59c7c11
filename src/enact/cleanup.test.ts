import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodePlan } from '../plan/plan-codec.js';
import { appliedKey } from '../store/kv/store-keys.js';
import { EnactWorld, testSeed, WORLD_ZONE } from '../testing/enact-world.js';
import { Cleanup } from './cleanup.js';
import { Enactor } from './enactor.js';

const seed = testSeed('dist/src/enact/cleanup.test.js');

describe('cleanup', () => {
  let world: EnactWorld;
  before(async () => {
    world = await EnactWorld.open(seed);
  });
  after(async () => world.close());

  async function storedGenerations(): Promise<bigint[]> {
    const listed = await world.store.listPlans();
    assert.equal(listed.kind, 'listed');
    return listed.kind === 'listed' ? listed.items.map((h) => h.generation) : [];
  }

  test('cleanup deletes only plans below the oldest generation applied at any provider, keeping the newest K, and never changes what is served', async () => {
    const both = new Enactor(world.context('enactor-a'));
    const eastOnly = new Enactor(world.context('enactor-b', ['builtin-east']));
    const cleanup = new Cleanup({ clock: world.clock, store: world.store, providers: world.context('enactor-a').providers, decodePlan, id: 'enactor-a', keepLast: 2 });
    const g1 = await world.publish(['192.0.2.1']);
    await both.step();
    const generations = [g1];
    for (let i = 2; i <= 6; i++) {
      generations.push(await world.publish([`192.0.2.${i}`]));
      await eastOnly.step();
    }
    const before = await world.check();
    assert.equal(before.get('builtin-west')?.generation, g1);
    assert.deepEqual(await cleanup.step(), { kind: 'kept', reason: `no plan below ${g1}` }, 'west still holds g1: nothing older than it to delete');
    assert.deepEqual(await storedGenerations(), generations);
    assert.deepEqual(await world.check(), before);
    await both.step();
    const served = await world.check();
    const step = await cleanup.step();
    assert.deepEqual(step, { kind: 'deleted', below: generations[4], generations: generations.slice(0, 4) });
    assert.deepEqual(await storedGenerations(), generations.slice(4), 'the newest two are kept');
    assert.deepEqual(await world.check(), served, 'cleanup changed nothing served');
    const audit = await world.store.readAudit({ limit: 10 });
    assert.ok(audit.kind === 'listed' && audit.items.some((e) => e.action === 'cleanup' && e.detail.startsWith('deleted 4 plans')));
  });

  test('cleanup deletes nothing while an applied row is unreadable', async () => {
    const cleanup = new Cleanup({ clock: world.clock, store: world.store, providers: world.context('enactor-a').providers, decodePlan, id: 'enactor-a', keepLast: 1 });
    const kept = await storedGenerations();
    await world.kv.txn([], [{ kind: 'put', key: appliedKey('builtin-west', WORLD_ZONE), value: new TextEncoder().encode('garbage') }]);
    const step = await cleanup.step();
    assert.equal(step.kind, 'kept');
    assert.match(step.kind === 'kept' ? step.reason : '', /builtin-west demo\.test\. is unreadable/);
    assert.deepEqual(await storedGenerations(), kept);
    await new Enactor(world.context('enactor-a')).step(); // the fenced write repairs the row
    assert.equal((await cleanup.step()).kind, 'deleted');
    assert.equal((await storedGenerations()).length, 1);
    await world.check();
  });

  test('an unavailable store makes cleanup delete nothing', async () => {
    const cleanup = new Cleanup({ clock: world.clock, store: world.store, providers: world.context('enactor-a').providers, decodePlan, id: 'enactor-a', keepLast: 1 });
    world.kv.setUnavailable(true);
    try {
      assert.equal((await cleanup.step()).kind, 'store-unavailable');
    } finally {
      world.kv.setUnavailable(false);
    }
  });
});
