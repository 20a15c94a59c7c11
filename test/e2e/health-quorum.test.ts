/**
 * Several checker processes watch the same targets (issue 5, Health): a target's state is the
 * quorum of its checkers' recent verdicts, and a checker that stops reporting is not counted.
 *
 * Three `resolute run --roles health --id checker-N` processes and one `resolute run --roles
 * planner` share a data directory (the SQLite store); the planner has no checker of its own, so
 * it rebuilds the quorum from the transitions and heartbeats the checkers store.
 *
 * The targets are real HTTP servers on 127.0.0.1, .2 and .3. To let checkers disagree for real,
 * each checker's config sends its own Host header (`check.host`, which is not part of the
 * target key), and a server can answer one checker 503 and another 200 — as a target seen
 * through a broken path from one checker's network would.
 *
 * 1. all up; server A stops: A leaves the plan once a quorum says down;
 * 2. A comes back: it is re-added (through the ramp);
 * 3. checker-3 says B is down, then is SIGKILLed (its last stored verdict stays "down");
 *    checker-1 also says down, checker-2 says up: 1 up, 1 down of 2 reporting, no quorum, and
 *    B is kept — counting the dead checker would have made 2 downs and removed it;
 * 4. checker-2 agrees: 2 of 2 say down, and B leaves the plan.
 *
 * The velocity limit is off (max_fraction 1) so that every change in the plan is the quorum's.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { systemClock } from '../../src/base/clock.js';
import { systemRandom } from '../../src/base/random.js';
import { storedHealth } from '../../src/cli/stored-health.js';
import { parseConfig } from '../../src/config/load-config.js';
import type { TargetVerdict } from '../../src/health/quorum-health.js';
import { decodePlan } from '../../src/plan/plan-codec.js';
import type { PlanRecord } from '../../src/plan/plan.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { StorePlanLog } from '../../src/store/store-plan-log.js';
import type { Store } from '../../src/store/store.js';
import { startResoluteProcess, stopAllResoluteProcesses, type ResoluteProcess } from '../../src/testing/resolute-process.js';

const INTERVAL_MS = 300;
const FALL = 2;
/** The issue's figure: the plan changes within 3 × (interval × fall)… */
const BUDGET_MS = 3 * INTERVAL_MS * FALL;
/** …and a shared 2-core machine running four Node processes gets 3× slack on top. */
const WAIT_MS = 3 * BUDGET_MS;
const STALE_AFTER_MS = 3000;
const NAME = 'api.demo.test.';

const dir = mkdtempSync(path.join(tmpdir(), 'resolute-quorum-'));
const dataDir = path.join(dir, 'data');
let store: Store | undefined;

/** An HTTP target on its own loopback address: 200, or 503 to the checkers (by Host) in `failing`. */
class Target {
  readonly failing = new Set<string>();
  server: Server = this.create();
  port = 0;

  constructor(readonly address: string) {}

  private create(): Server {
    return createServer((req, res) => {
      res.statusCode = this.failing.has(req.headers.host ?? '') ? 503 : 200;
      res.end('ok');
    });
  }

  async start(port = 0): Promise<void> {
    this.server = this.create();
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, this.address, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get key(): string {
    return `http://${this.address}:${this.port}/health`;
  }
}

const targets = [new Target('127.0.0.1'), new Target('127.0.0.2'), new Target('127.0.0.3')];
const [targetA, targetB] = targets;

after(async () => {
  await stopAllResoluteProcesses();
  await store?.close();
  await Promise.all(targets.map((t) => t.stop()));
  rmSync(dir, { recursive: true, force: true });
});

/** The config file; a checker's carries its own Host header, the planner's none. */
function writeConfig(file: string, host: string | undefined): string {
  const hostPart = host === undefined ? '' : `, host: ${host}`;
  const text = `zones:
  - apex: demo.test
    nameservers: [ns1.demo.test]
endpoints:
  - name: api.demo.test
    type: A
    ttl: 5
    policy: weighted
    targets:
${targets.map((t) => `      - { address: ${t.address}, weight: 100, check: { type: http, port: ${t.port}, path: /health, interval: ${INTERVAL_MS}ms, timeout: 250ms, rise: 2, fall: ${FALL}${hostPart} } }\n`).join('')}planner:
  velocity: { max_fraction: 1, window: 60s }
  ramp: { steps: 2, step: 300ms }
health:
  checkers: 3
  quorum: 2
  stale_after: ${STALE_AFTER_MS}ms
`;
  parseConfig(text, file); // fails here, not in four child processes, when the text is wrong
  const full = path.join(dir, file);
  writeFileSync(full, text);
  return full;
}

async function openStore(): Promise<Store> {
  store ??= await openSqliteStore({ dataDir, clock: systemClock, random: systemRandom });
  return store;
}

/** The newest stored plan's records for the name (fresh log each time: nothing cached across reads). */
async function planned(): Promise<readonly PlanRecord[]> {
  const plan = await new StorePlanLog(await openStore(), decodePlan).newest();
  return plan?.endpoints.get(NAME)?.records ?? [];
}

const addresses = (records: readonly PlanRecord[]): string => records.map((r) => r.address).join(' ');

/** What a planner without a checker of its own sees: the quorum over the store. */
async function verdict(target: Target, quorumConfig: ReturnType<typeof parseConfig>): Promise<TargetVerdict | undefined> {
  return (await storedHealth(await openStore(), quorumConfig.health, systemClock)).get(target.key);
}

/** Polls `read` until `isDone` holds; fails with the last value after `limitMs`. Returns the elapsed ms. */
async function waitUntil<T>(what: string, read: () => Promise<T>, isDone: (value: T) => boolean, limitMs: number): Promise<number> {
  const start = systemClock.monotonicMs();
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (isDone(last)) return systemClock.monotonicMs() - start;
    if (systemClock.monotonicMs() - start > limitMs) assert.fail(`${what}: not reached within ${limitMs} ms; last: ${JSON.stringify(last)}`);
    await systemClock.sleep(50);
  }
}

