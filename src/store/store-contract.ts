/**
 * THE conformance suite of the Store contract (CONVENTIONS rule 2): every implementation runs
 * it, the in-memory one too, so the simulator's store behaves as SQLite's and etcd's do.
 * Called from each implementation's test file: `runStoreContract('sqlite', (dir, c) => …)`.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { systemClock, type Clock } from '../base/clock.js';
import { seededRandom, type Random } from '../base/random.js';
import type { EncodedPlan, FencedOutcome, RecordSetChange, RecordSetsRead, Store } from './store.js';

export interface StoreContractContext {
  readonly clock: ManualClock;
  readonly random: Random;
}

export interface StoreContractOptions {
  /** Data survives close and open on the same directory (SQLite, etcd; not memory). */
  readonly isDurable: boolean;
}

/**
 * Time that moves only when told: lease expiry is by the store's clock. A sleep moves time on
 * by itself (a loop under test runs at once), unless sleeps are held (`isHoldingSleeps`): then
 * it waits until `advance` passes its end, or its signal aborts.
 */
export class ManualClock implements Clock {
  isHoldingSleeps = false;
  private readonly held = new Set<{ readonly atMs: number; readonly resolve: () => void }>();

  constructor(private ms = 1_700_000_000_000) {}
  nowMs(): number {
    return this.ms;
  }
  monotonicMs(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
    for (const sleeper of this.held) {
      if (sleeper.atMs > this.ms) continue;
      this.held.delete(sleeper);
      sleeper.resolve();
    }
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (!this.isHoldingSleeps) {
      this.ms += ms;
      return;
    }
    if (signal?.aborted === true) throw signal.reason;
    await new Promise<void>((resolve, reject) => {
      const sleeper = { atMs: this.ms + ms, resolve };
      this.held.add(sleeper);
      signal?.addEventListener('abort', () => {
        this.held.delete(sleeper);
        reject(signal.reason);
      }, { once: true });
    });
  }
  after(): () => void {
    return () => {};
  }
}

/** A plan as the codec would give it: deterministic bytes in chunks of at most `chunkBytes`. */
export function fakeEncodedPlan(byteLength: number, seed: number, chunkBytes = 256 * 1024): EncodedPlan {
  const bytes = new Uint8Array(byteLength);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < byteLength; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < byteLength; offset += chunkBytes) chunks.push(bytes.slice(offset, offset + chunkBytes));
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  return { schemaVersion: { major: 1, minor: 0 }, chunks, digest: hash.digest('hex') };
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array | null): string | null => (value === null ? null : new TextDecoder().decode(value));

