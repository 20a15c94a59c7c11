/**
 * The 2025 sequence (issue 6; test/e2e/enactor-2025.test.ts runs it on the built-in provider)
 * against each real RFC 2136 server — BIND 9, Knot DNS, PowerDNS (issue 7) — with the enactors
 * as real `resolute run --roles enactor` processes whose config has a `providers:` entry for
 * that server (its TSIG key in a `secret_file` beside the config), and the DNS watch querying
 * that server:
 *
 *   plan g-1 is served; enactor A reads plan g and the fence, and stops (SIGSTOP, the test-only
 *   hook RESOLUTE_TEST_STOP_BEFORE_APPLY) just before its UPDATE; the test publishes g+1 … g+5;
 *   B (with cleanup) or C applies each; cleanup deletes every plan below g+5; A is resumed.
 *   Expected: the name is never empty, the server's SOA serial never goes back, A's UPDATE is
 *   refused by the marker prerequisite, and the server ends at g+5.
 *
 * Then, per server, ownership with real processes: records put in the zone by hand (a foreign
 * name, a foreign TXT beside the managed A, a TXT at the apex) survive an apply, a repair by
 * reconcile (a managed record edited by hand) and `resolute rollback`, and `resolute status`
 * reports the foreign names.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { systemClock } from '../../src/base/clock.js';
import { systemRandom } from '../../src/base/random.js';
import { createProviders } from '../../src/cli/create-providers.js';
import type { SystemStatus } from '../../src/cli/status-command.js';
import { loadConfig } from '../../src/config/load-config.js';
import { parseIPv4 } from '../../src/dns/wire/address-text.js';
import { RRType } from '../../src/dns/wire/constants.js';
import { rdataToText } from '../../src/dns/wire/rdata-text.js';
import type { ResourceRecord } from '../../src/dns/wire/record.js';
import { parseTsigKey } from '../../src/dns/wire/tsig-key.js';
import { Cleanup } from '../../src/enact/cleanup.js';
import { decodePlan } from '../../src/plan/plan-codec.js';
import { markerName, txtRdata } from '../../src/providers/rfc2136/marker.js';
import { addRecords, deleteRRset } from '../../src/providers/rfc2136/update-message.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { startDnsWatch, type DnsWatch } from '../../src/testing/dns-watch.js';
import { fencedAuditOf, observed as watchRounds, processState, publishAddresses, startEnactorStoppingBefore, waitUntil as waitWithin, watchSummary, writeWorldConfig } from '../../src/testing/e2e-steps.js';
import { WORLD_NAME, WORLD_ZONE } from '../../src/testing/enact-world.js';
import { runResolute, startResoluteProcess, stopAllResoluteProcesses } from '../../src/testing/resolute-process.js';
import { startRfc2136Server, stopAllRfc2136Servers, transferZone, updateByHand, type Rfc2136Server, type Rfc2136ServerKind } from '../../src/testing/rfc2136-servers.js';

const KINDS: readonly Rfc2136ServerKind[] = ['bind', 'knot', 'pdns'];
const SECRET = Buffer.alloc(32, 5).toString('base64');
const KEY = parseTsigKey(`resolute-e2e.:hmac-sha256:${SECRET}`, 'test key');
/** Generous bounds: every wait here ends far sooner on a healthy machine. */
const BOUND_MS = 20_000;

const dir = mkdtempSync(path.join(tmpdir(), 'resolute-2025-rfc2136-'));
const stores: Store[] = [];
after(async () => {
  await stopAllResoluteProcesses(); // by PID; SIGCONT before SIGTERM for a stopped one
  for (const store of stores) await store.close();
  await stopAllRfc2136Servers();
  rmSync(dir, { recursive: true, force: true });
});

const addressesOf = (i: number): string[] => [`192.0.2.${10 + i}`, `192.0.2.${100 + i}`];
const waitUntil = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = BOUND_MS): Promise<T> => waitWithin(what, probe, timeoutMs);
const observed = (watch: DnsWatch, rounds = 3): Promise<void> => watchRounds(watch, BOUND_MS, rounds);

