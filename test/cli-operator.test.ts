/**
 * The operator commands through the real CLI (`node dist/src/cli/main.js`) against real SQLite
 * stores in temp dirs: freeze, resume, rollback, drain; their logs are JSON lines; bad input is
 * a clear error that writes nothing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { createMetrics } from '../src/api/metrics.js';
import { startMetricsServer } from '../src/api/metrics-server.js';
import { systemClock } from '../src/base/clock.js';
import { systemRandom } from '../src/base/random.js';
import { loadConfig } from '../src/config/load-config.js';
import { decodePlan, encodePlan } from '../src/plan/plan-codec.js';
import type { Plan } from '../src/plan/plan.js';
import { computePlan } from '../src/plan/planner.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { parsePrometheusText } from '../src/testing/prometheus-text.js';

const exec = promisify(execFile);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const main = path.join(root, 'dist/src/cli/main.js');
const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function resolute(...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [main, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'resolute-operator-'));
  dirs.push(dir);
  return dir;
}

/** A config file: api.demo.test with these addresses, and www.demo.test when asked. */
function configFile(dir: string, api: readonly number[], withWww: boolean): string {
  const file = path.join(dir, `resolute-${api.join('-')}-${withWww}.yaml`);
  const targets = (list: readonly number[]): string => list.map((i) => `      - { address: 192.0.2.${i}, weight: 100 }`).join('\n');
  const www = withWww ? `  - name: www.demo.test\n    type: A\n    targets:\n${targets([9])}\n` : '';
  writeFileSync(file, `zones: [{ apex: demo.test, nameservers: [ns1.demo.test] }]\nendpoints:\n  - name: api.demo.test\n    type: A\n    targets:\n${targets(api)}\n${www}`);
  return file;
}

/** Publishes the plan the planner computes for `file` against the newest stored plan. */
async function publishFor(store: Store, file: string, nowMs: number): Promise<Plan> {
  const config = await loadConfig(file);
  const newest = await store.readNewestPlan();
  const parent = newest.kind === 'found' ? decodePlan(newest.plan.plan, newest.plan.header.generation) : undefined;
  const draft = computePlan({ config, health: new Map(), parent, window: [], nowMs });
  assert.ok(draft !== undefined);
  const published = await store.publishPlan({ parentGeneration: draft.parentGeneration, createdAtMs: nowMs, plan: encodePlan(draft) });
  assert.equal(published.kind, 'published');
  return Object.freeze({ ...draft, generation: (published as { generation: bigint }).generation });
}

/** G1: api → .1 .2; G2: api → .1 .2 .3; G3: api → .1 .2 .3 and www (added since G1). */
async function threeGenerations(): Promise<{ dataDir: string; config: string; plans: Plan[] }> {
  const dataDir = tempDir();
  const store = await openSqliteStore({ dataDir, clock: systemClock, random: systemRandom });
  try {
    const t = systemClock.nowMs() - 3_600_000; // older than the velocity window
    const plans = [
      await publishFor(store, configFile(dataDir, [1, 2], false), t),
      await publishFor(store, configFile(dataDir, [1, 2, 3], false), t + 1000),
      await publishFor(store, configFile(dataDir, [1, 2, 3], true), t + 2000),
    ];
    return { dataDir, config: configFile(dataDir, [1, 2, 3], true), plans };
  } finally {
    await store.close();
  }
}

async function withStore<T>(dataDir: string, use: (store: Store) => Promise<T>): Promise<T> {
  const store = await openSqliteStore({ dataDir, clock: systemClock, random: systemRandom });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

function jsonLines(stderr: string): Record<string, unknown>[] {
  const lines = stderr.trim().split('\n').filter((l) => l !== '');
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('freeze and resume set the store’s freeze flag and write who and why to the audit log', async () => {
  const { dataDir } = await threeGenerations();
  const frozen = await resolute('freeze', '--data-dir', dataDir, '--reason', 'bad checks', '--by', 'alice');
  assert.equal(frozen.code, 0, frozen.stderr);
  assert.match(frozen.stdout, /planning frozen by alice: bad checks/);
  const log = jsonLines(frozen.stderr);
  assert.equal(log.length, 1);
  assert.deepEqual([log[0].level, log[0].role, log[0].msg, log[0].by], ['warn', 'operator', 'planning frozen', 'alice']);
  await withStore(dataDir, async (store) => {
    const freeze = await store.readFreeze();
    assert.deepEqual(freeze.kind === 'found' ? [freeze.freeze.isFrozen, freeze.freeze.by, freeze.freeze.reason] : freeze, [true, 'alice', 'bad checks']);
  });
  const resumed = await resolute('resume', '--data-dir', dataDir, '--reason', 'checks fixed', '--by', 'bob');
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stdout, /planning resumed by bob \(it was frozen by alice: bad checks\)/);
  await withStore(dataDir, async (store) => {
    const freeze = await store.readFreeze();
    assert.equal(freeze.kind === 'found' && freeze.freeze.isFrozen, false);
    const audit = await store.readAudit({ limit: 2 });
    assert.deepEqual(audit.kind === 'listed' ? audit.items.map((e) => `${e.actor} ${e.action} ${e.detail}`) : audit, ['bob resume checks fixed', 'alice freeze bad checks']);
  });
});

test('rollback to G publishes a new generation with G’s content, keeps a name added since, freezes, and shows in the metrics', async () => {
  const { dataDir, config, plans } = await threeGenerations();
  const run = await resolute('rollback', '--to', '1', '--data-dir', dataDir, '--config', config, '--by', 'carol');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /rolled back to generation 1 as generation 4/);
  const line = jsonLines(run.stderr).find((l) => l.msg === 'rollback published; planning frozen');
  assert.deepEqual([line?.level, line?.role, line?.generation, line?.to], ['warn', 'operator', '4', '1']);
  await withStore(dataDir, async (store) => {
    const newest = await store.readNewestPlan();
    assert.ok(newest.kind === 'found');
    assert.equal(newest.plan.header.generation, 4n);
    assert.equal(newest.plan.header.parentGeneration, 3n);
    const plan = decodePlan(newest.plan.plan, 4n);
    assert.deepEqual(plan.endpoints.get('api.demo.test.'), plans[0].endpoints.get('api.demo.test.'), 'G’s content for a name that existed at G');
    assert.deepEqual(plan.endpoints.get('www.demo.test.'), plans[2].endpoints.get('www.demo.test.'), 'a name added since G is kept');
    const freeze = await store.readFreeze();
    assert.deepEqual(freeze.kind === 'found' ? [freeze.freeze.isFrozen, freeze.freeze.by, freeze.freeze.reason] : freeze, [true, 'carol', 'rollback to generation 1 as 4']);
    const audit = await store.readAudit({ limit: 1 });
    assert.equal(audit.kind === 'listed' ? `${audit.items[0].action} ${audit.items[0].generation}` : audit.kind, 'rollback 4');
    // The same store through the metrics endpoint: a real GET, parsed as Prometheus text.
    const metrics = createMetrics({ store });
    const server = await startMetricsServer({ metrics, port: 0 });
    try {
      const text = parsePrometheusText(await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text());
      assert.equal(text.samples.get('resolute_plan_generation'), 4);
      assert.equal(text.samples.get('resolute_planner_frozen'), 1);
      assert.equal(text.samples.get('resolute_plans_stored'), 4);
    } finally {
      await server.close();
      metrics.close();
    }
  });
});

