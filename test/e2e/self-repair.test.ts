/**
 * Self-repair without a human (issue 6, "Must show", third bullet; DESIGN "The safety
 * protocol": converges from any state — deleted plans, a missing or unparsable marker, a
 * provider ahead of the store), with real processes over one SQLite data directory:
 * a DNS process (`resolute run --roles dns`), enactor A with reconcile (`--roles
 * enactor,reconcile`) and enactor B (`--roles enactor`). The test plays the planner.
 *
 * Done to the running system, one after the other:
 *   (a) every plan but the newest deleted directly in the store;
 *   (b) the zone's applied-generation row overwritten with garbage (the store reads `corrupt`);
 *   (c) the built-in provider's marker removed (its applied-generation row: src/providers/
 *       builtin/README.md, "How it fences");
 *   (d) an OLD copy of store.sqlite (taken with SQLite's backup API after plan 1) put back under
 *       the running processes while the DNS process keeps serving: the DNS process serves a
 *       generation above everything the restored store knows, so the next generation must
 *       jump above it (DESIGN: "The expected generation is always read from the provider").
 * After each: the name is never empty and the SOA serial never goes backwards (DNS watch, every
 * 20 ms), the store's row is repaired, the newest content is served within a bound, and
 * `status --json` shows the newest generation applied and served.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { systemClock } from '../../src/base/clock.js';
import { systemRandom } from '../../src/base/random.js';
import type { SystemStatus } from '../../src/cli/status-command.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { startDnsWatch, type DnsWatch } from '../../src/testing/dns-watch.js';
import { addressesServed, observed as watchRounds, publishAddresses, waitUntil as waitWithin, writeWorldConfig } from '../../src/testing/e2e-steps.js';
import { WORLD_NAME, WORLD_ZONE } from '../../src/testing/enact-world.js';
import { runResolute, startResoluteProcess, stopAllResoluteProcesses } from '../../src/testing/resolute-process.js';
import { findFreePort } from '../../src/testing/serve-process.js';
import { copySqliteStore, corruptAppliedRow, removeAppliedRow, restoreSqliteStore } from '../../src/testing/store-tamper.js';

const dir = mkdtempSync(path.join(tmpdir(), 'resolute-repair-'));
const stores: Store[] = [];
after(async () => {
  await stopAllResoluteProcesses(); // by PID
  for (const store of stores) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every wait ends far sooner on a healthy machine; reconcile runs every 5 s in `run`. */
const BOUND_MS = 20_000;
const addressesOf = (i: number): string[] => [`198.51.100.${10 + i}`, `198.51.100.${100 + i}`];
const publish = (store: Store, i: number): Promise<bigint> => publishAddresses(store, addressesOf(i));
const waitUntil = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = BOUND_MS, everyMs = 20): Promise<T> =>
  waitWithin(what, probe, timeoutMs, everyMs);
/** Lets the watch see the current state a few times before the next step changes it. */
const observed = (watch: DnsWatch, rounds = 3): Promise<void> => watchRounds(watch, BOUND_MS, rounds);
const want = (i: number): string => addressesOf(i).sort().join(' ');

