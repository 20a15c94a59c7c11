import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { systemClock } from '../../base/clock.js';
import { seededRandom } from '../../base/random.js';
import { exchange } from '../../dns/exchange.js';
import { startDnsServer, type DnsServer } from '../../dns/server/dns-server.js';
import { formatIPv4 } from '../../dns/wire/address-text.js';
import { Rcode, RRType } from '../../dns/wire/constants.js';
import { buildQuery } from '../../dns/wire/message.js';
import { isSerialNewer, serialOfSoaRdata } from '../../dns/xfr/soa-serial.js';
import { KvStore } from '../../store/kv/kv-store.js';
import { MemoryKeyValue } from '../../store/memory/memory-key-value.js';
import type { Store } from '../../store/store.js';
import type { Fence } from '../provider.js';
import { zoneRecordsFor } from '../provider-contract.js';
import { BuiltinProvider } from './builtin-provider.js';
import { ZoneFollower } from './zone-follower.js';

const ZONE = 'demo.test.';
const dirs: string[] = [];
const servers: DnsServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function setUp(): { kv: MemoryKeyValue; store: Store; provider: BuiltinProvider; snapshotFile: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'resolute-follower-'));
  dirs.push(dir);
  const kv = new MemoryKeyValue();
  const store = new KvStore(kv, { clock: systemClock, random: seededRandom(3) });
  const provider = new BuiltinProvider({ id: 'builtin', zones: [ZONE], store, by: 'enactor-a' });
  return { kv, store, provider, snapshotFile: path.join(dir, 'dns.zones') };
}

async function serve(follower: ZoneFollower): Promise<DnsServer> {
  const server = await startDnsServer({ address: '127.0.0.1', port: 0, table: follower.table, random: seededRandom(9) });
  servers.push(server);
  follower.attach(server);
  return server;
}

let queryId = 1;
async function ask(server: DnsServer, name: string, type: number): Promise<{ rcode: number; answers: string[]; serial?: number }> {
  const { response } = await exchange(buildQuery(name, type, { id: queryId++ }), server, { transport: 'udp', timeoutMs: 2000 });
  const answers = response.answers.filter((r) => r.type === type);
  return {
    rcode: response.rcode,
    answers: answers.map((r) => (type === RRType.A ? formatIPv4(r.rdata) : Buffer.from(r.rdata).toString('hex'))),
    ...(type === RRType.SOA && answers.length > 0 ? { serial: serialOfSoaRdata(answers[0].rdata) } : {}),
  };
}

function manyNames(count: number, third: number): Record<string, string[]> {
  const names: Record<string, string[]> = {};
  for (let i = 0; i < count; i++) names[`n${i}`] = [`10.${third}.${i >> 8}.${i & 0xff}`];
  return names;
}

async function applied(provider: BuiltinProvider, records: ReturnType<typeof zoneRecordsFor>, expected: Fence): Promise<void> {
  const outcome = await provider.apply(records, expected);
  assert.deepEqual(outcome, { kind: 'applied', generation: records.generation });
}

