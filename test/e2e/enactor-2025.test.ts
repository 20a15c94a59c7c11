/**
 * The 2025 sequence (issue 6, "Must show", first bullet; DESIGN "The safety protocol"), end to
 * end, against Resolute with real processes and against the naive 2025 stack:
 *
 *   plan g-1 is served; enactor A reads plan g and the fence, and is paused (SIGSTOP) just
 *   before its write; the planner publishes g+1 … g+5; enactor B (or C) applies each of them;
 *   cleanup deletes every plan below g+5 (plan g, A's plan, among them); A is resumed (SIGCONT);
 *   cleanup runs again.
 *
 * Throughout, a loop of real DNS queries (src/testing/dns-watch.ts, every 20 ms) checks that
 * api.demo.test. is never empty and that the SOA serial never goes backwards.
 *
 * - Resolute: a DNS process, enactors A, B (with cleanup) and C, each `resolute run` as a
 *   process of its own over one SQLite data directory; plans are published by the test itself
 *   into that store (it plays the planner). A stops itself at the pause point through the
 *   test-only hook RESOLUTE_TEST_STOP_BEFORE_APPLY (src/cli/run-roles.ts): deterministic, not
 *   timed. Expected: no empty answer, no serial regression, the provider ends at g+5, and A's
 *   write is refused by the provider's fence (its audit entry says so).
 * - The naive 2025 stack: src/sim/naive (the one naive stack in the tree; never reachable from
 *   `run` or `up`, test/layers.test.ts), in process: enactors whose "is my plan newer?" check
 *   is made once, in their own memory, before a slow apply and an unfenced write; a provider
 *   whose records refer to the plan that produced them (it holds the generation pointed at; the
 *   SOA serial is that generation); cleanup by age that deletes plans many generations older
 *   than the one its enactor applied, and so what they published. As in 2025, A's stale write
 *   lands after B applied g+5, and B's cleanup then deletes plan g. Its zone is served by a real
 *   DnsServer on loopback and read by the same checker, over a real SQLite store. Expected: the
 *   checker catches the stale overwrite (the serial goes back) and then the empty answer —
 *   proof that the test can catch the bug.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { systemClock } from '../../src/base/clock.js';
import { systemRandom } from '../../src/base/random.js';
import type { SystemStatus } from '../../src/cli/status-command.js';
import { TEST_STOP_BEFORE_APPLY_ENV, testOnlyBeforeApply } from '../../src/cli/run-roles.js';
import { exchange } from '../../src/dns/exchange.js';
import { RRType } from '../../src/dns/wire/constants.js';
import { buildQuery } from '../../src/dns/wire/message.js';
import { rdataToText } from '../../src/dns/wire/rdata-text.js';
import { startDnsServer, type DnsServer } from '../../src/dns/server/dns-server.js';
import type { ZoneKey } from '../../src/enact/enact-context.js';
import { Cleanup } from '../../src/enact/cleanup.js';
import { decodePlan } from '../../src/plan/plan-codec.js';
import { BuiltinProvider } from '../../src/providers/builtin/builtin-provider.js';
import { NaiveCleanup, NaiveEnactor, NaiveProvider, servedTable } from '../../src/sim/naive/index.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { startDnsWatch, type DnsWatch } from '../../src/testing/dns-watch.js';
import { observed as watchRounds, processState, publishAddresses, waitUntil as waitWithin, watchSummary, writeWorldConfig } from '../../src/testing/e2e-steps.js';
import { WORLD_NAME, WORLD_ZONE } from '../../src/testing/enact-world.js';
import { runResolute, startResoluteProcess, stopAllResoluteProcesses, type ResoluteProcess } from '../../src/testing/resolute-process.js';
import { findFreePort } from '../../src/testing/serve-process.js';

const dir = mkdtempSync(path.join(tmpdir(), 'resolute-2025-'));
const stores: Store[] = [];
const servers: DnsServer[] = [];
after(async () => {
  await stopAllResoluteProcesses(); // by PID; SIGCONT before SIGTERM for a stopped one
  for (const server of servers) await server.close();
  for (const store of stores) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Generous bounds: every wait here ends far sooner on a healthy machine. */
const BOUND_MS = 15_000;