interface World {
  readonly server: Rfc2136Server;
  readonly configFile: string;
  readonly dataDir: string;
  readonly store: Store;
  /** `--config F --data-dir D`, for every `resolute` process of this world. */
  readonly common: readonly string[];
  appliedAt(): Promise<{ generation: bigint; by: string } | undefined>;
  /** The zone's records as the server holds them (AXFR). */
  records(): Promise<readonly ResourceRecord[]>;
}

/** A server of `kind` holding demo.test., a config whose `providers:` names it (key in a file beside it), an empty store. */
async function startWorld(kind: Rfc2136ServerKind, name: string): Promise<World> {
  const root = path.join(dir, `${kind}-${name}`);
  const server = await startRfc2136Server({ kind, dir: path.join(root, 'server'), zones: [WORLD_ZONE], key: KEY });
  writeFileSync(path.join(root, 'update.key'), `key "resolute-e2e" {\n\talgorithm hmac-sha256;\n\tsecret "${SECRET}";\n};\n`);
  const configFile = path.join(root, 'resolute.yaml');
  writeWorldConfig(configFile, `  - name: ${kind}\n    type: rfc2136\n    address: ${server.address}\n    port: ${server.port}\n    zones: [demo.test]\n    tsig: { name: resolute-e2e, secret_file: update.key }\n`);
  const dataDir = path.join(root, 'data');
  const store = await openSqliteStore({ dataDir, clock: systemClock, random: systemRandom });
  stores.push(store);
  return {
    server,
    configFile,
    dataDir,
    store,
    common: ['--config', configFile, '--data-dir', dataDir],
    async appliedAt() {
      const read = await store.readApplied({ provider: kind, zone: WORLD_ZONE });
      return read.kind === 'found' ? read.applied : undefined;
    },
    records: () => transferZone(server, KEY, WORLD_ZONE),
  };
}

const addressesIn = (records: readonly ResourceRecord[], name: string): string[] =>
  records.filter((r) => r.name === name && r.type === RRType.A).map((r) => rdataToText(RRType.A, r.rdata)).sort();
const waitForApplied = (world: World, generation: bigint, who = 'an enactor'): Promise<true> =>
  waitUntil(`${who} applies ${generation}`, async () => ((await world.appliedAt())?.generation === generation ? true : undefined));

