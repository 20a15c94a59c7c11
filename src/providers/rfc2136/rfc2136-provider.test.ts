/**
 * The RFC 2136 provider against real servers (BIND 9, Knot DNS, PowerDNS with SQLite), each
 * started once for this file on a loopback high port with a generated config; every test takes
 * a fresh zone of its own on it. The one provider contract suite runs against each, then the
 * tests of what only this provider has: foreign records, adoption, a wrong key, a CNAME.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { systemClock } from '../../base/clock.js';
import { systemRandom } from '../../base/random.js';
import { parseIPv4 } from '../../dns/wire/address-text.js';
import { Opcode, RRClass, RRType } from '../../dns/wire/constants.js';
import { parseMessage } from '../../dns/wire/message.js';
import { rdataFromText } from '../../dns/wire/rdata-text.js';
import type { ResourceRecord } from '../../dns/wire/record.js';
import { parseTsigKey, type TsigKey } from '../../dns/wire/tsig-key.js';
import { startRfc2136Server, stopAllRfc2136Servers, transferZone, updateByHand as updateByHandWith, type Rfc2136Server, type Rfc2136ServerKind } from '../../testing/rfc2136-servers.js';
import type { Fence, ZoneRecords } from '../provider.js';
import { runProviderContract, zoneRecordsFor, type ProviderFixture } from '../provider-contract.js';
import { fencedUpdate } from './fence.js';
import { fenceOfMarker, groupCountOf, groupMarkerName, groupOf, markerName, markerRdata, txtRdata } from './marker.js';
import { Rfc2136Provider } from './rfc2136-provider.js';
import { tcpTransport, type Rfc2136Transport, type ServerTarget } from './signed-exchange.js';
import { addRecords, deleteRRset } from './update-message.js';

const SECRET = Buffer.alloc(32, 7).toString('base64');
const KEY = parseTsigKey(`resolute-test.:hmac-sha256:${SECRET}`, 'test key');
const KINDS: readonly Rfc2136ServerKind[] = ['bind', 'knot', 'pdns'];
const ZONES_PER_SERVER = 16;

let dir: Promise<string> | undefined;
const servers = new Map<Rfc2136ServerKind, Promise<Rfc2136Server>>();
const used = new Map<Rfc2136ServerKind, number>();
const zonesOf = (kind: Rfc2136ServerKind): string[] => Array.from({ length: ZONES_PER_SERVER }, (_, i) => `z${i}.${kind}.rfc2136.test.`);

after(async () => {
  await stopAllRfc2136Servers();
  if (dir !== undefined) await rm(await dir, { recursive: true, force: true });
});

function serverOf(kind: Rfc2136ServerKind): Promise<Rfc2136Server> {
  dir ??= mkdtemp(join(tmpdir(), 'resolute-rfc2136-'));
  let server = servers.get(kind);
  if (server === undefined) {
    server = dir.then((d) => startRfc2136Server({ kind, dir: join(d, kind), zones: zonesOf(kind), key: KEY }));
    servers.set(kind, server);
  }
  return server;
}

/** A zone of `kind`'s server no other test has touched. */
async function freshZone(kind: Rfc2136ServerKind): Promise<{ server: Rfc2136Server; zone: string }> {
  const server = await serverOf(kind);
  const n = used.get(kind) ?? 0;
  assert.ok(n < ZONES_PER_SERVER, `raise ZONES_PER_SERVER: ${kind} has no fresh zone left`);
  used.set(kind, n + 1);
  return { server, zone: zonesOf(kind)[n] };
}

function providerOn(server: Rfc2136Server, zone: string, key: TsigKey = KEY, more: { maxUpdateBytes?: number; transport?: Rfc2136Transport } = {}): Rfc2136Provider {
  return new Rfc2136Provider({ id: 'rfc2136', zones: [zone], server, key, timeoutMs: 5000, ...more });
}

/** The real TCP transport, with `beforeUpdate` run (and awaited) before each UPDATE is sent: another writer slipping in. */
function transportWithHook(beforeUpdate: (update: ReturnType<typeof parseMessage>) => Promise<void>): Rfc2136Transport {
  return {
    ...tcpTransport,
    async exchange(request, server, options) {
      const message = parseMessage(request);
      if (message.opcode === Opcode.UPDATE) await beforeUpdate(message);
      return tcpTransport.exchange(request, server, options);
    },
  };
}