/** The addresses of plan number `i` of the sequence: every plan differs from the one before. */
const addressesOf = (i: number): string[] => [`192.0.2.${10 + i}`, `192.0.2.${100 + i}`];
const publish = (store: Store, i: number): Promise<bigint> => publishAddresses(store, addressesOf(i));
const waitUntil = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = BOUND_MS): Promise<T> => waitWithin(what, probe, timeoutMs);
/** Lets the watch see the current state a few times before the next step changes it. */
const observed = (watch: DnsWatch, rounds = 3): Promise<void> => watchRounds(watch, BOUND_MS, rounds);

async function openStore(dataDir: string): Promise<Store> {
  const store = await openSqliteStore({ dataDir, clock: systemClock, random: systemRandom });
  stores.push(store);
  return store;
}

/** One real query for the name's addresses (none while the DNS process has nothing to serve yet). */
async function addressesServed(server: { readonly address: string; readonly port: number }): Promise<string[]> {
  const { response } = await exchange(buildQuery(WORLD_NAME, RRType.A, { id: 1 }), server, { transport: 'udp', timeoutMs: 2000 });
  return response.answers.filter((r) => r.type === RRType.A).map((r) => rdataToText(RRType.A, r.rdata));
}

test('the test-only stop hook is inert when unset, stops once at its generation, and refuses a malformed value', async () => {
  assert.equal(testOnlyBeforeApply({}), undefined);
  assert.equal(testOnlyBeforeApply({ [TEST_STOP_BEFORE_APPLY_ENV]: '' }), undefined);
  let stops = 0;
  const hook = testOnlyBeforeApply({ [TEST_STOP_BEFORE_APPLY_ENV]: '7' }, () => stops++);
  assert.ok(hook !== undefined);
  const zone: ZoneKey = { provider: 'builtin', zone: WORLD_ZONE };
  await hook(zone, 6n);
  assert.equal(stops, 0, 'another generation passes');
  await hook(zone, 7n);
  assert.equal(stops, 1, 'its generation stops the process');
  await hook(zone, 7n);
  assert.equal(stops, 1, 'only once: a retried write after SIGCONT goes on');
  assert.throws(() => testOnlyBeforeApply({ [TEST_STOP_BEFORE_APPLY_ENV]: 'g+1' }), /ERR_USAGE|not a generation/);
});

