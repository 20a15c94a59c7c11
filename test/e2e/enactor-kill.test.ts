/**
 * SIGKILL of an enactor at random points of an apply, 200 times in a loop (issue 6, "Must
 * show", second bullet; DESIGN "The safety protocol": never empty, never backwards, converges).
 *
 * Real processes over one SQLite data directory: a DNS process (`resolute run --roles dns`),
 * and ONE running enactor at a time. The test plays the planner and publishes a new plan (new
 * addresses) for every kill. Each round:
 *   1. publish plan i; the running enactor (the victim) picks it up within its 10 ms interval
 *      and applies it (read header, read plan, fence read, the fenced write, audit, heartbeat);
 *   2. after a delay drawn from a seeded generator (0…MAX_DELAY_MS), SIGKILL the victim — so it
 *      dies before, during or after its apply; where it died is read back from the store;
 *   3. a surviving enactor starts running: a warm spare started in advance (src/testing/
 *      enactor-process.ts: the same Enactor, store and provider as `resolute run --roles
 *      enactor`, without the CLI's config loading, so 200 processes fit the time bound), and
 *      every CLI_EVERY-th round a real `resolute run --roles enactor` process;
 *   4. the provider and the DNS process must reach plan i within CONVERGE_BOUND_MS; the
 *      survivor is the next round's victim.
 * Throughout, the DNS watch (src/testing/dns-watch.ts, every 20 ms) records empty answers and
 * SOA serials going backwards, labelled with the round they happened in.
 *
 * Replay: RESOLUTE_KILL_SEED=<seed> node --test dist/test/e2e/enactor-kill.test.js
 * (RESOLUTE_KILLS=<n> changes the number of kills, default 200).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { systemClock } from '../../src/base/clock.js';
import { seededRandom, systemRandom } from '../../src/base/random.js';
import type { SystemStatus } from '../../src/cli/status-command.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { startDnsWatch, type DnsWatchReport } from '../../src/testing/dns-watch.js';
import { addressesServed, publishAddresses, waitUntil as waitWithin, writeWorldConfig } from '../../src/testing/e2e-steps.js';
import { WORLD_NAME, WORLD_ZONE } from '../../src/testing/enact-world.js';
import { startEnactorProcess, stopAllEnactorProcesses, type EnactorProcess } from '../../src/testing/enactor-process.js';
import { runResolute, startResoluteProcess, stopAllResoluteProcesses, type ResoluteProcess } from '../../src/testing/resolute-process.js';
import { findFreePort } from '../../src/testing/serve-process.js';

const SEED_ENV = 'RESOLUTE_KILL_SEED';
const KILLS = Number(process.env.RESOLUTE_KILLS ?? 200);
/** The victim's interval is 10 ms and an apply takes a few ms: kills land all over it. */
const MAX_DELAY_MS = 30;
const INTERVAL_MS = 10;
/** Spares started ahead of need, so their start-up overlaps the rounds before. */
const SPARES = 3;
const CLI_EVERY = 25;
const CONVERGE_BOUND_MS = 5_000;
const START_BOUND_MS = 20_000;

const seed = process.env[SEED_ENV] === undefined ? systemRandom.int(2 ** 31) : Number(process.env[SEED_ENV]);
const replay = `${SEED_ENV}=${seed} node --test dist/test/e2e/enactor-kill.test.js`;
process.stdout.write(`seed=${seed} (replay: ${replay})\n`);

