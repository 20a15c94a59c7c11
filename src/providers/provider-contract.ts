/**
 * THE conformance suite of the provider contract (CONVENTIONS rule 2; DESIGN: the safety
 * protocol), written against provider.ts only. Every provider's test file runs it against a
 * real peer: `runProviderContract('builtin over sqlite', async () => fixture)`.
 *
 * What it proves, provider by provider: a stale write is refused; the generation never goes
 * backwards; a missing marker is adopted only under "does not exist"; an unparsable marker is
 * replaced only under its exact value; a provider ahead of the store refuses lower writes;
 * only the names that differ change; no sequence of writes, concurrent and stale ones
 * included, leaves a managed name empty.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededRandom } from '../base/random.js';
import { RRClass, RRType } from '../dns/wire/constants.js';
import { parseIPv4 } from '../dns/wire/address-text.js';
import type { ServedRRset } from '../dns/zone/zone-table.js';
import type { ApplyOutcome, Fence, Provider, ReadBack, ZoneRecords } from './provider.js';

export interface ProviderFixture {
  /** The provider under test, publishing `zone`. */
  readonly provider: Provider;
  /** A second handle on the same provider, as another enactor's process holds it. */
  readonly peer: Provider;
  readonly zone: string;
  /** Damages the marker of `zone` at the provider itself: `null` removes it, a string replaces it with that unparsable text. */
  setMarker(zone: string, raw: string | null): Promise<void>;
  /** The owner names the provider changed after `generation`, read from the provider's own log; absent if it has none. */
  changedSince?(zone: string, generation: bigint): Promise<readonly string[]>;
  close(): Promise<void>;
}

/** A zone's records at `generation`: each name → its A addresses (weighted, pick 1 when several). */
export function zoneRecordsFor(zone: string, generation: bigint, names: Readonly<Record<string, readonly string[]>>): ZoneRecords {
  const map = new Map<string, readonly ServedRRset[]>();
  for (const [label, addresses] of Object.entries(names)) {
    const name = label === '@' ? zone : `${label}.${zone}`;
    const rdatas = addresses.map((a) => parseIPv4(a) as Uint8Array);
    const rrset: ServedRRset = {
      name,
      type: RRType.A,
      class: RRClass.IN,
      ttlSeconds: 30,
      rdatas,
      weights: addresses.map((_, i) => 100 - i),
      ...(addresses.length > 1 ? { pick: 1 } : {}),
    };
    map.set(name, [rrset]);
  }
  return { zone, generation, names: map, soa: { nameservers: [`ns1.${zone}`], hostmaster: `hostmaster.${zone}`, negativeTtlSeconds: 5 } };
}