export function runStoreContract(
  name: string,
  open: (dir: string, context: StoreContractContext) => Promise<Store>,
  options: StoreContractOptions,
): void {
  /** Runs `body` against a fresh store in a fresh directory, and closes and removes both. */
  const withStore = async (body: (store: Store, context: StoreContractContext, dir: string) => Promise<void>): Promise<void> => {
    const dir = mkdtempSync(path.join(tmpdir(), `resolute-store-${name}-`));
    const context: StoreContractContext = { clock: new ManualClock(), random: seededRandom(7) };
    const store = await open(dir, context);
    try {
      await body(store, context, dir);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };

  const publish = async (store: Store, parent: bigint | null, plan = fakeEncodedPlan(1000, Number(parent ?? 0n) + 1), extra: { minGeneration?: bigint; createdAtMs?: number } = {}): Promise<bigint> => {
    const outcome = await store.publishPlan({ parentGeneration: parent, createdAtMs: extra.createdAtMs ?? 1000, plan, ...(extra.minGeneration === undefined ? {} : { minGeneration: extra.minGeneration }) });
    assert.equal(outcome.kind, 'published', JSON.stringify(outcome, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
    return (outcome as { generation: bigint }).generation;
  };

  describe(`the ${name} store (contract)`, () => {
    describe('plans', () => {
      test('an empty store has no newest plan, no plans and no applied generations', () =>
        withStore(async (store) => {
          assert.deepEqual(await store.readNewestHeader(), { kind: 'none' });
          assert.deepEqual(await store.readNewestPlan(), { kind: 'none' });
          assert.deepEqual(await store.readPlan(1n), { kind: 'none' });
          assert.deepEqual(await store.listPlans(), { kind: 'listed', items: [] });
          assert.deepEqual(await store.listApplied(), { kind: 'listed', items: [] });
        }));

      test('the first plan gets generation 1 and is read back whole, chunk for chunk', () =>
        withStore(async (store) => {
          const plan = fakeEncodedPlan(5000, 1, 1024);
          const outcome = await store.publishPlan({ parentGeneration: null, createdAtMs: 42, plan });
          assert.deepEqual(outcome, { kind: 'published', generation: 1n });
          const read = await store.readNewestPlan();
          assert.equal(read.kind, 'found');
          if (read.kind !== 'found') return;
          assert.deepEqual(read.plan.plan.chunks.map((c) => Buffer.from(c).toString('hex')), plan.chunks.map((c) => Buffer.from(c).toString('hex')));
          assert.equal(read.plan.plan.digest, plan.digest);
          assert.deepEqual(read.plan.header, { generation: 1n, parentGeneration: null, createdAtMs: 42, schemaVersion: { major: 1, minor: 0 }, chunkCount: 5, byteLength: 5000, digest: plan.digest });
          assert.deepEqual(await store.readNewestHeader(), { kind: 'found', header: read.plan.header });
          assert.deepEqual((await store.readPlan(1n)).kind, 'found');
        }));

      test('a plan computed against a parent that is no longer the newest is refused as a conflict naming the newest', () =>
        withStore(async (store) => {
          assert.equal(await publish(store, null), 1n);
          assert.equal(await publish(store, 1n), 2n);
          const stale = await store.publishPlan({ parentGeneration: 1n, createdAtMs: 1, plan: fakeEncodedPlan(10, 9) });
          assert.equal(stale.kind, 'conflict');
          assert.equal(stale.kind === 'conflict' ? stale.newest?.generation : undefined, 2n);
          const first = await store.publishPlan({ parentGeneration: null, createdAtMs: 1, plan: fakeEncodedPlan(10, 9) });
          assert.equal(first.kind === 'conflict' ? first.newest?.generation : first.kind, 2n);
          const listed = await store.listPlans();
          assert.equal(listed.kind === 'listed' ? listed.items.length : listed.kind, 2);
        }));

      test('of several publishes against the same parent at once, exactly one wins', () =>
        withStore(async (store) => {
          await publish(store, null);
          const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) => store.publishPlan({ parentGeneration: 1n, createdAtMs: 5, plan: fakeEncodedPlan(3000, 100 + i, 1000) })));
          assert.deepEqual(outcomes.filter((o) => o.kind === 'published').map((o) => (o as { generation: bigint }).generation), [2n]);
          assert.equal(outcomes.filter((o) => o.kind === 'conflict').length, 5);
          const newest = await store.readNewestPlan();
          assert.equal(newest.kind === 'found' ? newest.plan.header.generation : undefined, 2n);
        }));

      test('a publish with minGeneration jumps above a provider that is ahead, and the next follows on', () =>
        withStore(async (store) => {
          assert.equal(await publish(store, null, undefined, { minGeneration: 501n }), 501n);
          assert.equal(await publish(store, 501n), 502n);
          assert.equal(await publish(store, 502n, undefined, { minGeneration: 10n }), 503n, 'a floor below the next generation changes nothing');
          assert.equal(await publish(store, 503n, undefined, { minGeneration: 2n ** 63n }), 2n ** 63n, 'generations are 64-bit');
        }));

      test('a plan of several megabytes is stored in chunks under 1 MiB and read back whole', () =>
        withStore(async (store) => {
          const plan = fakeEncodedPlan(3 * 1024 * 1024 + 17, 5);
          await publish(store, null, plan);
          const read = await store.readPlan(1n);
          assert.equal(read.kind, 'found');
          if (read.kind !== 'found') return;
          assert.equal(read.plan.header.chunkCount, 13);
          assert.equal(read.plan.header.byteLength, 3 * 1024 * 1024 + 17);
          assert.ok(read.plan.plan.chunks.every((c) => c.length <= 1024 * 1024));
          assert.equal(createHash('sha256').update(Buffer.concat(read.plan.plan.chunks)).digest('hex'), plan.digest);
        }));

      test('plans are listed oldest first, read by generation, and read since a time for the velocity window', () =>
        withStore(async (store) => {
          let parent: bigint | null = null;
          for (let i = 0; i < 5; i++) parent = await publish(store, parent, fakeEncodedPlan(100, i + 1), { createdAtMs: 1000 * (i + 1) });
          const listed = await store.listPlans();
          assert.deepEqual(listed.kind === 'listed' ? listed.items.map((h) => [h.generation, h.parentGeneration, h.createdAtMs]) : listed, [
            [1n, null, 1000],
            [2n, 1n, 2000],
            [3n, 2n, 3000],
            [4n, 3n, 4000],
            [5n, 4n, 5000],
          ]);
          const since = await store.readPlansSince(3000);
          assert.deepEqual(since.kind === 'listed' ? since.items.map((p) => p.header.generation) : since, [3n, 4n, 5n]);
          const third = await store.readPlan(3n);
          assert.equal(third.kind === 'found' ? third.plan.plan.digest : undefined, fakeEncodedPlan(100, 3).digest);
        }));

      test('cleanup deletes only plans below the bound and never the newest; generations are never reused after it', () =>
        withStore(async (store) => {
          let parent: bigint | null = null;
          for (let i = 0; i < 4; i++) parent = await publish(store, parent, fakeEncodedPlan(2000, i + 1, 700));
          assert.deepEqual(await store.deletePlans({ below: 3n }), { kind: 'deleted', generations: [1n, 2n] });
          assert.deepEqual(await store.readPlan(2n), { kind: 'none' });
          assert.equal((await store.readPlan(3n)).kind, 'found');
          assert.deepEqual(await store.deletePlans({ below: 100n }), { kind: 'deleted', generations: [3n] }, 'the newest stays, whatever the bound');
          const newest = await store.readNewestPlan();
          assert.equal(newest.kind === 'found' ? newest.plan.header.generation : undefined, 4n);
          assert.equal(await publish(store, 4n), 5n);
          const listed = await store.listPlans();
          assert.deepEqual(listed.kind === 'listed' ? listed.items.map((h) => h.generation) : listed, [4n, 5n]);
        }));

      test('a publish whose digest does not match its chunks is refused as a programmer error', () =>
        withStore(async (store) => {
          const plan = fakeEncodedPlan(100, 1);
          await assert.rejects(store.publishPlan({ parentGeneration: null, createdAtMs: 1, plan: { ...plan, digest: '0'.repeat(64) } }), { code: 'ERR_ASSERTION' });
          assert.deepEqual(await store.readNewestHeader(), { kind: 'none' });
        }));
    });

    describe('applied generations', () => {
      test('an applied generation is set only against the generation the writer read, and only upwards', () =>
        withStore(async (store) => {
          const key = { provider: 'rfc2136:ns1' };
          assert.deepEqual(await store.readApplied(key), { kind: 'none' });
          assert.deepEqual(await store.setApplied({ ...key, expected: 3n, generation: 4n, by: 'A' }), { kind: 'fenced', current: null });
          assert.deepEqual(await store.setApplied({ ...key, expected: null, generation: 4n, by: 'A' }), { kind: 'applied', generation: 4n });
          assert.deepEqual(await store.setApplied({ ...key, expected: null, generation: 5n, by: 'B' }), { kind: 'fenced', current: 4n });
          assert.deepEqual(await store.setApplied({ ...key, expected: 4n, generation: 4n, by: 'B' }), { kind: 'fenced', current: 4n }, 'never sideways');
          assert.deepEqual(await store.setApplied({ ...key, expected: 4n, generation: 3n, by: 'B' }), { kind: 'fenced', current: 4n }, 'never backwards');
          assert.deepEqual(await store.setApplied({ ...key, expected: 4n, generation: 9n, by: 'B' }), { kind: 'applied', generation: 9n });
          const read = await store.readApplied(key);
          assert.equal(read.kind, 'found');
          if (read.kind === 'found') assert.deepEqual({ ...read.applied, atMs: 0 }, { provider: 'rfc2136:ns1', zone: null, generation: 9n, atMs: 0, by: 'B' });
        }));

      test('of several writers fenced on the same generation at once, exactly one succeeds', () =>
        withStore(async (store) => {
          await store.setApplied({ provider: 'p', expected: null, generation: 1n, by: 'x' });
          const outcomes = await Promise.all(['A', 'B', 'C'].map((by, i) => store.setApplied({ provider: 'p', expected: 1n, generation: BigInt(2 + i), by })));
          assert.equal(outcomes.filter((o) => o.kind === 'applied').length, 1);
          assert.equal(outcomes.filter((o) => o.kind === 'fenced').length, 2);
        }));

      test('per-zone applied generations are separate from the provider-wide one, and all are listed', () =>
        withStore(async (store) => {
          await store.setApplied({ provider: 'builtin', expected: null, generation: 2n, by: 'A' });
          await store.setApplied({ provider: 'builtin', zone: 'demo.test.', expected: null, generation: 5n, by: 'A' });
          await store.setApplied({ provider: 'builtin', zone: 'other/zone.', expected: null, generation: 7n, by: 'B' });
          const listed = await store.listApplied();
          assert.deepEqual(listed.kind === 'listed' ? listed.items.map((a) => [a.provider, a.zone, a.generation]).sort() : listed, [
            ['builtin', 'demo.test.', 5n],
            ['builtin', 'other/zone.', 7n],
            ['builtin', null, 2n],
          ].sort());
        }));
    });

    describe('record sets of the built-in provider', () => {
      const zoneKey = { provider: 'builtin', zone: 'demo.test.' };
      const changes = (entries: Record<string, string | null>): RecordSetChange[] => Object.entries(entries).map(([n, v]) => ({ name: n, value: v === null ? null : bytes(v) }));
      const asText = (read: RecordSetsRead): unknown =>
        read.kind === 'found' ? { generation: read.generation, isFull: read.isFull, names: Object.fromEntries(read.changes.map((c) => [c.name, text(c.value)])) } : read;
      const apply = (store: Store, expected: bigint | null, generation: bigint, entries: Record<string, string | null>, isFull = false): Promise<FencedOutcome> =>
        store.applyRecordSets({ ...zoneKey, expected, generation, by: 'A', changes: changes(entries), isFull });

      test("the fenced write stores the zone's record sets with its generation, or nothing when fenced", () =>
        withStore(async (store) => {
          assert.deepEqual(await store.readRecordSets(zoneKey), { kind: 'none' });
          assert.deepEqual(await apply(store, null, 3n, { 'api.demo.test.': 'A 192.0.2.1', 'www.demo.test.': 'A 192.0.2.2' }, true), { kind: 'applied', generation: 3n });
          assert.deepEqual(asText(await store.readRecordSets(zoneKey)), { generation: 3n, isFull: true, names: { 'api.demo.test.': 'A 192.0.2.1', 'www.demo.test.': 'A 192.0.2.2' } });
          // A stale enactor (it read generation 1 long ago) is refused, and changes nothing.
          assert.deepEqual(await apply(store, 1n, 2n, { 'api.demo.test.': null }), { kind: 'fenced', current: 3n });
          assert.deepEqual(await apply(store, 3n, 3n, { 'api.demo.test.': null }), { kind: 'fenced', current: 3n });
          assert.deepEqual(asText(await store.readRecordSets(zoneKey)), { generation: 3n, isFull: true, names: { 'api.demo.test.': 'A 192.0.2.1', 'www.demo.test.': 'A 192.0.2.2' } });
          const applied = await store.readApplied(zoneKey);
          assert.equal(applied.kind === 'found' ? applied.applied.generation : applied.kind, 3n, 'the record sets and the applied generation are one');
        }));

      test('a reader k generations behind gets only the changed names; one too far behind gets the whole zone', () =>
        withStore(async (store) => {
          await apply(store, null, 1n, { 'a.demo.test.': '1', 'b.demo.test.': '1', 'c.demo.test.': '1' }, true);
          await apply(store, 1n, 2n, { 'a.demo.test.': '2' });
          await apply(store, 2n, 3n, { 'b.demo.test.': null, 'd.demo.test.': '3' });
          assert.deepEqual(asText(await store.readRecordSets({ ...zoneKey, sinceGeneration: 2n })), { generation: 3n, isFull: false, names: { 'b.demo.test.': null, 'd.demo.test.': '3' } });
          assert.deepEqual(asText(await store.readRecordSets({ ...zoneKey, sinceGeneration: 1n })), { generation: 3n, isFull: false, names: { 'a.demo.test.': '2', 'b.demo.test.': null, 'd.demo.test.': '3' } });
          assert.deepEqual(asText(await store.readRecordSets({ ...zoneKey, sinceGeneration: 3n })), { generation: 3n, isFull: false, names: {} });
          const whole = { generation: 3n, isFull: true, names: { 'a.demo.test.': '2', 'c.demo.test.': '1', 'd.demo.test.': '3' } };
          assert.deepEqual(asText(await store.readRecordSets({ ...zoneKey, sinceGeneration: 0n })), whole, 'before the first (full) write: the whole zone');
          assert.deepEqual(asText(await store.readRecordSets({ ...zoneKey, sinceGeneration: 9n })), whole, 'a reader ahead of the store (restored backup) starts over');
          assert.deepEqual(asText(await store.readRecordSets(zoneKey)), whole);
        }));

      test('a full write replaces the zone, and readers from before it get the whole zone', () =>
        withStore(async (store) => {
          await apply(store, null, 1n, { 'a.demo.test.': '1', 'b.demo.test.': '1' }, true);
          await apply(store, 1n, 2n, { 'c.demo.test.': '2' }, true);
          await apply(store, 2n, 3n, { 'd.demo.test.': '3' });
          assert.deepEqual(asText(await store.readRecordSets({ ...zoneKey, sinceGeneration: 1n })), { generation: 3n, isFull: true, names: { 'c.demo.test.': '2', 'd.demo.test.': '3' } });
          assert.deepEqual(asText(await store.readRecordSets({ ...zoneKey, sinceGeneration: 2n })), { generation: 3n, isFull: false, names: { 'd.demo.test.': '3' } });
        }));

      test('a hundred writes fold into snapshots and the zone reads the same, whole and by changes', () =>
        withStore(async (store) => {
          const model = new Map<string, string>();
          let previous: bigint | null = null;
          for (let g = 1n; g <= 100n; g++) {
            const entries: Record<string, string | null> = { [`n${g % 7n}.demo.test.`]: `v${g}`, [`m${g}.demo.test.`]: `v${g}` };
            if (g % 5n === 0n) entries[`m${g - 3n}.demo.test.`] = null;
            for (const [n, v] of Object.entries(entries)) if (v === null) model.delete(n);
            else model.set(n, v);
            assert.equal((await apply(store, previous, g, entries)).kind, 'applied');
            previous = g;
          }
          const whole = await store.readRecordSets(zoneKey);
          assert.deepEqual(asText(whole), { generation: 100n, isFull: true, names: Object.fromEntries([...model].sort(([a], [b]) => (a < b ? -1 : 1))) });
          const recent = await store.readRecordSets({ ...zoneKey, sinceGeneration: 98n });
          assert.deepEqual(asText(recent), { generation: 100n, isFull: false, names: { 'n1.demo.test.': 'v99', 'm99.demo.test.': 'v99', 'n2.demo.test.': 'v100', 'm100.demo.test.': 'v100', 'm97.demo.test.': null } });
          const old = await store.readRecordSets({ ...zoneKey, sinceGeneration: 10n });
          assert.equal(old.kind === 'found' ? old.isFull : old.kind, true, 'deltas that old were folded away');
        }));

      test('record sets larger than a chunk are stored and read back whole', () =>
        withStore(async (store) => {
          const entries: Record<string, string> = {};
          for (let i = 0; i < 5000; i++) entries[`name-${String(i).padStart(5, '0')}.demo.test.`] = `A 192.0.2.${i % 250} `.repeat(10);
          await apply(store, null, 1n, entries, true);
          const read = await store.readRecordSets(zoneKey);
          assert.equal(read.kind === 'found' ? read.changes.length : read.kind, 5000);
          assert.deepEqual(asText(read), { generation: 1n, isFull: true, names: entries });
        }));
    });

    describe('watch', () => {
      const zoneKey = { provider: 'builtin', zone: 'demo.test.' };
      const applyTo = (store: Store, zone: string, generation: bigint): Promise<FencedOutcome> =>
        store.applyRecordSets({ provider: 'builtin', zone, expected: generation === 1n ? null : generation - 1n, generation, by: 'A', changes: [{ name: `a.${zone}`, value: bytes(`${generation}`) }] });

      test('a watch says changed once after a write to what it watches, and timeout when only other keys were written', () =>
        withStore(async (store) => {
          const watch = store.watch([{ kind: 'newest-plan' }]);
          try {
            await store.recordHeartbeat({ id: 'A', role: 'enactor', outcome: 'applied' });
            await applyTo(store, 'demo.test.', 1n);
            assert.equal(await watch.next({ timeoutMs: 1000 }), 'timeout', 'a heartbeat and a zone write are not the newest plan');
            await publish(store, null);
            assert.equal(await watch.next({ timeoutMs: 1000 }), 'changed', 'written between two calls: never missed');
            assert.equal(await watch.next({ timeoutMs: 1000 }), 'timeout', 'said once');
            await publish(store, 1n);
            await publish(store, 2n);
            assert.equal(await watch.next({ timeoutMs: 1000 }), 'changed', 'two writes: one wake-up, then the caller reads the newest');
          } finally {
            watch.close();
          }
        }));

      test("a waiter on a zone's applied generation wakes when that zone is written, not another, and ends at its timeout or its signal", () =>
        withStore(async (store, { clock }) => {
          clock.isHoldingSleeps = true;
          const watch = store.watch([{ kind: 'applied', ...zoneKey }]);
          try {
            let outcome: string | undefined;
            const waiting = watch.next({ timeoutMs: 60_000 }).then((o) => (outcome = o));
            await applyTo(store, 'other.test.', 1n);
            await systemClock.sleep(50);
            assert.equal(outcome, undefined, 'another zone written: still waiting');
            await applyTo(store, 'demo.test.', 1n);
            await Promise.race([waiting, systemClock.sleep(2000)]);
            assert.equal(outcome, 'changed', 'woken by the write, long before its timeout');

            const timing = watch.next({ timeoutMs: 1000 });
            await systemClock.sleep(10);
            clock.advance(1000);
            assert.equal(await timing, 'timeout');
            const controller = new AbortController();
            const aborting = watch.next({ timeoutMs: 60_000, signal: controller.signal });
            controller.abort();
            assert.equal(await aborting, 'aborted');
          } finally {
            watch.close();
            clock.isHoldingSleeps = false;
          }
        }));
    });

    describe('leases', () => {
      test("a lease is held by one holder until it expires by the store's clock, and renewed only by its holder", () =>
        withStore(async (store, { clock }) => {
          const held = await store.acquireLease({ name: 'planner', holder: 'p1', ttlMs: 10_000 });
          assert.equal(held.kind, 'held');
          assert.equal((await store.acquireLease({ name: 'planner', holder: 'p2', ttlMs: 10_000 })).kind, 'taken');
          assert.equal((await store.renewLease({ name: 'planner', holder: 'p2', ttlMs: 10_000 })).kind, 'taken');
          clock.advance(9_000);
          const renewed = await store.renewLease({ name: 'planner', holder: 'p1', ttlMs: 10_000 });
          assert.equal(renewed.kind === 'held' ? renewed.lease.expiresAtMs : renewed.kind, clock.nowMs() + 10_000);
          clock.advance(9_000);
          assert.equal((await store.acquireLease({ name: 'planner', holder: 'p2', ttlMs: 10_000 })).kind, 'taken', 'renewed: not expired yet');
          clock.advance(2_000);
          const read = await store.readLease('planner');
          assert.equal(read.kind === 'found' ? read.isExpired : read.kind, true);
          const taken = await store.acquireLease({ name: 'planner', holder: 'p2', ttlMs: 10_000 });
          assert.equal(taken.kind === 'held' ? taken.lease.holder : taken.kind, 'p2');
          assert.equal((await store.renewLease({ name: 'planner', holder: 'p1', ttlMs: 10_000 })).kind, 'taken', 'the old holder lost it');
          assert.deepEqual(await store.releaseLease({ name: 'planner', holder: 'p1' }), { kind: 'not-holder' });
          assert.deepEqual(await store.releaseLease({ name: 'planner', holder: 'p2' }), { kind: 'released' });
          assert.deepEqual(await store.readLease('planner'), { kind: 'none' });
        }));

      test('of several contenders for a free lease at once, exactly one holds it', () =>
        withStore(async (store) => {
          const outcomes = await Promise.all(['a', 'b', 'c', 'd'].map((holder) => store.acquireLease({ name: 'planner', holder, ttlMs: 5000 })));
          assert.equal(outcomes.filter((o) => o.kind === 'held').length, 1);
          assert.equal(outcomes.filter((o) => o.kind === 'taken').length, 3);
        }));
    });

    describe('reports', () => {
      test('heartbeats keep the last outcome of each enactor', () =>
        withStore(async (store, { clock }) => {
          await store.recordHeartbeat({ id: 'A', role: 'enactor', outcome: 'applied', generation: 4n });
          await store.recordHeartbeat({ id: 'B', role: 'enactor', outcome: 'fenced', detail: 'current 5' });
          clock.advance(1000);
          await store.recordHeartbeat({ id: 'A', role: 'enactor', outcome: 'unavailable' });
          const listed = await store.listHeartbeats();
          assert.deepEqual(listed.kind === 'listed' ? listed.items.map((h) => [h.id, h.outcome, h.atMs - clock.nowMs()]) : listed, [
            ['A', 'unavailable', 0],
            ['B', 'fenced', -1000],
          ]);
        }));

      test('the audit log reads newest first, limited', () =>
        withStore(async (store, { clock }) => {
          for (let i = 0; i < 5; i++) {
            await store.appendAudit({ actor: 'operator', action: i === 4 ? 'freeze' : 'publish', detail: `entry ${i}`, generation: BigInt(i) });
            clock.advance(10);
          }
          const read = await store.readAudit({ limit: 3 });
          assert.deepEqual(read.kind === 'listed' ? read.items.map((e) => e.detail) : read, ['entry 4', 'entry 3', 'entry 2']);
          assert.equal(read.kind === 'listed' ? read.items[0].generation : undefined, 4n);
        }));

      test('health transitions read since a time, oldest first; checker heartbeats are kept per checker', () =>
        withStore(async (store) => {
          for (let i = 0; i < 6; i++) {
            await store.recordHealthTransition({ checkerId: 'c1', target: 'tcp://192.0.2.1:80', from: i % 2 === 0 ? 'up' : 'down', to: i % 2 === 0 ? 'down' : 'up', atMs: 1000 * i, detail: `t${i}` });
          }
          const read = await store.readHealthTransitions({ sinceMs: 2000, limit: 100 });
          assert.deepEqual(read.kind === 'listed' ? read.items.map((t) => t.detail) : read, ['t2', 't3', 't4', 't5']);
          const limited = await store.readHealthTransitions({ sinceMs: 0, limit: 2 });
          assert.deepEqual(limited.kind === 'listed' ? limited.items.map((t) => t.detail) : limited, ['t4', 't5']);
          await store.recordCheckerHeartbeat({ checkerId: 'c1', atMs: 5 });
          await store.recordCheckerHeartbeat({ checkerId: 'c2', atMs: 6 });
          await store.recordCheckerHeartbeat({ checkerId: 'c1', atMs: 7 });
          const checkers = await store.listCheckerHeartbeats();
          assert.deepEqual(checkers.kind === 'listed' ? checkers.items : checkers, [
            { checkerId: 'c1', atMs: 7 },
            { checkerId: 'c2', atMs: 6 },
          ]);
        }));

      test('the planner is not frozen in a new store; freeze and resume record who and why', () =>
        withStore(async (store, { clock }) => {
          const initial = await store.readFreeze();
          assert.equal(initial.kind === 'found' ? initial.freeze.isFrozen : initial.kind, false);
          await store.setFreeze({ isFrozen: true, by: 'alice', reason: 'rollback to 41' });
          assert.deepEqual(await store.readFreeze(), { kind: 'found', freeze: { isFrozen: true, by: 'alice', reason: 'rollback to 41', atMs: clock.nowMs() } });
          await store.setFreeze({ isFrozen: false, by: 'bob', reason: 'incident closed' });
          const resumed = await store.readFreeze();
          assert.equal(resumed.kind === 'found' ? `${resumed.freeze.isFrozen} ${resumed.freeze.by}` : resumed.kind, 'false bob');
        }));

      test('a drain is recorded per target with who and why, and an undrain replaces it', () =>
        withStore(async (store, { clock }) => {
          assert.deepEqual(await store.listDrains(), { kind: 'listed', items: [] });
          await store.setDrain({ target: 'tcp://192.0.2.1:443', isDrained: true, by: 'alice', reason: 'kernel upgrade' });
          await store.setDrain({ target: 'tcp://192.0.2.2:443', isDrained: true, by: 'alice', reason: 'disk' });
          await store.setDrain({ target: 'tcp://192.0.2.2:443', isDrained: false, by: 'bob', reason: 'disk replaced' });
          const drains = await store.listDrains();
          assert.deepEqual(drains.kind === 'listed' ? drains.items : drains, [
            { target: 'tcp://192.0.2.1:443', isDrained: true, by: 'alice', reason: 'kernel upgrade', atMs: clock.nowMs() },
            { target: 'tcp://192.0.2.2:443', isDrained: false, by: 'bob', reason: 'disk replaced', atMs: clock.nowMs() },
          ]);
        }));
    });

    if (options.isDurable) {
      test('everything written is there after the store is closed and opened again', async () => {
        const dir = mkdtempSync(path.join(tmpdir(), `resolute-store-${name}-`));
        const context: StoreContractContext = { clock: new ManualClock(), random: seededRandom(3) };
        try {
          const first = await open(dir, context);
          await publish(first, null, fakeEncodedPlan(600_000, 1));
          await first.setApplied({ provider: 'p', expected: null, generation: 1n, by: 'A' });
          await first.applyRecordSets({ provider: 'builtin', zone: 'z.', expected: null, generation: 1n, by: 'A', changes: [{ name: 'a.z.', value: bytes('x') }], isFull: true });
          await first.acquireLease({ name: 'planner', holder: 'p1', ttlMs: 1000 });
          await first.setFreeze({ isFrozen: true, by: 'alice', reason: 'why' });
          await first.close();
          const second = await open(dir, context);
          try {
            const newest = await second.readNewestPlan();
            assert.equal(newest.kind === 'found' ? newest.plan.plan.digest : newest.kind, fakeEncodedPlan(600_000, 1).digest);
            assert.equal(await publish(second, 1n), 2n);
            const applied = await second.readApplied({ provider: 'p' });
            assert.equal(applied.kind === 'found' ? applied.applied.generation : applied.kind, 1n);
            const zone = await second.readRecordSets({ provider: 'builtin', zone: 'z.' });
            assert.equal(zone.kind === 'found' ? text(zone.changes[0].value) : zone.kind, 'x');
            assert.equal((await second.readLease('planner')).kind, 'found');
            const freeze = await second.readFreeze();
            assert.equal(freeze.kind === 'found' ? freeze.freeze.isFrozen : freeze.kind, true);
          } finally {
            await second.close();
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  });
}
