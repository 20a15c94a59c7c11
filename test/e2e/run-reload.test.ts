/**
 * `resolute run --roles planner` reloads its config on SIGHUP (`resolute reload`): an invalid
 * file, or a change that removes a managed name, is refused with every error and the last
 * valid config stays in force; a valid change is planned at once. A zone the reload adds is
 * applied by an enactor process and answered by a DNS process that were started before it
 * and never restart.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { systemClock } from '../../src/base/clock.js';
import { systemRandom } from '../../src/base/random.js';
import { decodePlan } from '../../src/plan/plan-codec.js';
import type { Plan } from '../../src/plan/plan.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { StorePlanLog } from '../../src/store/store-plan-log.js';
import { isAlive, runResolute, startResoluteProcess, stopAllResoluteProcesses } from '../../src/testing/resolute-process.js';
import { dig } from '../../src/testing/run-dig.js';
import { findFreePort } from '../../src/testing/serve-process.js';

const dir = mkdtempSync(path.join(tmpdir(), 'resolute-reload-'));
const dataDir = path.join(dir, 'data');
const configFile = path.join(dir, 'resolute.yaml');
after(async () => {
  await stopAllResoluteProcesses();
  rmSync(dir, { recursive: true, force: true });
});

function config(names: readonly string[], extra = ''): string {
  const endpoints = names.map((n, i) => `  - name: ${n}.demo.test\n    type: A\n    targets:\n      - { address: 192.0.2.${10 + i} }\n      - { address: 192.0.2.${100 + i} }\n`);
  return `zones:\n  - apex: demo.test\n    nameservers: [ns1.demo.test]\nendpoints:\n${endpoints.join('')}${extra}`;
}

async function newestNames(): Promise<string[]> {
  const store = await openSqliteStore({ dataDir, clock: systemClock, random: systemRandom });
  try {
    const plan: Plan | undefined = await new StorePlanLog(store, decodePlan).newest();
    return plan === undefined ? [] : [...plan.endpoints.values()].map((e) => e.name).sort();
  } finally {
    await store.close();
  }
}

async function waitForNames(expected: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = systemClock.monotonicMs() + timeoutMs;
  let names: string[] = [];
  while (systemClock.monotonicMs() < deadline) {
    names = await newestNames();
    if (JSON.stringify(names) === JSON.stringify(expected)) return;
    await systemClock.sleep(100);
  }
  assert.deepEqual(names, expected);
}

test('a running planner refuses an invalid or deleting config on reload and keeps the last valid one', async () => {
  writeFileSync(configFile, config(['a', 'b']));
  const run = startResoluteProcess(['run', '--roles', 'planner', '--config', configFile, '--data-dir', dataDir, '--id', 'p1']);
  await run.waitFor(/running planner/, 30_000);
  await waitForNames(['a.demo.test.', 'b.demo.test.'], 20_000);

  // An invalid file: every error, exit 1.
  writeFileSync(configFile, config(['a', 'b'], '    wieght: 3\nplanner:\n  max_delete_fraction: 2\n'));
  const invalid = await runResolute(['reload', '--data-dir', dataDir]);
  assert.equal(invalid.code, 1);
  assert.ok((invalid.stderr.match(/ERR_CONFIG_/g) ?? []).length >= 2, `every error is printed:\n${invalid.stderr}`);
  assert.match(invalid.stderr, /reload refused/);

  // A change that removes a managed name: refused without --allow-delete.
  writeFileSync(configFile, config(['a']));
  const deleting = await runResolute(['reload', '--data-dir', dataDir]);
  assert.equal(deleting.code, 1);
  assert.match(deleting.stderr, /ERR_CONFIG_DELETE_REFUSED: the new config removes the managed name b\.demo\.test\./);

  // The last valid config stays in force: b is still planned.
  assert.deepEqual(await newestNames(), ['a.demo.test.', 'b.demo.test.']);
  // A valid change is accepted and planned.
  writeFileSync(configFile, config(['a', 'b', 'c']));
  const valid = await runResolute(['reload', '--data-dir', dataDir]);
  assert.equal(valid.code, 0, valid.stderr);
  await waitForNames(['a.demo.test.', 'b.demo.test.', 'c.demo.test.'], 20_000);

  run.signal('SIGTERM');
  assert.equal(await run.exited(20_000), 0);
  const gone = await runResolute(['reload', '--data-dir', dataDir]);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /ERR_NOT_RUNNING/);
});

/** From `resolute reload` to the added zone's name answered by the DNS process (typically ~1 s: plan, enact, follow). */
const ZONE_ADDED_BOUND_MS = 15_000;