test('three checker processes: the plan follows their quorum, and a checker that stops reporting is not counted', async () => {
  const testStart = systemClock.monotonicMs();
  await Promise.all(targets.map((t) => t.start()));
  const plannerConfig = writeConfig('planner.yaml', undefined);
  const config = parseConfig(readFileSync(plannerConfig, 'utf8'), plannerConfig);
  const checkers: ResoluteProcess[] = [1, 2, 3].map((n) =>
    startResoluteProcess(['run', '--roles', 'health', '--config', writeConfig(`checker-${n}.yaml`, `c${n}.test`), '--data-dir', dataDir, '--id', `checker-${n}`]),
  );
  const planner = startResoluteProcess(['run', '--roles', 'planner', '--config', plannerConfig, '--data-dir', dataDir, '--id', 'planner-1', '--interval-ms', '100']);
  await Promise.all([...checkers, planner].map((p) => p.waitFor(/running (health|planner)/, 30_000)));

  // All three checkers report every target up; the plan serves all three.
  await waitUntil(
    'every target up by 3 checkers',
    () => Promise.all(targets.map((t) => verdict(t, config))),
    (vs) => vs.every((v) => v?.state === 'up' && v.upVotes === 3 && v.reporting === 3),
    20_000,
  );
  await waitUntil('all three planned', planned, (rs) => addresses(rs) === '127.0.0.1 127.0.0.2 127.0.0.3', WAIT_MS);

  // 1. A's server stops: once a quorum (2 of 3) say down, A leaves the plan.
  await targetA.stop();
  const downMs = await waitUntil('A removed', planned, (rs) => addresses(rs) === '127.0.0.2 127.0.0.3', WAIT_MS);
  const plan = await new StorePlanLog(await openStore(), decodePlan).newest();
  const why = plan?.reasons.map((r) => `${r.rule}: ${r.detail}`).join('\n') ?? '';
  assert.match(why, new RegExp(`health: .*${targetA.key.replace(/[.]/g, '\\.')}`), `the plan says why A left:\n${why}`);
  const aVerdict = await verdict(targetA, config);
  assert.equal(aVerdict?.state, 'down');
  assert.ok((aVerdict?.downVotes ?? 0) >= 2, JSON.stringify(aVerdict));

  // 2. A comes back on the same port: re-added, through the ramp to full weight.
  await targetA.start(targetA.port);
  const upMs = await waitUntil('A back at full weight', planned, (rs) => addresses(rs) === '127.0.0.1 127.0.0.2 127.0.0.3' && rs.every((r) => r.role === 'serving'), WAIT_MS + 2_000);

  // 3. checker-3 alone says B is down: 2 up, 1 down, B stays up.
  targetB.failing.add('c3.test');
  await waitUntil('checker-3 says B down', () => verdict(targetB, config), (v) => v?.downVotes === 1 && v.upVotes === 2, WAIT_MS);
  assert.equal((await verdict(targetB, config))?.state, 'up');
  // checker-3 stops reporting for good; its last stored verdict on B stays "down".
  checkers[2].signal('SIGKILL');
  assert.equal(await checkers[2].exited(10_000), null);
  await waitUntil('checker-3 no longer counted', () => verdict(targetB, config), (v) => v?.reporting === 2, STALE_AFTER_MS * 3);
  // checker-1 says down, checker-2 says up: no quorum among those still reporting.
  targetB.failing.add('c1.test');
  const split = await waitUntil('B split 1 up / 1 down', () => verdict(targetB, config), (v) => v?.state === 'unknown' && v.downVotes === 1 && v.upVotes === 1, WAIT_MS);
  assert.match((await verdict(targetB, config))?.detail ?? '', /no quorum: 1 up, 1 down of 2 reporting, 2 needed/);
  // The planner keeps B's previous state (serving) rather than guess, over many planner steps.
  const heldSince = systemClock.monotonicMs();
  while (systemClock.monotonicMs() - heldSince < BUDGET_MS) {
    const records = await planned();
    assert.equal(addresses(records), '127.0.0.1 127.0.0.2 127.0.0.3', 'B is kept while the checkers still reporting disagree');
    assert.ok(records.every((r) => r.role === 'serving'));
    await systemClock.sleep(100);
  }
  assert.equal((await verdict(targetB, config))?.state, 'unknown', 'still split after the hold');

  // 4. checker-2 agrees: 2 of the 2 reporting say down — a quorum — and B leaves the plan.
  targetB.failing.add('c2.test');
  const agreedMs = await waitUntil('B removed by 2 of 2', planned, (rs) => addresses(rs) === '127.0.0.1 127.0.0.3', WAIT_MS);
  const bVerdict = await verdict(targetB, config);
  assert.equal(bVerdict?.state, 'down');
  assert.equal(bVerdict?.isConfirmedDown, true);
  assert.equal(bVerdict?.reporting, 2);

  await Promise.all([checkers[0].stop(), checkers[1].stop(), planner.stop()]);
  const totalMs = systemClock.monotonicMs() - testStart;
  console.log(`health-quorum: A down→removed ${Math.round(downMs)} ms, A back ${Math.round(upMs)} ms, split seen ${Math.round(split)} ms, B removed by 2 of 2 ${Math.round(agreedMs)} ms (budget ${BUDGET_MS} ms, wait bound ${WAIT_MS} ms), total ${Math.round(totalMs)} ms`);
});