for (const kind of KINDS) {
  describe(`the rfc2136 provider on ${kind}, real processes`, () => {
    test('the 2025 sequence: A paused before its UPDATE of g, g+1…g+5 applied and cleaned up, A resumed — never empty, never backwards, A fenced', async () => {
      const world = await startWorld(kind, '2025');
      const { store, common } = world;
      const publish = (i: number): Promise<bigint> => publishAddresses(store, addressesOf(i));

      const g0 = await publish(0);
      const g = g0 + 1n;
      const a = startEnactorStoppingBefore(g, ['run', '--roles', 'enactor', ...common, '--id', 'A', '--interval-ms', '50']);
      await waitForApplied(world, g0, 'A');
      const watch = startDnsWatch({ server: world.server, name: WORLD_NAME, zone: WORLD_ZONE, intervalMs: 20, maxQueries: 3000 });
      watch.mark('g-1 served');
      await observed(watch);

      assert.equal(await publish(1), g);
      watch.mark('A reads g');
      await waitUntil(`A (pid ${a.pid}) stopped by its hook before writing ${g}`, () => (processState(a.pid) === 'T' ? true : undefined));
      assert.equal((await world.appliedAt())?.generation, g0, 'A stopped before its write');

      watch.mark('A stopped; B and C apply g…g+5');
      startResoluteProcess(['run', '--roles', 'enactor,cleanup', ...common, '--id', 'B', '--interval-ms', '50']);
      startResoluteProcess(['run', '--roles', 'enactor', ...common, '--id', 'C', '--interval-ms', '50']);
      await waitForApplied(world, g, 'B or C');
      for (let i = 2; i <= 6; i++) await waitForApplied(world, await publish(i), 'B or C');
      const g5 = g + 5n;
      const applied5 = await world.appliedAt();
      assert.ok(applied5?.by === 'B' || applied5?.by === 'C', `g+5 applied by B or C, not ${applied5?.by}`);
      assert.equal(processState(a.pid), 'T', 'A is still stopped');

      // Cleanup with K = 1 (B's own keeps 20), over the providers the config names: plan g goes.
      watch.mark('cleanup');
      const providers = createProviders(await loadConfig(world.configFile), { store, clock: systemClock, random: systemRandom, by: 'test-cleanup', servedGeneration: () => undefined });
      // The built-in provider is there for a zone a reload might add, but takes nothing of this plan.
      assert.deepEqual(providers.map((p) => [p.id, p.zones]), [['builtin', []], [kind, [WORLD_ZONE]]], 'the config puts the zone on the server, nothing on the built-in provider');
      const cleanup = new Cleanup({ clock: systemClock, store, providers, decodePlan, id: 'test-cleanup', keepLast: 1 });
      const cleaned = await cleanup.step();
      assert.ok(cleaned.kind === 'deleted' && cleaned.generations.includes(g), 'plan g, the one A holds, is deleted');
      await observed(watch);

      // A resumes: its UPDATE requires the marker to hold g-1; the server holds g+5 and refuses it.
      watch.mark('A resumed');
      a.signal('SIGCONT');
      const fenced = await fencedAuditOf(store, 'A', "A's UPDATE refused by the marker prerequisite", BOUND_MS);
      assert.equal(fenced.generation, g);
      assert.match(fenced.detail, new RegExp(`refused at ${g5}; plan ${g} dropped for ${g5}`));
      await observed(watch);
      watch.mark('cleanup after A');
      assert.notEqual((await cleanup.step()).kind, 'deleted');
      await observed(watch, 10);

      const status = await waitUntil('status shows g+5 applied at the server, A current', async () => {
        const s = JSON.parse((await runResolute(['status', '--data-dir', world.dataDir, '--config', world.configFile, '--json'])).stdout) as SystemStatus;
        const isA = s.heartbeats.find((h) => h.id === 'A')?.generation === String(g5);
        return isA ? s : undefined;
      });
      watch.mark('end');
      await observed(watch);
      const report = await watch.stop();
      process.stdout.write(`${watchSummary(`resolute on ${kind}`, report)}\n  A fenced: ${fenced.detail}\n`);

      const provider = status.providers.find((p) => p.id === kind);
      assert.deepEqual([provider?.type, provider?.server, provider?.zones.map((z) => [z.zone, z.applied?.generation])], ['rfc2136', `${world.server.address}:${world.server.port}`, [[WORLD_ZONE, String(g5)]]]);
      assert.equal(status.providers.some((p) => p.id === 'builtin'), false, 'no zone is left on the built-in provider');
      assert.deepEqual(report.empties, [], 'api.demo.test. is never empty');
      assert.deepEqual(report.regressions, [], 'the SOA serial never goes backwards');
      assert.ok(report.queries >= 100, `a real query loop ran (${report.queries} queries)`);
      assert.ok((report.roundsByStep.get('A resumed') ?? 0) >= 3 && (report.roundsByStep.get('cleanup') ?? 0) >= 3, 'the checker saw every step');
      assert.deepEqual(addressesIn(await world.records(), WORLD_NAME), addressesOf(6).sort(), 'the server ends with g+5');
      assert.ok(!JSON.stringify(status).includes(SECRET), 'no secret in status');
    });

    test('foreign records survive an apply, a repair by reconcile and a rollback, and status reports the foreign names', async () => {
      const world = await startWorld(kind, 'foreign');
      const { store, common } = world;
      const a = (address: string): Uint8Array => parseIPv4(address) as Uint8Array;
      await updateByHand(world.server, KEY, WORLD_ZONE, [
        ...addRecords(`foreign.${WORLD_ZONE}`, RRType.A, 60, [a('198.51.100.50')]),
        ...addRecords(WORLD_NAME, RRType.TXT, 60, [txtRdata(['a foreign TXT beside a managed A'])]),
        ...addRecords(WORLD_ZONE, RRType.TXT, 60, [txtRdata(['v=spf1 -all'])]),
      ]);
      const foreignSurvives = async (step: string): Promise<void> => {
        const records = await world.records();
        const has = (name: string, type: number): boolean => records.some((r) => r.name === name && r.type === type);
        assert.ok(has(`foreign.${WORLD_ZONE}`, RRType.A) && has(WORLD_NAME, RRType.TXT) && has(WORLD_ZONE, RRType.TXT), `${kind}: the foreign records survive ${step}`);
      };
      const wide = ['192.0.2.10', '192.0.2.100', '192.0.2.20'];
      const narrow = ['192.0.2.10', '192.0.2.100'];

      // Apply: an enactor and a reconciler, each a process of its own.
      const p1 = await publishAddresses(store, wide);
      startResoluteProcess(['run', '--roles', 'enactor', ...common, '--id', 'E', '--interval-ms', '50']);
      startResoluteProcess(['run', '--roles', 'reconcile', ...common, '--id', 'R']);
      await waitForApplied(world, p1, 'E');
      const p2 = await publishAddresses(store, narrow);
      await waitForApplied(world, p2, 'E');
      await foreignSurvives('the applies');

      // Repair: the managed A edited by hand (the marker untouched): only reconcile sees the drift and
      // publishes the newest content again as a new generation (the test publishes nothing more), which
      // it or E writes.
      await updateByHand(world.server, KEY, WORLD_ZONE, [deleteRRset(WORLD_NAME, RRType.A), ...addRecords(WORLD_NAME, RRType.A, 30, [a('203.0.113.66')])]);
      const repaired = await waitUntil('reconcile repairs the drift', async () => {
        const applied = await world.appliedAt();
        return applied !== undefined && applied.generation > p2 && addressesIn(await world.records(), WORLD_NAME).join(' ') === narrow.join(' ') ? applied.generation : undefined;
      }, 3 * BOUND_MS);
      await foreignSurvives('the repair');

      // Rollback to p1: a new, higher generation with p1's content, applied through the same fence.
      const rollback = await runResolute(['rollback', '--to', String(p1), ...common, '--by', 'test']);
      assert.equal(rollback.code, 0, rollback.stderr);
      const rolledBack = await waitUntil('E applies the rollback', async () => {
        const applied = await world.appliedAt();
        return applied !== undefined && applied.generation > repaired ? applied.generation : undefined;
      });
      assert.deepEqual(addressesIn(await world.records(), WORLD_NAME), wide.slice().sort(), 'the rollback serves p1 again');
      await foreignSurvives('the rollback');
      const marker = (await world.records()).filter((r) => r.name === markerName(WORLD_ZONE) && r.type === RRType.TXT).map((r) => rdataToText(RRType.TXT, r.rdata));
      assert.deepEqual(marker, [`"${rolledBack}"`], 'the marker holds the rollback generation');

      // Status: the foreign names as reconcile last read them back; no secret.
      const status = await waitUntil('status reports the foreign names at the rollback generation', async () => {
        const run = await runResolute(['status', '--data-dir', world.dataDir, '--json']);
        const s = JSON.parse(run.stdout) as SystemStatus;
        const zone = s.providers.find((p) => p.id === kind)?.zones.find((z) => z.zone === WORLD_ZONE);
        return zone?.applied?.generation === String(rolledBack) && s.heartbeats.some((h) => h.id === 'R:reconcile' && h.generation === String(rolledBack)) ? { s, zone, text: (await runResolute(['status', '--data-dir', world.dataDir, '--config', world.configFile])).stdout } : undefined;
      }, 3 * BOUND_MS);
      assert.deepEqual(status.zone?.foreign, [WORLD_ZONE, `foreign.${WORLD_ZONE}`].sort());
      assert.match(status.text, new RegExp(`${kind} \\(rfc2136 127\\.0\\.0\\.1:${world.server.port}\\)\\n    demo\\.test\\.  applied ${rolledBack} by E, .*; foreign names: demo\\.test\\. foreign\\.demo\\.test\\. \\(seen by R:reconcile`));
      assert.ok(!JSON.stringify(status.s).includes(SECRET) && !status.text.includes(SECRET), 'no secret in status');
    });
  });
}