/** A plan of `count` names, `changed` of them (the first ones) at another address. */
function namesPlan(zone: string, generation: bigint, count: number, changed = 0): ZoneRecords {
  const names: Record<string, string[]> = {};
  for (let i = 0; i < count; i++) names[`n${i}`] = [`10.${i < changed ? 2 : 1}.0.${i}`];
  return zoneRecordsFor(zone, generation, names);
}

/** An update with no prerequisite, as an operator's nsupdate sends it: "by hand". */
const updateByHand = (server: Rfc2136Server, zone: string, updates: readonly ResourceRecord[]): Promise<void> => updateByHandWith(server, KEY, zone, updates);

const transfer = (server: Rfc2136Server, zone: string): Promise<readonly ResourceRecord[]> => transferZone(server, KEY, zone);

const a = (address: string): Uint8Array => parseIPv4(address) as Uint8Array;
const generationFence = (generation: bigint): Fence => ({ kind: 'generation', generation });
const markerRdatas = (records: readonly ResourceRecord[], name: string): Uint8Array[] => records.filter((r) => r.name === name && r.type === RRType.TXT).map((r) => r.rdata);

/** A zone whose change from any other generation's is well over 64 KiB: every address differs. */
const BIG_NAMES = 1200;
function bigPlan(zone: string, generation: bigint): ZoneRecords {
  const names: Record<string, string[]> = {};
  for (let i = 0; i < BIG_NAMES; i++) names[`name-${i}`] = [`10.${generation}.${i >> 8}.${i & 255}`];
  return zoneRecordsFor(zone, generation, names);
}