const dir = mkdtempSync(path.join(tmpdir(), 'resolute-kill-'));
const stores: Store[] = [];
after(async () => {
  await stopAllEnactorProcesses(); // SIGKILL by PID, each waited for
  await stopAllResoluteProcesses(); // by PID
  for (const store of stores) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Plan i's addresses: every plan differs from the one before. */
const addressesOf = (i: number): string[] => [`10.${(i >> 8) & 255}.${i & 255}.1`, `10.${(i >> 8) & 255}.${i & 255}.2`];
const publish = (store: Store, i: number): Promise<bigint> => publishAddresses(store, addressesOf(i));
const waitUntil = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, everyMs = 5): Promise<T> => waitWithin(what, probe, timeoutMs, everyMs);

/** An enactor, whichever way it was started: a warm spare, or `resolute run`. */
interface Running {
  readonly id: string;
  readonly kind: 'spare' | 'cli';
  kill(): void;
  waitExit(timeoutMs: number): Promise<void>;
}

function spareRunning(p: EnactorProcess): Running {
  return {
    id: p.id,
    kind: 'spare',
    kill: () => p.kill('SIGKILL'),
    waitExit: (timeoutMs) => waitUntil(`${p.id} exits`, () => (p.hasExited() ? true : undefined), timeoutMs).then(() => undefined),
  };
}

function cliRunning(id: string, p: ResoluteProcess): Running {
  return { id, kind: 'cli', kill: () => p.signal('SIGKILL'), waitExit: (timeoutMs) => p.exited(timeoutMs).then(() => undefined) };
}

const percentile = (sorted: readonly number[], p: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);

test(`SIGKILL of an enactor at random points of an apply, ${KILLS} times: never empty, never backwards, converges after each kill`, { timeout: 240_000 }, async () => {
  const random = seededRandom(seed);
  const startedMs = systemClock.monotonicMs();
  const dataDir = path.join(dir, 'data');
  const configFile = path.join(dir, 'resolute.yaml');
  writeWorldConfig(configFile);
  const common = ['--config', configFile, '--data-dir', dataDir];
  const store = await openSqliteStore({ dataDir, clock: systemClock, random: systemRandom });
  stores.push(store);
  const applied = async (): Promise<{ generation: bigint; by: string } | undefined> => {
    const read = await store.readApplied({ provider: 'builtin', zone: WORLD_ZONE });
    return read.kind === 'found' ? read.applied : undefined;
  };

  const dnsPort = await findFreePort();
  const dns = startResoluteProcess(['run', '--roles', 'dns', ...common, '--dns-port', String(dnsPort), '--id', 'dns']);
  await dns.waitFor(/dns listening on/, START_BOUND_MS);
  const dnsServer = { address: '127.0.0.1', port: dnsPort };

  let spareCount = 0;
  const spares: EnactorProcess[] = [];
  const refill = (): void => {
    while (spares.length < SPARES) spares.push(startEnactorProcess({ dataDir, zone: WORLD_ZONE, id: `S${++spareCount}`, intervalMs: INTERVAL_MS }));
  };
  const nextSurvivor = async (round: number): Promise<Running> => {
    if (round % CLI_EVERY === 0) {
      const id = `C${round}`;
      return cliRunning(id, startResoluteProcess(['run', '--roles', 'enactor', ...common, '--id', id, '--interval-ms', String(INTERVAL_MS)]));
    }
    const spare = spares.shift();
    assert.ok(spare !== undefined);
    refill();
    await spare.ready(START_BOUND_MS);
    spare.go();
    return spareRunning(spare);
  };

  // Plan 0, applied by the first enactor and served.
  refill();
  const g0 = await publish(store, 0);
  let current = await nextSurvivor(1);
  await waitUntil('plan 0 applied', async () => ((await applied())?.generation === g0 ? true : undefined), CONVERGE_BOUND_MS);
  await waitUntil('plan 0 served', async () => ((await addressesServed(dnsServer)) === addressesOf(0).sort().join(' ') ? true : undefined), CONVERGE_BOUND_MS);
  const watch = startDnsWatch({ server: dnsServer, name: WORLD_NAME, zone: WORLD_ZONE, intervalMs: 20, maxQueries: 50_000 });

  const convergeMs: number[] = [];
  const afterRunMs: number[] = [];
  const landed = new Map<string, number>();
  const delays: number[] = [];
  let generation = g0;
  let report: DnsWatchReport | undefined;
  try {
    for (let i = 1; i <= KILLS; i++) {
      watch.mark(`kill ${i}`);
      generation = await publish(store, i);
      const delayMs = random.int(MAX_DELAY_MS + 1);
      delays.push(delayMs);
      await systemClock.sleep(delayMs);
      const victim = current;
      victim.kill();
      const killedMs = systemClock.monotonicMs();
      await victim.waitExit(CONVERGE_BOUND_MS);

      // Where in its apply the victim died, as the store tells it.
      const at = await applied();
      let where: string;
      if (at?.generation !== generation) where = 'before its write';
      else if (at.by !== victim.id) where = 'other';
      else {
        const audit = await store.readAudit({ limit: 20 });
        const isAudited = audit.kind === 'listed' && audit.items.some((e) => e.actor === victim.id && e.action === 'apply' && e.generation === generation);
        where = isAudited ? 'after its write and audit' : 'between its write and its audit';
      }
      landed.set(where, (landed.get(where) ?? 0) + 1);

      const survivor = await nextSurvivor(i + 1);
      const runningMs = systemClock.monotonicMs();
      const want = addressesOf(i).sort().join(' ');
      await waitUntil(
        `kill ${i} (victim ${victim.id} died ${where}, delay ${delayMs} ms): provider at ${generation} and DNS serving plan ${i} after survivor ${survivor.id} runs`,
        async () => ((await applied())?.generation === generation && (await addressesServed(dnsServer)) === want ? true : undefined),
        CONVERGE_BOUND_MS,
      );
      const doneMs = systemClock.monotonicMs();
      convergeMs.push(doneMs - killedMs);
      afterRunMs.push(doneMs - runningMs);
      current = survivor;
    }

    watch.mark('end');
    const status = await waitUntil(
      'status --json shows the newest plan applied and served',
      async () => {
        const r = await runResolute(['status', '--data-dir', dataDir, '--json']);
        const s = JSON.parse(r.stdout) as SystemStatus;
        return s.dns.find((d) => d.id === 'dns')?.served[WORLD_ZONE] === String(generation) ? s : undefined;
      },
      CONVERGE_BOUND_MS,
      100,
    );
    assert.equal(status.newest?.generation, String(generation));
    assert.deepEqual(status.applied.filter((a) => a.provider === 'builtin').map((a) => a.generation), [String(generation)]);
    report = await watch.stop();
  } catch (error) {
    report ??= await watch.stop();
    process.stdout.write(`FAILED with seed=${seed}; replay: ${replay}\n`);
    throw error;
  }

  const sorted = [...convergeMs].sort((a, b) => a - b);
  const sortedRun = [...afterRunMs].sort((a, b) => a - b);
  const elapsedS = ((systemClock.monotonicMs() - startedMs) / 1000).toFixed(1);
  process.stdout.write(
    [
      `kills=${convergeMs.length} seed=${seed} elapsed_s=${elapsedS} delays_ms=0..${Math.max(...delays)}`,
      `  where the victim died: ${[...landed].map(([k, n]) => `${k}=${n}`).join(', ')}`,
      `  convergence after the kill (ms): p50=${percentile(sorted, 50)} p99=${percentile(sorted, 99)} max=${Math.round(sorted.at(-1) ?? 0)}`,
      `  convergence once the survivor runs (ms): p50=${percentile(sortedRun, 50)} p99=${percentile(sortedRun, 99)} max=${Math.round(sortedRun.at(-1) ?? 0)}`,
      `  dns watch: queries=${report.queries} empties=${report.empties.length} regressions=${report.regressions.length} failures=${report.failures.length} distinct answers=${report.answers.length}`,
      ...(report.empties[0] === undefined ? [] : [`  first empty at '${report.empties[0].step}': ${report.empties[0].detail}`]),
      ...(report.regressions[0] === undefined ? [] : [`  first regression at '${report.regressions[0].step}': ${report.regressions[0].detail}`]),
    ].join('\n') + '\n',
  );
  if (report.empties.length > 0 || report.regressions.length > 0) process.stdout.write(`FAILED with seed=${seed}; replay: ${replay}\n`);
  assert.deepEqual(report.empties, [], `api.demo.test. is never empty (seed ${seed})`);
  assert.deepEqual(report.regressions, [], `the SOA serial never goes backwards (seed ${seed})`);
  assert.equal(convergeMs.length, KILLS);
  assert.ok(report.queries >= 2 * KILLS, `the DNS watch ran throughout (${report.queries} queries)`);
});