test('a zone added by a reload is answered by the running DNS process, without restarting the enactor or DNS', async () => {
  const zoneDir = path.join(dir, 'zone-added');
  const zoneData = path.join(zoneDir, 'data');
  const zoneConfig = path.join(zoneDir, 'resolute.yaml');
  const zone = (apex: string): string => `  - apex: ${apex}\n    nameservers: [ns1.${apex}]\n`;
  const endpoint = (name: string, address: string): string => `  - name: ${name}\n    type: A\n    targets:\n      - { address: ${address} }\n`;
  const withZones = (added: boolean): string =>
    `zones:\n${zone('demo.test')}${added ? zone('added.test') : ''}endpoints:\n${endpoint('api.demo.test', '192.0.2.10')}${added ? endpoint('api.added.test', '192.0.2.77') : ''}`;
  mkdirSync(zoneDir, { recursive: true });
  writeFileSync(zoneConfig, withZones(false));
  const dnsPort = await findFreePort();
  const common = ['--config', zoneConfig, '--data-dir', zoneData];
  const planner = startResoluteProcess(['run', '--roles', 'planner', ...common, '--id', 'planner']);
  await planner.waitFor(/running planner/, 30_000);
  const enactor = startResoluteProcess(['run', '--roles', 'enactor', ...common, '--id', 'enactor-a']);
  const dns = startResoluteProcess(['run', '--roles', 'dns', ...common, '--id', 'dns', '--dns-port', String(dnsPort)]);
  await Promise.all([enactor.waitFor(/running enactor/, 30_000), dns.waitFor(/running dns/, 30_000)]);
  const server = { address: '127.0.0.1', port: dnsPort };
  const answerOf = async (name: string): Promise<{ status: string; answer: readonly string[] }> => dig(server, [name, 'A']);

  const deadline = systemClock.monotonicMs() + 30_000;
  while ((await answerOf('api.demo.test')).answer.length === 0) {
    assert.ok(systemClock.monotonicMs() < deadline, 'api.demo.test answered within 30 s of start');
    await systemClock.sleep(100);
  }
  assert.equal((await answerOf('api.added.test')).status, 'REFUSED', 'not a zone of this server before the reload');

  writeFileSync(zoneConfig, withZones(true));
  const reloadedAt = systemClock.monotonicMs();
  const reloaded = await runResolute(['reload', '--data-dir', zoneData]);
  assert.equal(reloaded.code, 0, reloaded.stderr);
  let answered: { status: string; answer: readonly string[] } = await answerOf('api.added.test');
  while (answered.answer.length === 0) {
    assert.ok(systemClock.monotonicMs() - reloadedAt < ZONE_ADDED_BOUND_MS, `api.added.test answered within ${ZONE_ADDED_BOUND_MS} ms of the reload, last ${answered.status}`);
    await systemClock.sleep(100);
    answered = await answerOf('api.added.test');
  }
  const servedMs = systemClock.monotonicMs() - reloadedAt;
  process.stderr.write(`zone_added_served_ms=${Math.round(servedMs)} (bound ${ZONE_ADDED_BOUND_MS})\n`);
  assert.equal(answered.status, 'NOERROR');
  assert.match(answered.answer.join('\n'), /^api\.added\.test\.\s+\d+\s+IN\s+A\s+192\.0\.2\.77$/m);
  assert.ok((await answerOf('api.demo.test')).answer.length > 0, 'the zone served before still answers');
  // Nothing restarted: the same three processes run.
  for (const p of [planner, enactor, dns]) assert.equal(isAlive(p.pid), true);

  for (const p of [dns, enactor, planner]) p.signal('SIGTERM');
  for (const p of [dns, enactor, planner]) assert.equal(await p.exited(20_000), 0);
});