export function runProviderContract(name: string, setup: () => Promise<ProviderFixture>): void {
  const withFixture = (run: (f: ProviderFixture) => Promise<void>) => async () => {
    const fixture = await setup();
    try {
      await run(fixture);
    } finally {
      await fixture.close();
    }
  };

  describe(`the provider contract: ${name}`, () => {
    test('a zone with no marker reads as missing, and a first write adopts it under "does not exist"', withFixture(async ({ provider, zone }) => {
      assert.deepEqual(await fenceOf(provider, zone), { kind: 'missing' });
      assertFenced(await provider.apply(zoneRecordsFor(zone, 1n, { api: ['192.0.2.1'] }), generation(0n)), { kind: 'missing' });
      assertFenced(await provider.apply(zoneRecordsFor(zone, 1n, { api: ['192.0.2.1'] }), { kind: 'unparsable', raw: 'x' }), { kind: 'missing' });
      assertApplied(await provider.apply(zoneRecordsFor(zone, 1n, { api: ['192.0.2.1'] }), { kind: 'missing' }), 1n);
      assert.deepEqual(await fenceOf(provider, zone), generation(1n));
      await assertServes(provider, zoneRecordsFor(zone, 1n, { api: ['192.0.2.1'] }));
      assertFenced(await provider.apply(zoneRecordsFor(zone, 2n, { api: ['192.0.2.2'] }), { kind: 'missing' }), generation(1n));
    }));

    test('a stale write is refused by the provider and changes nothing', withFixture(async ({ provider, peer, zone }) => {
      assertApplied(await provider.apply(zoneRecordsFor(zone, 1n, { api: ['192.0.2.1'] }), { kind: 'missing' }), 1n);
      // Enactor A read generation 1, then paused; enactor B applies 2 and 3.
      const fenceA = await fenceOf(provider, zone);
      assertApplied(await peer.apply(zoneRecordsFor(zone, 2n, { api: ['192.0.2.2'] }), generation(1n)), 2n);
      assertApplied(await peer.apply(zoneRecordsFor(zone, 3n, { api: ['192.0.2.3', '192.0.2.4'] }), generation(2n)), 3n);
      assertFenced(await provider.apply(zoneRecordsFor(zone, 2n, { api: ['192.0.2.9'] }), fenceA), generation(3n));
      await assertServes(provider, zoneRecordsFor(zone, 3n, { api: ['192.0.2.3', '192.0.2.4'] }));
    }));

    test('the generation never goes backwards, not even under the right fence', withFixture(async ({ provider, zone }) => {
      assertApplied(await provider.apply(zoneRecordsFor(zone, 5n, { api: ['192.0.2.5'] }), { kind: 'missing' }), 5n);
      assertFenced(await provider.apply(zoneRecordsFor(zone, 4n, { api: ['192.0.2.4'] }), generation(5n)), generation(5n));
      assertFenced(await provider.apply(zoneRecordsFor(zone, 5n, { api: ['192.0.2.6'] }), generation(5n)), generation(5n));
      assert.deepEqual(await fenceOf(provider, zone), generation(5n));
      await assertServes(provider, zoneRecordsFor(zone, 5n, { api: ['192.0.2.5'] }));
    }));

    test('a removed marker reads as missing and is adopted again only under "does not exist"', withFixture(async ({ provider, zone, setMarker }) => {
      assertApplied(await provider.apply(zoneRecordsFor(zone, 1n, { api: ['192.0.2.1'] }), { kind: 'missing' }), 1n);
      await setMarker(zone, null);
      assert.deepEqual(await fenceOf(provider, zone), { kind: 'missing' });
      assertFenced(await provider.apply(zoneRecordsFor(zone, 2n, { api: ['192.0.2.2'] }), generation(1n)), { kind: 'missing' });
      assertApplied(await provider.apply(zoneRecordsFor(zone, 2n, { api: ['192.0.2.2'] }), { kind: 'missing' }), 2n);
      await assertServes(provider, zoneRecordsFor(zone, 2n, { api: ['192.0.2.2'] }));
    }));

    test('an unparsable marker is replaced only under its exact value', withFixture(async ({ provider, zone, setMarker }) => {
      assertApplied(await provider.apply(zoneRecordsFor(zone, 1n, { api: ['192.0.2.1'] }), { kind: 'missing' }), 1n);
      await setMarker(zone, 'not a generation');
      const fence = await fenceOf(provider, zone);
      assert.equal(fence.kind, 'unparsable');
      const raw = fence.kind === 'unparsable' ? fence.raw : '';
      const next = zoneRecordsFor(zone, 2n, { api: ['192.0.2.2'] });
      assertFenced(await provider.apply(next, generation(1n)), fence);
      assertFenced(await provider.apply(next, { kind: 'missing' }), fence);
      assertFenced(await provider.apply(next, { kind: 'unparsable', raw: `${raw} (another)` }), fence);
      assertApplied(await provider.apply(next, fence), 2n);
      await assertServes(provider, next);
    }));

    test('a provider ahead of the store refuses every lower write until a generation above it comes', withFixture(async ({ provider, peer, zone }) => {
      // A store restored from an old backup: the provider holds 1000, the enactor believes 7.
      assertApplied(await provider.apply(zoneRecordsFor(zone, 1000n, { api: ['192.0.2.10'] }), { kind: 'missing' }), 1000n);
      assertFenced(await peer.apply(zoneRecordsFor(zone, 8n, { api: ['192.0.2.8'] }), generation(7n)), generation(1000n));
      assertFenced(await peer.apply(zoneRecordsFor(zone, 900n, { api: ['192.0.2.9'] }), generation(1000n)), generation(1000n));
      await assertServes(provider, zoneRecordsFor(zone, 1000n, { api: ['192.0.2.10'] }));
      assertApplied(await peer.apply(zoneRecordsFor(zone, 1001n, { api: ['192.0.2.11'] }), generation(1000n)), 1001n);
    }));

    test('only the names that differ change, and the zone reads back whole', withFixture(async ({ provider, zone, changedSince }) => {
      const before: Record<string, string[]> = {};
      for (let i = 0; i < 40; i++) before[`n${i}`] = [`192.0.2.${i + 1}`];
      assertApplied(await provider.apply(zoneRecordsFor(zone, 1n, before), { kind: 'missing' }), 1n);
      const after: Record<string, string[]> = { ...before, n3: ['198.51.100.3'], n7: ['192.0.2.8', '198.51.100.7'], added: ['203.0.113.1'] };
      delete after.n9;
      assertApplied(await provider.apply(zoneRecordsFor(zone, 2n, after), generation(1n)), 2n);
      await assertServes(provider, zoneRecordsFor(zone, 2n, after));
      if (changedSince !== undefined) {
        assert.deepEqual([...(await changedSince(zone, 1n))].sort(), [`added.${zone}`, `n3.${zone}`, `n7.${zone}`, `n9.${zone}`]);
        // Nothing differs: the generation moves, no name changes.
        assertApplied(await provider.apply(zoneRecordsFor(zone, 3n, after), generation(2n)), 3n);
        assert.deepEqual([...(await changedSince(zone, 2n))], []);
      }
    }));

    test('no sequence of writes, concurrent, stale or over a damaged marker, leaves a managed name empty or goes backwards', withFixture(async (fixture) => {
      const seed = 0x5eed;
      const random = seededRandom(seed);
      const { zone } = fixture;
      const handles = [fixture.provider, fixture.peer];
      const plans = new Map<bigint, ZoneRecords>();
      let newest = 0n;
      let highest = 0n;
      const plan = (): ZoneRecords => {
        newest++;
        const names: Record<string, string[]> = {};
        for (let i = 0; i < 12; i++) {
          if (random.int(4) === 0 && i > 2) continue; // names come and go; n0–n2 always stay
          const count = 1 + random.int(3);
          names[`n${i}`] = Array.from({ length: count }, (_, k) => `192.0.2.${1 + ((i * 7 + k + Number(newest)) % 250)}`);
        }
        const records = zoneRecordsFor(zone, newest, names);
        plans.set(newest, records);
        return records;
      };
      for (let round = 0; round < 40; round++) {
        if (random.int(10) === 0) await fixture.setMarker(zone, random.int(2) === 0 ? null : `garbage ${round}`);
        // Each enactor reads its fence now and writes later, some with an older plan than it could.
        const reads = await Promise.all(handles.map((h) => h.readFence(zone)));
        const writes = handles.map((handle, i) => {
          const read = reads[i];
          assert.equal(read.kind, 'read', `seed ${seed}: the provider answers`);
          const fence: Fence = read.kind === 'read' ? read.fence : { kind: 'missing' };
          // Under a generation fence a stale plan is tried too; a missing or unreadable marker is
          // adopted with the newest plan, as an enactor does (anything is adoptable then).
          const isStale = fence.kind === 'generation' && random.int(3) === 0;
          const records = isStale ? (plans.get(newest - BigInt(random.int(Number(newest)))) as ZoneRecords) : plan();
          return handle.apply(records, fence);
        });
        for (const outcome of await Promise.all(writes)) assert.notEqual(outcome.kind, 'unavailable', `seed ${seed}: round ${round}`);
        const back = await fixture.provider.readBack(zone);
        assert.equal(back.kind, 'read', `seed ${seed}: round ${round}: read back`);
        if (back.kind !== 'read') return;
        if (back.fence.kind === 'generation') {
          assert.ok(back.fence.generation >= highest, `seed ${seed}: round ${round}: generation went back from ${highest} to ${back.fence.generation}`);
          highest = back.fence.generation;
          assertNamesEqual(back, plans.get(back.fence.generation) as ZoneRecords, `seed ${seed}: round ${round}`);
        }
        for (const n of ['n0', 'n1', 'n2']) {
          if (back.fence.kind !== 'generation') continue;
          const rrsets = back.names.get(`${n}.${zone}`);
          assert.ok(rrsets !== undefined && rrsets.length > 0 && rrsets.every((r) => r.rdatas.length > 0), `seed ${seed}: round ${round}: ${n} is empty`);
        }
      }
      assert.ok(highest > 0n, `seed ${seed}: some write was applied`);
    }));
  });
}