describe('the zone follower of the built-in provider', () => {
  test('a change of k names reaches a running DNS server in one O(k) step, and its serial rises', async () => {
    const { store, provider, snapshotFile } = setUp();
    const before = manyNames(5000, 1);
    await applied(provider, zoneRecordsFor(ZONE, 1n, before), { kind: 'missing' });
    const follower = await ZoneFollower.open({ store, provider: 'builtin', zones: [ZONE], snapshotFile, clock: systemClock });
    const server = await serve(follower);
    assert.equal((await ask(server, `n1.${ZONE}`, RRType.A)).rcode, Rcode.SERVFAIL, 'nothing read yet: SERVFAIL, never an empty answer');
    const first = await follower.step();
    assert.equal(first.changed.get(ZONE), 5000);
    assert.deepEqual((await ask(server, `n7.${ZONE}`, RRType.A)).answers, ['10.1.0.7']);
    const serial1 = (await ask(server, ZONE, RRType.SOA)).serial as number;

    const afterChange: Record<string, string[]> = { ...before, n7: ['192.0.2.7'], n8: ['192.0.2.8'], added: ['192.0.2.99'] };
    delete afterChange.n9;
    await applied(provider, zoneRecordsFor(ZONE, 2n, afterChange), { kind: 'generation', generation: 1n });
    const started = performance.now();
    const second = await follower.step();
    const elapsedMs = performance.now() - started;
    assert.equal(second.changed.get(ZONE), 5, 'four names and the zone meta, not the 5,000');
    assert.ok(elapsedMs < 250, `the step took ${elapsedMs.toFixed(1)} ms`);
    assert.deepEqual((await ask(server, `n7.${ZONE}`, RRType.A)).answers, ['192.0.2.7']);
    assert.deepEqual((await ask(server, `added.${ZONE}`, RRType.A)).answers, ['192.0.2.99']);
    assert.equal((await ask(server, `n9.${ZONE}`, RRType.A)).rcode, Rcode.NXDOMAIN);
    assert.deepEqual((await ask(server, `n10.${ZONE}`, RRType.A)).answers, ['10.1.0.10']);
    assert.equal((await ask(server, ZONE, RRType.NS)).answers.length, 1, 'the apex NS comes from the plan');
    const serial2 = (await ask(server, ZONE, RRType.SOA)).serial as number;
    assert.ok(isSerialNewer(serial2, serial1), `serial ${serial2} is newer than ${serial1}`);
    assert.deepEqual(follower.served, new Map([[ZONE, 2n]]));
    await follower.close();
  });

  test('a follower starts from its disk snapshot and answers while the store is down', async () => {
    const { kv, store, provider, snapshotFile } = setUp();
    await applied(provider, zoneRecordsFor(ZONE, 7n, { api: ['192.0.2.1', '192.0.2.2'], www: ['192.0.2.3'] }), { kind: 'missing' });
    const first = await ZoneFollower.open({ store, provider: 'builtin', zones: [ZONE], snapshotFile, clock: systemClock });
    await first.step();
    await first.close();

    kv.setUnavailable(true);
    const restarted = await ZoneFollower.open({ store, provider: 'builtin', zones: [ZONE], snapshotFile, clock: systemClock });
    assert.equal(restarted.snapshotError, undefined);
    const server = await serve(restarted);
    const outcome = await restarted.step();
    assert.equal(outcome.unavailable.get(ZONE)?.code, 'ERR_STORE_UNAVAILABLE');
    assert.deepEqual((await ask(server, `www.${ZONE}`, RRType.A)).answers, ['192.0.2.3']);
    assert.equal((await ask(server, `api.${ZONE}`, RRType.A)).answers.length, 1, 'pick 1 of the weighted pair');
    assert.deepEqual(restarted.served, new Map([[ZONE, 7n]]));

    // The store back, with a newer generation: the follower catches up from the snapshot's generation.
    kv.setUnavailable(false);
    await applied(provider, zoneRecordsFor(ZONE, 8n, { api: ['192.0.2.1', '192.0.2.2'], www: ['192.0.2.4'] }), { kind: 'generation', generation: 7n });
    const caughtUp = await restarted.step();
    assert.equal(caughtUp.changed.get(ZONE), 2, 'www and the zone meta only');
    assert.deepEqual((await ask(server, `www.${ZONE}`, RRType.A)).answers, ['192.0.2.4']);
  });

  test('a removed or unreadable marker never empties what the server answers', async () => {
    const { kv, store, provider, snapshotFile } = setUp();
    await applied(provider, zoneRecordsFor(ZONE, 3n, { api: ['192.0.2.1'] }), { kind: 'missing' });
    const follower = await ZoneFollower.open({ store, provider: 'builtin', zones: [ZONE], snapshotFile, clock: systemClock });
    const server = await serve(follower);
    await follower.step();
    const key = `applied/builtin/${encodeURIComponent(ZONE)}`;
    await kv.txn([], [{ kind: 'put', key, value: new TextEncoder().encode('garbage') }]);
    assert.equal((await follower.step()).unavailable.size, 1);
    assert.deepEqual((await ask(server, `api.${ZONE}`, RRType.A)).answers, ['192.0.2.1']);
    await kv.txn([], [{ kind: 'delete', key }]);
    await follower.step();
    assert.deepEqual((await ask(server, `api.${ZONE}`, RRType.A)).answers, ['192.0.2.1']);
  });

  test('a plan that does not touch a zone keeps its serial, and serials keep rising as generations cross 2^32', async () => {
    const { store, provider, snapshotFile } = setUp();
    const follower = await ZoneFollower.open({ store, provider: 'builtin', zones: [ZONE], snapshotFile, clock: systemClock });
    const server = await serve(follower);
    const serials: number[] = [];
    let fence: Fence = { kind: 'missing' };
    const steps: Array<[bigint, string]> = [
      [2n ** 32n - 3n, '192.0.2.1'],
      [2n ** 32n - 2n, '192.0.2.1'], // untouched: same serial
      [2n ** 32n - 1n, '192.0.2.2'],
      [2n ** 32n, '192.0.2.3'],
      [2n ** 32n + 1n, '192.0.2.3'], // untouched
      [2n ** 32n + 5n, '192.0.2.4'],
      [2n ** 33n + 7n, '192.0.2.5'],
    ];
    for (const [generation, address] of steps) {
      await applied(provider, zoneRecordsFor(ZONE, generation, { api: [address] }), fence);
      fence = { kind: 'generation', generation };
      await follower.step();
      serials.push((await ask(server, ZONE, RRType.SOA)).serial as number);
      assert.deepEqual((await ask(server, `api.${ZONE}`, RRType.A)).answers, [address]);
    }
    assert.equal(serials[1], serials[0], 'a plan that leaves the zone alone keeps its serial');
    assert.equal(serials[4], serials[3], 'a plan that leaves the zone alone keeps its serial');
    for (const i of [2, 3, 5, 6]) assert.ok(isSerialNewer(serials[i], serials[i - 1]), `serial ${serials[i]} is newer than ${serials[i - 1]} (RFC 1982)`);
    assert.ok(serials[3] < serials[2], 'the serial wrapped past 2^32 and still counts as newer');
  });

  test('a zone the built-in provider applies after the follower started is served, kept in the snapshot, and an external zone is not', async () => {
    const { kv, store, provider, snapshotFile } = setUp();
    const added = 'added.test.';
    const external = 'external.test.';
    await applied(provider, zoneRecordsFor(ZONE, 1n, { api: ['192.0.2.1'] }), { kind: 'missing' });
    const follower = await ZoneFollower.open({ store, provider: 'builtin', zones: [ZONE], excludedZones: [external], snapshotFile, clock: systemClock });
    const server = await serve(follower);
    await follower.step();
    assert.equal((await ask(server, `api.${added}`, RRType.A)).rcode, Rcode.REFUSED, 'not a zone of this server yet');

    // A reload added the zone: an enactor applies it (and a row for a zone another provider now publishes lingers).
    await applied(provider, zoneRecordsFor(added, 2n, { api: ['192.0.2.20'], www: ['192.0.2.21'] }), { kind: 'missing' });
    await applied(provider, zoneRecordsFor(external, 2n, { api: ['192.0.2.30'] }), { kind: 'missing' });
    const learned = await follower.step();
    assert.equal(learned.changed.get(added), 2);
    assert.deepEqual((await ask(server, `www.${added}`, RRType.A)).answers, ['192.0.2.21']);
    assert.deepEqual((await ask(server, `api.${ZONE}`, RRType.A)).answers, ['192.0.2.1'], 'the zones served before still answer');
    assert.equal((await ask(server, `api.${external}`, RRType.A)).rcode, Rcode.REFUSED, 'an RFC 2136 server answers that zone, not this one');
    assert.deepEqual(follower.served, new Map([[ZONE, 1n], [added, 2n]]));

    // Later changes to the learned zone follow as deltas.
    await applied(provider, zoneRecordsFor(added, 3n, { api: ['192.0.2.22'], www: ['192.0.2.21'] }), { kind: 'generation', generation: 2n });
    assert.equal((await follower.step()).changed.get(added), 2, 'api and the zone meta only');
    assert.deepEqual((await ask(server, `api.${added}`, RRType.A)).answers, ['192.0.2.22']);
    await follower.close();

    // A restart with the store down, started with the config's zones only: the snapshot serves the learned zone too.
    kv.setUnavailable(true);
    const restarted = await ZoneFollower.open({ store, provider: 'builtin', zones: [ZONE], excludedZones: [external], snapshotFile, clock: systemClock });
    const again = await serve(restarted);
    await restarted.step();
    assert.deepEqual((await ask(again, `api.${added}`, RRType.A)).answers, ['192.0.2.22']);
    assert.deepEqual(restarted.served, new Map([[ZONE, 1n], [added, 3n]]));
  });
});