test('rollback to an unknown or deleted generation fails naming it, and writes nothing', async () => {
  const { dataDir, config } = await threeGenerations();
  await withStore(dataDir, async (store) => assert.equal((await store.deletePlans({ below: 2n })).kind, 'deleted'));
  for (const [to, reason] of [
    ['1', /ERR_ROLLBACK_GENERATION: cannot roll back to generation 1: generation 1 is not in the store \(never published, or deleted by cleanup\); nothing was written \(--to 1\); pick an older stored generation \(stored: 2, 3\)/],
    ['99', /ERR_ROLLBACK_GENERATION: cannot roll back to generation 99: generation 99 is newer than the newest plan 3/],
    ['3', /ERR_ROLLBACK_GENERATION: .*generation 3 is the newest plan already/],
  ] as const) {
    const run = await resolute('rollback', '--to', to, '--data-dir', dataDir, '--config', config);
    assert.equal(run.code, 1);
    assert.match(run.stderr, reason);
  }
  await withStore(dataDir, async (store) => {
    const head = await store.readNewestHeader();
    assert.equal(head.kind === 'found' && head.header.generation, 3n);
    const freeze = await store.readFreeze();
    assert.equal(freeze.kind === 'found' && freeze.freeze.isFrozen, false);
    assert.deepEqual(await store.readAudit({ limit: 10 }), { kind: 'listed', items: [] });
  });
});

test('drain records the target in the store for the planner, and undo ends it', async () => {
  const { dataDir, config } = await threeGenerations();
  const drained = await resolute('drain', '192.0.2.3', '--config', config, '--data-dir', dataDir, '--reason', 'kernel upgrade', '--by', 'dan');
  assert.equal(drained.code, 0, drained.stderr);
  assert.match(drained.stdout, /^static:\/\/192\.0\.2\.3 drained by dan/);
  await withStore(dataDir, async (store) => {
    const drains = await store.listDrains();
    assert.deepEqual(drains.kind === 'listed' ? drains.items.map((d) => [d.target, d.isDrained, d.by, d.reason]) : drains, [['static://192.0.2.3', true, 'dan', 'kernel upgrade']]);
  });
  const undone = await resolute('drain', 'static://192.0.2.3', '--data-dir', dataDir, '--undo');
  assert.equal(undone.code, 0, undone.stderr);
  await withStore(dataDir, async (store) => {
    const drains = await store.listDrains();
    assert.equal(drains.kind === 'listed' && drains.items[0].isDrained, false);
  });
  const typo = await resolute('drain', 'static://192.0.2.33', '--config', config, '--data-dir', dataDir);
  assert.equal(typo.code, 1);
  assert.match(typo.stderr, /ERR_DRAIN_TARGET: no target 'static:\/\/192\.0\.2\.33' in the config; nothing was drained .*did you mean static:\/\/192\.0\.2\.3\?/);
});

test('a missing data dir and a bad --log-level are clear errors, and nothing is created', async () => {
  const missing = path.join(tempDir(), 'no-such-dir');
  const run = await resolute('freeze', '--data-dir', missing, '--reason', 'x');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /ERR_STORE_OPEN: no Resolute store in .*no-such-dir .*pass the data directory of the running system/);
  assert.equal(existsSync(missing), false);
  const level = await resolute('resume', '--data-dir', missing, '--log-level', 'verbose');
  assert.notEqual(level.code, 0);
  assert.match(level.stderr, /--log-level must be one of fatal, error, warn, info, debug, trace, silent, got 'verbose'/);
  const to = await resolute('rollback', '--to', 'abc', '--data-dir', missing, '--config', 'x.yaml');
  assert.notEqual(to.code, 0);
  assert.match(to.stderr, /--to must be a plan generation \(a positive integer\), got 'abc'/);
});