const generation = (g: bigint): Fence => ({ kind: 'generation', generation: g });

async function fenceOf(provider: Provider, zone: string): Promise<Fence> {
  const read = await provider.readFence(zone);
  assert.equal(read.kind, 'read', read.kind === 'unavailable' ? read.cause.message : '');
  return read.kind === 'read' ? read.fence : { kind: 'missing' };
}

function assertApplied(outcome: ApplyOutcome, g: bigint): void {
  assert.deepEqual(outcome.kind === 'unavailable' ? outcome.cause.message : outcome, { kind: 'applied', generation: g });
}

function assertFenced(outcome: ApplyOutcome, current: Fence): void {
  assert.deepEqual(outcome.kind === 'unavailable' ? outcome.cause.message : outcome, { kind: 'fenced', current });
}

async function assertServes(provider: Provider, records: ZoneRecords): Promise<void> {
  const back = await provider.readBack(records.zone);
  assert.equal(back.kind, 'read', back.kind === 'unavailable' ? back.cause.message : '');
  if (back.kind !== 'read') return;
  assert.deepEqual(back.fence, generation(records.generation));
  assertNamesEqual(back, records, `generation ${records.generation}`);
}

function assertNamesEqual(back: Extract<ReadBack, { kind: 'read' }>, records: ZoneRecords, where: string): void {
  const plain = (names: ReadonlyMap<string, readonly ServedRRset[]>) =>
    Object.fromEntries(
      [...names].sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, rrsets]) => [
        n,
        rrsets.map((r) => ({ type: r.type, ttl: r.ttlSeconds, rdatas: r.rdatas.map((d) => Buffer.from(d).toString('hex')), weights: r.weights, pick: r.pick })),
      ]),
    );
  assert.deepEqual(plain(back.names), plain(records.names), `${where}: the provider serves the applied generation's names`);
}