test('Resolute, real processes: A paused before writing g, g+1…g+5 applied and cleaned up, A resumed — never empty, never backwards, A fenced', async () => {
  const dataDir = path.join(dir, 'resolute');
  const configFile = path.join(dir, 'resolute.yaml');
  writeWorldConfig(configFile);
  const common = ['--config', configFile, '--data-dir', dataDir];
  const store = await openStore(dataDir);
  const appliedAt = async (): Promise<{ generation: bigint; by: string } | undefined> => {
    const read = await store.readApplied({ provider: 'builtin', zone: WORLD_ZONE });
    return read.kind === 'found' ? read.applied : undefined;
  };

  const dnsPort = await findFreePort();
  const dns = startResoluteProcess(['run', '--roles', 'dns', ...common, '--dns-port', String(dnsPort), '--id', 'dns']);
  await dns.waitFor(/dns listening on/, BOUND_MS);

  // Plan g-1, applied by A and served; A's hook names the next generation, g.
  const g0 = await publish(store, 0);
  const g = g0 + 1n;
  process.env[TEST_STOP_BEFORE_APPLY_ENV] = String(g); // spawn copies the environment now; only A gets it
  let a: ResoluteProcess;
  try {
    a = startResoluteProcess(['run', '--roles', 'enactor', ...common, '--id', 'A', '--interval-ms', '50']);
  } finally {
    delete process.env[TEST_STOP_BEFORE_APPLY_ENV];
  }
  await waitUntil('A applies g-1', async () => ((await appliedAt())?.generation === g0 ? true : undefined));
  const dnsServer = { address: '127.0.0.1', port: dnsPort };
  await waitUntil('the DNS process serves g-1', async () => ((await addressesServed(dnsServer)).length > 0 ? true : undefined));
  const watch = startDnsWatch({ server: dnsServer, name: WORLD_NAME, zone: WORLD_ZONE, intervalMs: 20, maxQueries: 2000 });
  watch.mark('g-1 served');
  await observed(watch);

  // A reads plan g and the fence (g-1), and stops itself before the write.
  assert.equal(await publish(store, 1), g);
  watch.mark('A reads g');
  await waitUntil(`A (pid ${a.pid}) stopped by its hook before writing ${g}`, () => (processState(a.pid) === 'T' ? true : undefined));
  assert.equal((await appliedAt())?.generation, g0, 'A stopped before its write');

  // B (with cleanup) and C start; the planner publishes g+1 … g+5; B or C applies each.
  watch.mark('A stopped; B and C apply g…g+5');
  startResoluteProcess(['run', '--roles', 'enactor,cleanup', ...common, '--id', 'B', '--interval-ms', '50']);
  startResoluteProcess(['run', '--roles', 'enactor', ...common, '--id', 'C', '--interval-ms', '50']);
  await waitUntil('B or C applies g', async () => ((await appliedAt())?.generation === g ? true : undefined));
  for (let i = 2; i <= 6; i++) {
    const next = await publish(store, i);
    await waitUntil(`B or C applies ${next}`, async () => ((await appliedAt())?.generation === next ? true : undefined));
  }
  const g5 = g + 5n;
  const applied5 = await appliedAt();
  assert.equal(applied5?.generation, g5);
  assert.ok(applied5.by === 'B' || applied5.by === 'C', `g+5 applied by B or C, not ${applied5.by}`);
  assert.equal(processState(a.pid), 'T', 'A is still stopped');

  // Cleanup: every plan below g+5 goes, plan g (A's) among them. B's own cleanup keeps the last
  // 20 plans (the CLI's K), so the test runs the same Cleanup class with K = 1.
  watch.mark('cleanup');
  const builtin = new BuiltinProvider({ id: 'builtin', zones: [WORLD_ZONE], store, by: 'test-cleanup' });
  const cleanup = new Cleanup({ clock: systemClock, store, providers: [builtin], decodePlan, id: 'test-cleanup', keepLast: 1 });
  const cleaned = await cleanup.step();
  assert.equal(cleaned.kind, 'deleted');
  assert.ok(cleaned.kind === 'deleted' && cleaned.generations.includes(g), 'plan g, the one A holds, is deleted');
  const listed = await store.listPlans();
  assert.deepEqual(listed.kind === 'listed' ? listed.items.map((p) => p.generation) : [], [g5]);
  await observed(watch);

  // A resumes: its write names the fence g-1, and the provider, holding g+5, refuses it.
  watch.mark('A resumed');
  a.signal('SIGCONT');
  const fenced = await waitUntil("A's write refused by the provider's fence", async () => {
    const audit = await store.readAudit({ limit: 100 });
    return audit.kind === 'listed' ? audit.items.find((e) => e.actor === 'A' && e.action === 'fenced') : undefined;
  });
  assert.equal(fenced.generation, g);
  assert.match(fenced.detail, new RegExp(`refused at ${g5}; plan ${g} dropped for ${g5}`));
  const audit = await store.readAudit({ limit: 100 });
  assert.ok(audit.kind === 'listed' && !audit.items.some((e) => e.actor === 'A' && e.action === 'apply' && e.generation === g), 'A never wrote g');
  await observed(watch);

  // Cleanup again (in 2025 this step deleted the stale plan's records): nothing to do, nothing changes.
  watch.mark('cleanup after A');
  assert.notEqual((await cleanup.step()).kind, 'deleted');
  await observed(watch, 10);

  // The end: the provider and the DNS process hold g+5, every enactor agrees, A is running.
  const status = await waitUntil('status shows g+5 applied and served, A current', async () => {
    const r = await runResolute(['status', '--data-dir', dataDir, '--json']);
    const s = JSON.parse(r.stdout) as SystemStatus;
    const isA = s.heartbeats.find((h) => h.id === 'A')?.generation === String(g5);
    return s.dns[0]?.served[WORLD_ZONE] === String(g5) && isA ? s : undefined;
  });
  watch.mark('end');
  await observed(watch);
  const report = await watch.stop();
  process.stdout.write(`${watchSummary('resolute', report)}\n  A fenced: ${fenced.detail}\n`);

  assert.equal(status.newest?.generation, String(g5));
  assert.deepEqual(status.applied.filter((x) => x.provider === 'builtin').map((x) => x.generation), [String(g5)]);
  assert.equal(processState(a.pid) === 'T', false, 'A runs again');
  assert.deepEqual(report.empties, [], 'api.demo.test. is never empty');
  assert.deepEqual(report.regressions, [], 'the SOA serial never goes backwards');
  assert.ok(report.queries >= 100, `a real query loop ran (${report.queries} queries)`);
  assert.ok((report.roundsByStep.get('A resumed') ?? 0) >= 3 && (report.roundsByStep.get('cleanup') ?? 0) >= 3, 'the checker saw every step');
  const last = report.answers.at(-1) ?? '';
  assert.ok(addressesOf(6).every((address) => last.includes(address)), `the name ends with g+5's addresses, got ${last}`);
});

