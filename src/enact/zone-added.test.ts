/**
 * A zone added to the config after the enactors started (`resolute reload`): the built-in
 * provider takes it from the plan (Provider.zonesFor), each write to it is fenced like any
 * other, and cleanup counts it as soon as it holds an applied generation.
 */
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, test } from 'node:test';
import { seededRandom } from '../base/random.js';
import { EndpointTable } from '../plan/endpoint-table.js';
import { decodePlan, encodePlan } from '../plan/plan-codec.js';
import type { PlanDraft } from '../plan/plan.js';
import { BuiltinProvider } from '../providers/builtin/builtin-provider.js';
import { zoneRecordsOf } from '../providers/zone-records.js';
import { openMemoryStore } from '../store/memory/memory-store.js';
import { MemoryKeyValue } from '../store/memory/memory-key-value.js';
import { ManualClock } from '../store/store-contract.js';
import type { Store } from '../store/store.js';
import { Cleanup } from './cleanup.js';
import type { EnactContext } from './enact-context.js';
import { Enactor, type EnactorStep } from './enactor.js';

const STARTED = 'demo.test.';
const ADDED = 'added.test.';

/** A plan with one endpoint `api.<zone>` per zone, serving `address`. */
function draft(parent: bigint | null, createdAtMs: number, zones: readonly string[], address: string): PlanDraft {
  return {
    parentGeneration: parent,
    createdAtMs,
    zones: zones.map((apex) => ({ apex, nameservers: [`ns1.${apex}`], negativeTtlSeconds: 5, hostmaster: `hostmaster.${apex}`, records: [] })),
    endpoints: EndpointTable.from(
      zones.map((zone) => ({
        name: `api.${zone}`,
        zone,
        type: 'A' as const,
        ttlSeconds: 30,
        policy: 'multivalue' as const,
        activeRegion: null,
        isFailOpen: false,
        records: [{ address, target: `tcp://${address}:443`, weight: 100, role: 'serving' as const, sinceMs: createdAtMs }],
      })),
    ),
    reasons: [],
    unsettledNames: [],
  };
}

class World {
  readonly kv = new MemoryKeyValue();
  readonly clock = new ManualClock();
  readonly random = seededRandom(7);
  readonly store = this.openStore();

  openStore(): Store {
    return openMemoryStore({ clock: this.clock, random: this.random, keyValue: this.kv });
  }

  /** An enactor process started with the config's zones then (`STARTED`), its own store handle and provider. */
  context(id: string, externalZones: readonly string[] = []): EnactContext {
    const store = this.openStore();
    const provider = new BuiltinProvider({ id: 'builtin', zones: [STARTED], externalZones, store, by: id });
    return { clock: this.clock, random: this.random, store, providers: [provider], decodePlan, zoneRecordsOf, id };
  }

  async publish(zones: readonly string[], address: string): Promise<bigint> {
    const head = await this.store.readNewestHeader();
    const parent = head.kind === 'found' ? head.header.generation : null;
    this.clock.advance(1000);
    const outcome = await this.store.publishPlan({ parentGeneration: parent, createdAtMs: this.clock.nowMs(), plan: encodePlan(draft(parent, this.clock.nowMs(), zones, address)) });
    assert.equal(outcome.kind, 'published');
    return outcome.kind === 'published' ? outcome.generation : -1n;
  }

  async applied(zone: string): Promise<bigint | undefined> {
    const read = await this.store.readApplied({ provider: 'builtin', zone });
    return read.kind === 'found' ? read.applied.generation : undefined;
  }
}

function kinds(step: EnactorStep): string[] {
  return step.kind === 'enacted' ? step.zones.map((z) => `${z.zone}:${z.kind}`) : [step.kind];
}

describe('a zone added after the enactors started', () => {
  test('is applied by the built-in provider, and a racing write to it is fenced at the provider', async () => {
    const world = new World();
    const a = new Enactor(world.context('enactor-a'));
    await world.publish([STARTED], '192.0.2.1');
    assert.deepEqual(kinds(await a.step()), [`${STARTED}:applied`]);

    const g = await world.publish([STARTED, ADDED], '192.0.2.2');
    const fenced: { zone: string; current: string }[] = [];
    const onFenced = (message: unknown): void => {
      fenced.push(message as { zone: string; current: string });
    };
    subscribe('resolute:enact:fenced', onFenced);
    try {
      // Enactor b reads the new zone's fence ("missing"), then pauses while a writes it: b's
      // write, under a fence no longer true, is refused by the provider (the store's transaction).
      const b = new Enactor({
        ...world.context('enactor-b'),
        beforeApply: async (zone) => {
          if (zone.zone === ADDED) assert.deepEqual(kinds(await a.step()), [`${STARTED}:current`, `${ADDED}:applied`]);
        },
      });
      assert.deepEqual(kinds(await b.step()), [`${STARTED}:applied`, `${ADDED}:current`]);
    } finally {
      unsubscribe('resolute:enact:fenced', onFenced);
    }
    assert.deepEqual(fenced.map((f) => [f.zone, f.current]), [[ADDED, String(g)]], 'b was refused once, at the generation a wrote');
    assert.equal(await world.applied(ADDED), g);
    assert.equal(await world.applied(STARTED), g);
  });

  test('a zone an external provider holds is not taken from the plan, and a write to it is refused', async () => {
    const world = new World();
    const context = world.context('enactor-a', [ADDED]);
    const g = await world.publish([STARTED, ADDED], '192.0.2.3');
    assert.deepEqual(kinds(await new Enactor(context).step()), [`${STARTED}:applied`]);
    assert.equal(await world.applied(ADDED), undefined);
    const read = await world.store.readPlan(g);
    assert.equal(read.kind, 'found');
    const plan = decodePlan(read.kind === 'found' ? read.plan.plan : assert.fail(), g);
    const records = zoneRecordsOf(plan, ADDED);
    assert.ok(records !== undefined);
    const outcome = await context.providers[0].apply(records, { kind: 'missing' });
    assert.equal(outcome.kind === 'unavailable' && outcome.cause.code, 'ERR_ZONE_INVALID');
  });

  test('cleanup keeps what the added zone still holds once applied, and is not held back before', async () => {
    const world = new World();
    const started = world.context('enactor-a');
    // An enactor writing the started zone only (the added zone held elsewhere in its config), to leave the added one behind.
    const onlyStarted = new Enactor(world.context('enactor-c', [ADDED]));
    const cleanup = new Cleanup({ clock: world.clock, store: world.store, providers: started.providers, decodePlan, id: 'cleanup', keepLast: 1 });

    await world.publish([STARTED], '192.0.2.4');
    const g2 = await world.publish([STARTED, ADDED], '192.0.2.5');
    await onlyStarted.step();
    // Nothing applied at the added zone yet: it needs the newest plan, which is never deleted.
    assert.deepEqual(await cleanup.step(), { kind: 'deleted', below: g2, generations: [g2 - 1n] });

    await new Enactor(started).step();
    assert.equal(await world.applied(ADDED), g2);
    await world.publish([STARTED, ADDED], '192.0.2.6');
    const g4 = await world.publish([STARTED, ADDED], '192.0.2.7');
    await onlyStarted.step();
    assert.equal(await world.applied(STARTED), g4);
    // The added zone holds g2: the plans from g2 up stay, though the started zone is at g4.
    assert.deepEqual(await cleanup.step(), { kind: 'kept', reason: `no plan below ${g2}` });
    const listed = await world.store.listPlans();
    assert.deepEqual(listed.kind === 'listed' && listed.items.map((p) => p.generation), [g2, g2 + 1n, g4]);
  });
});