test('self-repair with real processes: deleted plans, a corrupt applied row, a removed marker, an old store restored under a running system', { timeout: 180_000 }, async () => {
  const dataDir = path.join(dir, 'data');
  const configFile = path.join(dir, 'resolute.yaml');
  writeWorldConfig(configFile);
  const common = ['--config', configFile, '--data-dir', dataDir];
  const store = await openSqliteStore({ dataDir, clock: systemClock, random: systemRandom });
  stores.push(store);
  const appliedRead = () => store.readApplied({ provider: 'builtin', zone: WORLD_ZONE });
  const newest = async (): Promise<bigint> => {
    const head = await store.readNewestHeader();
    assert.equal(head.kind, 'found');
    return (head as { header: { generation: bigint } }).header.generation;
  };

  const dnsPort = await findFreePort();
  const dns = startResoluteProcess(['run', '--roles', 'dns', ...common, '--dns-port', String(dnsPort), '--id', 'dns']);
  await dns.waitFor(/dns listening on/, BOUND_MS);
  const server = { address: '127.0.0.1', port: dnsPort };
  startResoluteProcess(['run', '--roles', 'enactor,reconcile', ...common, '--id', 'A', '--interval-ms', '50']);
  startResoluteProcess(['run', '--roles', 'enactor', ...common, '--id', 'B', '--interval-ms', '50']);

  const timings: string[] = [];
  /** Plan i (generation g) applied at the provider, served by the DNS process, and shown by `status --json`. */
  const converged = async (label: string, i: number, g: bigint, sinceMs: number): Promise<SystemStatus> => {
    await waitUntil(`${label}: plan ${i} (generation ${g}) applied and served`, async () => {
      const read = await appliedRead();
      return read.kind === 'found' && read.applied.generation === g && (await addressesServed(server)) === want(i) ? true : undefined;
    });
    const status = await waitUntil(
      `${label}: status --json shows ${g} newest, applied and served`,
      async () => {
        const s = JSON.parse((await runResolute(['status', '--data-dir', dataDir, '--json'])).stdout) as SystemStatus;
        const isApplied = s.applied.some((a) => a.provider === 'builtin' && a.zone === WORLD_ZONE && a.generation === String(g));
        return s.newest?.generation === String(g) && isApplied && s.dns.find((d) => d.id === 'dns')?.served[WORLD_ZONE] === String(g) ? s : undefined;
      },
      BOUND_MS,
      200,
    );
    timings.push(`${label}: converged to plan ${i} (generation ${g}) in ${Math.round(systemClock.monotonicMs() - sinceMs)} ms`);
    return status;
  };

  // Plans 0 and 1, served; the OLD copy of the store is taken now.
  await publish(store, 0);
  const g1 = await publish(store, 1);
  await converged('start', 1, g1, systemClock.monotonicMs());
  const oldCopy = path.join(dir, 'old-store.sqlite');
  await copySqliteStore(dataDir, oldCopy);
  const watch = startDnsWatch({ server, name: WORLD_NAME, zone: WORLD_ZONE, intervalMs: 20, maxQueries: 20_000 });
  watch.mark('start');
  await observed(watch);
  let i = 1;

  try {
    // (a) every plan but the newest deleted, directly in the store.
    for (i = 2; i <= 4; i++) await converged('more plans', i, await publish(store, i), systemClock.monotonicMs());
    watch.mark('(a) plans deleted');
    const head = await newest();
    const deleted = await store.deletePlans({ below: head });
    assert.ok(deleted.kind === 'deleted' && deleted.generations.length >= 3, 'the older plans are gone');
    const listed = await store.listPlans();
    assert.deepEqual(listed.kind === 'listed' ? listed.items.map((p) => p.generation) : [], [head]);
    await observed(watch, 10);
    assert.equal(await addressesServed(server), want(4), 'deleting plans changes nothing served');
    let startMs = systemClock.monotonicMs();
    i = 5;
    await converged('(a) plans deleted', i, await publish(store, i), startMs);

    // (b) the applied-generation row corrupted.
    watch.mark('(b) applied row corrupt');
    const gB = await newest();
    startMs = systemClock.monotonicMs();
    await corruptAppliedRow(dataDir, 'builtin', WORLD_ZONE);
    await waitUntil('(b) the corrupt row is repaired', async () => {
      const read = await appliedRead();
      return read.kind === 'found' && read.applied.generation === gB ? true : undefined;
    });
    timings.push(`(b) applied row corrupt: repaired in ${Math.round(systemClock.monotonicMs() - startMs)} ms`);
    await observed(watch, 10);
    assert.equal(await addressesServed(server), want(5));
    i = 6;
    await converged('(b) applied row corrupt', i, await publish(store, i), systemClock.monotonicMs());

    // (c) the marker removed.
    watch.mark('(c) marker removed');
    const gC = await newest();
    startMs = systemClock.monotonicMs();
    assert.equal(await removeAppliedRow(dataDir, 'builtin', WORLD_ZONE), true);
    await waitUntil('(c) the marker is adopted again', async () => {
      const read = await appliedRead();
      return read.kind === 'found' && read.applied.generation === gC ? true : undefined;
    });
    timings.push(`(c) marker removed: re-adopted in ${Math.round(systemClock.monotonicMs() - startMs)} ms`);
    await observed(watch, 10);
    assert.equal(await addressesServed(server), want(6));
    i = 7;
    const gServed = await publish(store, i);
    await converged('(c) marker removed', i, gServed, systemClock.monotonicMs());
    const audit = await store.readAudit({ limit: 200 });
    const repairs = audit.kind === 'listed' ? audit.items.filter((e) => e.action === 'repair' || (e.action === 'apply' && (e.generation ?? 0n) > g1 && /missing|unparsable|corrupt|unreadable/.test(e.detail))) : [];

    // (d) an old copy of the store put back under the running system.
    watch.mark('(d) old store restored');
    startMs = systemClock.monotonicMs();
    await restoreSqliteStore(oldCopy, dataDir);
    const restoredHead = await newest();
    // The enactors wake on the restore's write to the newest-plan key (store.watch) and may have
    // republished above the served generation already: then the jump below is what they did.
    const hasJumped = restoredHead > gServed;
    assert.ok(restoredHead === g1 || hasJumped, `the store is back at plan 1 (${g1}), or already jumped above ${gServed}: ${restoredHead}`);
    await observed(watch, 10);
    i = 8;
    const gPlanned = await publish(store, i); // the planner's next plan, computed against the restored store
    assert.ok(hasJumped || gPlanned <= gServed, `the restored store hands out ${gPlanned}, not above ${gServed} served`);
    const gJump = await waitUntil('(d) the next generation jumps above the one served', async () => {
      const g = await newest();
      return g > gServed ? g : undefined;
    });
    const status = await converged('(d) old store restored', i, gJump, startMs);
    await observed(watch, 10);
    watch.mark('end');
    const report = await watch.stop();

    process.stdout.write(
      [
        ...timings,
        `(d) restored store at ${restoredHead}, DNS serving ${gServed}; plan 8 published as ${gPlanned}, then republished above it as ${gJump}`,
        `repairs in the audit before (d): ${repairs.map((e) => `${e.actor} ${e.action} ${e.detail}`).join(' | ') || 'none'}`,
        `dns watch: queries=${report.queries} empties=${report.empties.length} regressions=${report.regressions.length} failures=${report.failures.length}`,
        `  rounds by step: ${[...report.roundsByStep].map(([s, n]) => `${s}=${n}`).join(', ')}`,
        `  answers seen: ${report.answers.join(' | ')}`,
        ...(report.regressions[0] === undefined ? [] : [`  first regression at '${report.regressions[0].step}': ${report.regressions[0].detail}`]),
        ...(report.empties[0] === undefined ? [] : [`  first empty at '${report.empties[0].step}': ${report.empties[0].detail}`]),
      ].join('\n') + '\n',
    );
    assert.deepEqual(report.empties, [], 'api.demo.test. is never empty');
    assert.deepEqual(report.regressions, [], 'the SOA serial never goes backwards');
    assert.ok(report.queries >= 100, `a real query loop ran (${report.queries} queries)`);
    assert.ok(BigInt(status.newest?.generation ?? '0') > gServed);
  } catch (error) {
    const report = await watch.stop().catch(() => undefined);
    if (report !== undefined) {
      process.stdout.write(`at plan ${i}: dns watch empties=${report.empties.length} regressions=${report.regressions.length}\n  answers seen: ${report.answers.join(' | ')}\n`);
      if (report.regressions[0] !== undefined) process.stdout.write(`  first regression at '${report.regressions[0].step}': ${report.regressions[0].detail}\n`);
    }
    process.stdout.write(`${timings.join('\n')}\n`);
    throw error;
  }
});