test('the naive 2025 stack (src/sim/naive), same sequence: the checker sees the serial go back and the name go empty', async () => {
  const store = await openStore(path.join(dir, 'naive'));
  const server = await startDnsServer({ address: '127.0.0.1', port: 0, table: servedTable([]), random: systemRandom });
  servers.push(server);
  const provider = new NaiveProvider({ id: 'naive', zones: [WORLD_ZONE], store });
  /** What the provider serves is derived from the stored plans: re-derived after every step. */
  const serve = async (): Promise<void> => server.setTable(await provider.table());
  const [a, b, c] = ['A', 'B', 'C'].map((id) => new NaiveEnactor({ id, store, provider }));
  // B's cleanup, as in 2025: after applying a plan, plans more than 4 generations older go.
  const cleanup = new NaiveCleanup({ store, enactor: b, providers: [provider], keepGenerations: 4 });
  const applies = async (enactor: NaiveEnactor): Promise<boolean> => {
    const step = await enactor.step();
    await serve();
    return step.write.kind === 'wrote';
  };

  const g0 = await publish(store, 0);
  const g = g0 + 1n;
  assert.ok(await applies(a));
  const watch = startDnsWatch({ server, name: WORLD_NAME, zone: WORLD_ZONE, intervalMs: 20, maxQueries: 2000 });
  watch.mark('g-1 served');
  await observed(watch);

  // A reads g and makes its one check ("newer than g-1, my last write") — then its slow apply.
  assert.equal(await publish(store, 1), g);
  watch.mark('A reads g');
  assert.deepEqual(await a.read(), { kind: 'holding', generation: g, lastApplied: g0 });
  watch.mark('A stopped; B and C apply g…g+4');
  for (let i = 1; i <= 5; i++) {
    if (i > 1) await publish(store, i);
    assert.ok(await applies(b));
    await applies(c);
    await observed(watch);
  }

  watch.mark('cleanup');
  const first = await cleanup.step();
  assert.ok(first.kind === 'deleted' && first.generations.includes(g0) && !first.generations.includes(g), 'plans older than g go; g is kept');
  assert.deepEqual(first.emptied, [], 'the provider points at g+4: nothing of it is removed');
  await serve();
  await observed(watch);

  watch.mark('B and C apply g+5');
  await publish(store, 6);
  assert.ok(await applies(b));
  await applies(c);
  await observed(watch);

  watch.mark('A resumed');
  const stale = await a.write();
  assert.ok(stale.kind === 'wrote' && stale.generation === g && stale.overwrote.get(WORLD_ZONE) === g + 5n, 'the stale write goes through: nothing fences it');
  await serve();
  await observed(watch);

  watch.mark('cleanup after A');
  const second = await cleanup.step();
  assert.ok(second.kind === 'deleted' && second.generations.includes(g), 'B\'s cleanup after g+5 deletes g, 5 generations older');
  assert.deepEqual(second.emptied, [{ provider: 'naive', zone: WORLD_ZONE, generation: g }], 'and with it what g published: the records referred to it');
  await serve();
  await observed(watch);
  // B and C believe g+5 is applied (their own memory): nothing repairs the name.
  assert.equal((await b.step()).read.kind, 'not-newer');
  assert.equal((await c.step()).read.kind, 'not-newer');
  await serve();
  watch.mark('end');
  await observed(watch, 10);
  const report = await watch.stop();
  process.stdout.write(`${watchSummary('naive 2025 stack', report)}\n`);

  assert.equal(report.regressions[0]?.step, 'A resumed', 'the stale write sends the serial back');
  assert.ok(report.empties.length > 0, 'the checker catches the empty answer');
  assert.equal(report.empties[0].step, 'cleanup after A', 'the name goes empty when cleanup deletes the plan the records refer to');
  assert.ok(report.empties.every((e) => e.step === 'cleanup after A' || e.step === 'end'), 'and stays empty: nothing repairs it');
});
