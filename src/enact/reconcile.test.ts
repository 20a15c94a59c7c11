import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BuiltinProvider } from '../providers/builtin/builtin-provider.js';
import { zoneRecordsFor } from '../providers/provider-contract.js';
import { appliedKey } from '../store/kv/store-keys.js';
import { EnactWorld, testSeed, WORLD_ZONE } from '../testing/enact-world.js';
import { Enactor } from './enactor.js';
import { Reconciler, type ReconcileStep } from './reconcile.js';

const seed = testSeed('dist/src/enact/reconcile.test.js');

function zoneKinds(step: ReconcileStep): string[] {
  assert.equal(step.kind, 'reconciled');
  return step.kind === 'reconciled' ? step.zones.map((z) => `${z.provider}:${z.kind}${z.kind === 'repaired' ? `:${z.reason}:${z.outcome.kind}` : ''}`) : [];
}

describe('self-repair', () => {
  let world: EnactWorld;
  let enactor: Enactor;
  let reconciler: Reconciler;
  before(async () => {
    world = await EnactWorld.open(seed);
    enactor = new Enactor(world.context('enactor-a'));
    reconciler = new Reconciler(world.context('enactor-b'));
    await world.publish(['192.0.2.10', '192.0.2.11']);
    await enactor.step();
    await world.check();
  });
  after(async () => world.close());

  test('a zone that serves the newest plan is left alone', async () => {
    assert.deepEqual(zoneKinds(await reconciler.step()), ['builtin-east:in-sync', 'builtin-west:in-sync']);
  });

  test('deleting every plan but the newest changes nothing served, and the enactors carry on', async () => {
    await world.publish(['192.0.2.12']);
    await enactor.step();
    const before = await world.check();
    const head = await world.store.readNewestHeader();
    assert.ok(head.kind === 'found');
    const deleted = await world.store.deletePlans({ below: head.header.generation });
    assert.ok(deleted.kind === 'deleted' && deleted.generations.length >= 1);
    assert.deepEqual(await world.check(), before);
    assert.deepEqual(zoneKinds(await reconciler.step()), ['builtin-east:in-sync', 'builtin-west:in-sync']);
    const g = await world.publish(['192.0.2.13']);
    await enactor.step();
    assert.equal((await world.check()).get('builtin-east')?.generation, g);
  });

  test('a corrupted applied-generation row (the built-in marker) is replaced by the next fenced write', async () => {
    const before = await world.check();
    await world.kv.txn([], [{ kind: 'put', key: appliedKey('builtin-east', WORLD_ZONE), value: new TextEncoder().encode('{"generation": "not a number"') }]);
    const damaged = await world.store.readApplied({ provider: 'builtin-east', zone: WORLD_ZONE });
    assert.equal(damaged.kind, 'corrupt');
    assert.deepEqual(await world.check(), before, 'the DNS server keeps answering from its last table');
    const step = await enactor.step();
    assert.ok(step.kind === 'enacted' && step.zones[0].kind === 'applied' && step.zones[0].from.kind === 'unparsable', 'written under the exact unparsable value');
    const read = await world.store.readApplied({ provider: 'builtin-east', zone: WORLD_ZONE });
    assert.equal(read.kind === 'found' && read.applied.generation, before.get('builtin-east')?.generation);
    assert.deepEqual(await world.check(), before);
  });

  test('a removed marker is adopted again by reconcile, under "it does not exist"', async () => {
    const before = await world.check();
    await world.kv.txn([], [{ kind: 'delete', key: appliedKey('builtin-west', WORLD_ZONE) }]);
    assert.deepEqual(await world.check(), before, 'the DNS server keeps answering from its last table');
    assert.deepEqual(zoneKinds(await reconciler.step()), ['builtin-east:in-sync', 'builtin-west:repaired:missing-marker:applied']);
    assert.deepEqual(await world.check(), before);
    const audit = await world.store.readAudit({ limit: 5 });
    assert.ok(audit.kind === 'listed' && audit.items.some((e) => e.action === 'repair' && /builtin-west .*marker missing/.test(e.detail)));
  });

  test('records edited by hand are rewritten under a new generation', async () => {
    const before = await world.check();
    const g = before.get('builtin-east')?.generation as bigint;
    // An operator writes other records straight into the provider (moving its marker, as any write must).
    const operator = new BuiltinProvider({ id: 'builtin-east', zones: [WORLD_ZONE], store: world.store, by: 'operator' });
    const edited = await operator.apply(zoneRecordsFor(WORLD_ZONE, g + 1n, { api: ['203.0.113.99'] }), { kind: 'generation', generation: g });
    assert.equal(edited.kind, 'applied');
    assert.deepEqual((await world.check()).get('builtin-east')?.addresses, ['203.0.113.99']);
    const step = await reconciler.step();
    assert.deepEqual(zoneKinds(step), ['builtin-east:repaired:ahead:applied', 'builtin-west:in-sync']);
    assert.ok(step.kind === 'reconciled' && step.republished?.kind === 'published' && step.republished.generation > g + 1n);
    await enactor.step(); // west follows to the republished generation
    const after = await world.check();
    for (const id of world.providerIds) assert.deepEqual(after.get(id)?.addresses, before.get(id)?.addresses);
    assert.equal(after.get('builtin-east')?.generation, after.get('builtin-west')?.generation);
  });

  test('a provider restored from an old backup is brought forward to the newest plan', async () => {
    const backup = [...(await world.kv.range('applied/builtin-west/')), ...(await world.kv.range('zones/builtin-west/'))];
    const old = (await world.check()).get('builtin-west')?.generation as bigint;
    const g = await world.publish(['192.0.2.14', '192.0.2.15']);
    await enactor.step();
    assert.equal((await world.check()).get('builtin-west')?.generation, g);
    await world.kv.txn([], [{ kind: 'delete-prefix', prefix: 'zones/builtin-west/' }, ...backup.map((e) => ({ kind: 'put' as const, key: e.key, value: e.value }))]);
    const marker = await world.store.readApplied({ provider: 'builtin-west', zone: WORLD_ZONE });
    assert.equal(marker.kind === 'found' && marker.applied.generation, old);
    assert.deepEqual(zoneKinds(await reconciler.step()), ['builtin-east:in-sync', 'builtin-west:repaired:behind:applied']);
    const served = await world.check();
    assert.equal(served.get('builtin-west')?.generation, g);
    assert.deepEqual(served.get('builtin-west')?.addresses, ['192.0.2.14', '192.0.2.15']);
  });
});