for (const kind of KINDS) {
  runProviderContract(`rfc2136 on ${kind}`, async (): Promise<ProviderFixture> => {
    const { server, zone } = await freshZone(kind);
    const provider = providerOn(server, zone);
    const peer = providerOn(server, zone);
    return {
      provider,
      peer,
      zone,
      async setMarker(z, raw) {
        const marker = markerName(z);
        await updateByHand(server, z, [deleteRRset(marker, RRType.TXT), ...(raw === null ? [] : addRecords(marker, RRType.TXT, 0, [txtRdata([raw])]))]);
      },
      async close() {
        await provider.close();
        await peer.close();
      },
    };
  });

  describe(`the rfc2136 provider on ${kind}`, () => {
    test('foreign records put in the zone by hand survive every apply and repair, and read back as foreign', async () => {
      const { server, zone } = await freshZone(kind);
      const provider = providerOn(server, zone);
      await updateByHand(server, zone, [
        ...addRecords(`foreign.${zone}`, RRType.A, 60, [a('198.51.100.50')]),
        ...addRecords(`api.${zone}`, RRType.TXT, 60, [txtRdata(['a foreign TXT beside a managed A'])]),
        ...addRecords(zone, RRType.TXT, 60, [txtRdata(['v=spf1 -all'])]),
      ]);
      assert.deepEqual(await provider.apply(zoneRecordsFor(zone, 1n, { api: ['192.0.2.1'], web: ['192.0.2.2'] }), { kind: 'missing' }), { kind: 'applied', generation: 1n });
      assert.deepEqual(await provider.apply(zoneRecordsFor(zone, 2n, { api: ['192.0.2.3', '192.0.2.4'] }), { kind: 'generation', generation: 1n }), { kind: 'applied', generation: 2n });
      // Repair: the marker is lost, the zone is adopted again with a full rewrite.
      await updateByHand(server, zone, [deleteRRset(markerName(zone), RRType.TXT)]);
      assert.deepEqual(await provider.apply(zoneRecordsFor(zone, 3n, { api: ['192.0.2.5'] }), { kind: 'missing' }), { kind: 'applied', generation: 3n });
      const records = await transfer(server, zone);
      const has = (name: string, type: number) => records.some((r) => r.name === name && r.type === type);
      assert.ok(has(`foreign.${zone}`, RRType.A), 'the foreign A survives');
      assert.ok(has(`api.${zone}`, RRType.TXT), 'the foreign TXT at a managed name survives');
      assert.ok(has(zone, RRType.TXT), 'the foreign TXT at the apex survives');
      assert.ok(!has(`web.${zone}`, RRType.A), 'the managed name that left the plan is gone');
      const back = await provider.readBack(zone);
      assert.equal(back.kind, 'read');
      if (back.kind !== 'read') return;
      assert.deepEqual(back.foreign, [`foreign.${zone}`, zone].sort());
      assert.deepEqual([...back.names.keys()], [`api.${zone}`]);
    });

    test('a zone with records but no marker is adopted under "does not exist", taking over the names it manages', async () => {
      const { server, zone } = await freshZone(kind);
      const provider = providerOn(server, zone);
      await updateByHand(server, zone, addRecords(`api.${zone}`, RRType.A, 300, [a('203.0.113.9')]));
      const before = await provider.readBack(zone);
      assert.equal(before.kind, 'read');
      if (before.kind === 'read') {
        assert.deepEqual(before.fence, { kind: 'missing' });
        assert.deepEqual(before.foreign, [`api.${zone}`]);
      }
      const records = zoneRecordsFor(zone, 7n, { api: ['192.0.2.7'] });
      assert.deepEqual(await provider.apply(records, { kind: 'missing' }), { kind: 'applied', generation: 7n });
      const back = await provider.readBack(zone);
      assert.equal(back.kind, 'read');
      if (back.kind !== 'read') return;
      assert.deepEqual(back.fence, { kind: 'generation', generation: 7n });
      assert.deepEqual(back.foreign, []);
      assert.deepEqual(back.names.get(`api.${zone}`)?.[0].rdatas.map((d) => [...d].join('.')), ['192.0.2.7']);
    });

    test('a wrong secret or an unknown key is unavailable with a message naming the server, the zone and the fix, never the secret', async () => {
      const { server, zone } = await freshZone(kind);
      const wrongSecret = Buffer.alloc(32, 9).toString('base64');
      const cases = [
        // PowerDNS answers a transfer signed with a wrong secret with a bare NOTAUTH (no TSIG error).
        { key: parseTsigKey(`resolute-test.:hmac-sha256:${wrongSecret}`, 'wrong secret'), expect: kind === 'pdns' ? /BADSIG|BADKEY|NOTAUTH.*secret/ : /BADSIG|BADKEY/ },
        { key: parseTsigKey(`nobody.:hmac-sha256:${wrongSecret}`, 'unknown key'), expect: /BADKEY|NOTAUTH|REFUSED/ },
      ];
      for (const { key, expect } of cases) {
        const provider = providerOn(server, zone, key);
        const outcomes = [await provider.readFence(zone), await provider.apply(zoneRecordsFor(zone, 1n, { api: ['192.0.2.1'] }), { kind: 'missing' }), await provider.readBack(zone)];
        for (const outcome of outcomes) {
          assert.equal(outcome.kind, 'unavailable', `${kind} with key ${key.name}`);
          if (outcome.kind !== 'unavailable') continue;
          const message = outcome.cause.message;
          assert.equal(outcome.cause.code, 'ERR_PROVIDER_REFUSED', message);
          assert.match(message, expect);
          assert.ok(message.includes(`${server.address}:${server.port}`) && message.includes(zone) && message.includes(key.name), message);
          assert.ok(!message.includes(wrongSecret) && !message.includes(SECRET), 'no secret in the message');
        }
        // The UPDATE itself (apply stops at the transfer before it): refused the same way.
        const target: ServerTarget = { provider: 'rfc2136', server, key, timeoutMs: 5000, clock: systemClock, random: systemRandom };
        const marker = markerName(zone);
        const write = { zone, what: `UPDATE of ${zone}`, conditions: [{ name: marker, fence: { kind: 'missing' } as const }], prerequisites: [], updates: [], markers: [{ name: marker, rdata: txtRdata(['1']) }] };
        const update = await fencedUpdate(target, write, { marker: async () => ({ kind: 'read', fence: { kind: 'missing' } }), zone: async () => ({ kind: 'read', fence: { kind: 'missing' } }) });
        assert.equal(update.kind, 'unavailable', `${kind}: the UPDATE with key ${key.name}`);
        if (update.kind === 'unavailable') {
          assert.equal(update.cause.code, 'ERR_PROVIDER_REFUSED', update.cause.message);
          assert.match(update.cause.message, kind === 'pdns' ? /REFUSED.*same secret/ : /BADSIG|BADKEY/);
          assert.ok(!update.cause.message.includes(wrongSecret), 'no secret in the message');
        }
      }
      // Nothing was written with the wrong keys.
      assert.deepEqual(await providerOn(server, zone).readFence(zone), { kind: 'read', fence: { kind: 'missing' } });
    });

    test('a change over 64 KiB is split into groups by a hash of the owner name, each fenced on its own, with a stale enactor racing', async () => {
      const { server, zone } = await freshZone(kind);
      const fresh = providerOn(server, zone);
      const stale = providerOn(server, zone);
      const plans = new Map([1n, 2n, 3n].map((g) => [g, bigPlan(zone, g)]));
      assert.deepEqual(await fresh.apply(plans.get(1n) as ZoneRecords, { kind: 'missing' }), { kind: 'applied', generation: 1n });
      const groups = groupCountOf(markerRdatas(await transfer(server, zone), markerName(zone)));
      assert.ok(groups >= 4, `${kind}: a zone of ${BIG_NAMES} names is split (${groups} groups)`);
      // Both read generation 1; the stale one applies plan 2 while the fresh one applies plan 3.
      const outcomes = await Promise.all([fresh.apply(plans.get(3n) as ZoneRecords, generationFence(1n)), stale.apply(plans.get(2n) as ZoneRecords, generationFence(1n))]);
      for (const outcome of outcomes) assert.ok(outcome.kind === 'applied' || outcome.kind === 'fenced', JSON.stringify(outcome, (_, v) => (typeof v === 'bigint' ? `${v}` : v)));
      // Every group holds one generation whole: its names exactly as that generation's plan has them.
      const records = await transfer(server, zone);
      const back = await fresh.readBack(zone);
      assert.equal(back.kind, 'read');
      if (back.kind !== 'read') return;
      let lowest: bigint | undefined;
      for (let i = 0; i < groups; i++) {
        const fence = fenceOfMarker(markerRdatas(records, groupMarkerName(zone, i)));
        assert.equal(fence.kind, 'generation', `group ${i}`);
        if (fence.kind !== 'generation') continue;
        lowest = lowest === undefined || fence.generation < lowest ? fence.generation : lowest;
        const plan = plans.get(fence.generation) as ZoneRecords;
        for (const [owner, rrsets] of plan.names) {
          if (groupOf(owner, groups) !== i) continue;
          assert.deepEqual(back.names.get(owner)?.[0].rdatas, rrsets[0].rdatas, `group ${i} at ${fence.generation}: ${owner}`);
        }
      }
      assert.deepEqual(back.fence, generationFence(lowest as bigint), 'the zone reads as its lowest group');
      // A write under the old fence is refused; the next enactor converges from the fence it reads.
      assert.deepEqual(await stale.apply(bigPlan(zone, 4n), generationFence(1n)), { kind: 'fenced', current: back.fence });
      const read = await stale.readFence(zone);
      assert.equal(read.kind, 'read');
      const last = bigPlan(zone, 5n);
      assert.deepEqual(await stale.apply(last, read.kind === 'read' ? read.fence : { kind: 'missing' }), { kind: 'applied', generation: 5n });
      const final = await stale.readBack(zone);
      assert.ok(final.kind === 'read' && final.names.size === BIG_NAMES && [...last.names].every(([owner, r]) => Buffer.compare(final.names.get(owner)?.[0].rdatas[0] ?? new Uint8Array(), r[0].rdatas[0]) === 0));
      assert.deepEqual(final.kind === 'read' ? final.fence : undefined, generationFence(5n));
    });

    test('groups whose changes fit together go in ONE UPDATE, refused whole when one packed group moved meanwhile', async () => {
      const { server, zone } = await freshZone(kind);
      // 24 names in a 4,096-octet budget: several groups, and a 1-name change packs them all.
      assert.deepEqual(await providerOn(server, zone, KEY, { maxUpdateBytes: 4096 }).apply(namesPlan(zone, 1n, 24), { kind: 'missing' }), { kind: 'applied', generation: 1n });
      const groups = groupCountOf(markerRdatas(await transfer(server, zone), markerName(zone)));
      assert.ok(groups >= 2, `${kind}: 24 names in 4,096 octets make several groups (${groups})`);
      let packed: string[] = [];
      let moved: string | undefined;
      const provider = providerOn(server, zone, KEY, {
        maxUpdateBytes: 4096,
        transport: transportWithHook(async (update) => {
          packed = update.answers.filter((rr) => rr.class === RRClass.IN && rr.name.startsWith('g')).map((rr) => rr.name);
          // Another writer moves the LAST packed group's marker between the read and this UPDATE.
          moved ??= packed.at(-1);
          if (moved !== undefined && packed.includes(moved)) await updateByHand(server, zone, [deleteRRset(moved, RRType.TXT), ...addRecords(moved, RRType.TXT, 0, [markerRdata(9n)])]);
        }),
      });
      const outcome = await provider.apply(namesPlan(zone, 2n, 24, 1), generationFence(1n));
      assert.equal(packed.length, groups, `${kind}: one UPDATE carries every group's marker condition`);
      assert.deepEqual(outcome, { kind: 'fenced', current: generationFence(1n) }, `${kind}: the zone reads as its lowest group`);
      // Nothing of the packed message was applied: every other group still at 1, the changed name as it was.
      const records = await transfer(server, zone);
      for (let i = 0; i < groups; i++) {
        const name = groupMarkerName(zone, i);
        assert.deepEqual(fenceOfMarker(markerRdatas(records, name)), generationFence(name === moved ? 9n : 1n), `${kind}: group ${i}`);
      }
      assert.deepEqual(records.filter((r) => r.name === `n0.${zone}` && r.type === RRType.A).map((r) => [...r.rdata].join('.')), ['10.1.0.0']);
    });

    test('a small change is read back by queries, which catch an update the server ignored silently (RFC 2136 §3.4.2.2; PowerDNS refuses it whole)', async () => {
      const { server, zone } = await freshZone(kind);
      const provider = providerOn(server, zone);
      assert.deepEqual(await provider.apply(namesPlan(zone, 1n, 40), { kind: 'missing' }), { kind: 'applied', generation: 1n });
      // A foreign TXT at alias: a CNAME added beside it is skipped without an error (§3.4.2.2).
      await updateByHand(server, zone, addRecords(`alias.${zone}`, RRType.TXT, 60, [txtRdata(['foreign'])]));
      const plan = namesPlan(zone, 2n, 40, 1);
      const cname = { name: `alias.${zone}`, type: RRType.CNAME, class: RRClass.IN, ttlSeconds: 30, rdatas: [rdataFromText(RRType.CNAME, [`n1.${zone}`], zone)] };
      const outcome = await provider.apply({ ...plan, names: new Map([...plan.names, [`alias.${zone}`, [cname]]]) }, generationFence(1n));
      assert.equal(outcome.kind, 'unavailable', `${kind}: ${JSON.stringify(outcome, (_, v) => (typeof v === 'bigint' ? `${v}` : v))}`);
      if (outcome.kind !== 'unavailable') return;
      const served = (await transfer(server, zone)).filter((r) => r.name === `n0.${zone}` && r.type === RRType.A).map((r) => [...r.rdata].join('.'));
      if (kind === 'pdns') {
        // PowerDNS answers a CNAME beside other data with REFUSED: nothing of the message applied.
        assert.equal(outcome.cause.code, 'ERR_PROVIDER_REFUSED', outcome.cause.message);
        assert.deepEqual(served, ['10.1.0.0']);
        return;
      }
      assert.equal(outcome.cause.code, 'ERR_PROVIDER_IGNORED_UPDATE', outcome.cause.message);
      assert.match(outcome.cause.message, new RegExp(`alias\\.${zone.replace(/\./g, '\\.')} differ.*read back by \\d+ queries`));
      // The rest of the message was applied: the other changed name is served as sent.
      assert.deepEqual(served, ['10.2.0.0']);
    });

    test('a CNAME put by hand at a managed name makes the whole update fail, never a silent skip', async () => {
      const { server, zone } = await freshZone(kind);
      const provider = providerOn(server, zone);
      assert.deepEqual(await provider.apply(zoneRecordsFor(zone, 1n, { api: ['192.0.2.1'] }), { kind: 'missing' }), { kind: 'applied', generation: 1n });
      const cnameTarget = new Uint8Array([6, ...Buffer.from('target'), 7, ...Buffer.from('example'), 0]);
      await updateByHand(server, zone, addRecords(`alias.${zone}`, RRType.CNAME, 60, [cnameTarget]));
      const outcome = await provider.apply(zoneRecordsFor(zone, 2n, { api: ['192.0.2.2'], alias: ['192.0.2.3'] }), { kind: 'generation', generation: 1n });
      assert.equal(outcome.kind, 'unavailable');
      if (outcome.kind === 'unavailable') {
        assert.equal(outcome.cause.code, 'ERR_PROVIDER_CONFLICT', outcome.cause.message);
        assert.match(outcome.cause.message, new RegExp(`alias\\.${zone.replace(/\./g, '\\.')}`));
      }
      const back = await provider.readBack(zone);
      assert.equal(back.kind, 'read');
      if (back.kind === 'read') {
        assert.deepEqual(back.fence, { kind: 'generation', generation: 1n }, 'nothing of the message was applied');
        assert.deepEqual(back.names.get(`api.${zone}`)?.[0].rdatas.map((d) => [...d].join('.')), ['192.0.2.1']);
      }
    });
  });
}
