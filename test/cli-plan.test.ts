/**
 * `resolute plan` is a dry run: it prints the diff the planner would publish against the newest
 * published plan, and writes nothing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { systemClock } from '../src/base/clock.js';
import { systemRandom } from '../src/base/random.js';
import { loadConfig } from '../src/config/load-config.js';
import { encodePlan } from '../src/plan/plan-codec.js';
import { Planner } from '../src/plan/planner.js';
import { openSqliteStore, sqliteStoreFile } from '../src/store/sqlite/sqlite-store.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const main = path.join(root, 'dist/src/cli/main.js');
const oneRegion = path.join(root, 'examples/one-region.yaml');
const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'resolute-plan-'));
  dirs.push(dir);
  return dir;
}

test('a dry run against a fresh data directory lists every record as added and creates no store', async () => {
  const dataDir = path.join(tempDir(), 'data');
  const { stdout } = await run(process.execPath, [main, 'plan', '--config', oneRegion, '--data-dir', dataDir]);
  assert.match(stdout, /^plan against nothing published yet:/);
  const lines = stdout.trim().split('\n').slice(1);
  assert.ok(lines.length > 0 && lines.every((line) => line.startsWith('+ ')), stdout);
  assert.equal(existsSync(dataDir), false, 'the dry run wrote nothing');
});

test('a dry run against the published plan shows no change, and --json prints the same diff as JSON', async () => {
  const dataDir = tempDir();
  const store = await openSqliteStore({ dataDir, clock: systemClock, random: systemRandom });
  const config = await loadConfig(oneRegion);
  const draft = await new Planner({ clock: systemClock, log: { newest: async () => undefined, since: async () => [] } }).plan(config, new Map());
  assert.ok(draft !== undefined);
  const published = await store.publishPlan({ parentGeneration: null, createdAtMs: draft.createdAtMs, plan: encodePlan(draft) });
  assert.equal(published.kind, 'published');
  await store.close();
  const before = existsSync(sqliteStoreFile(dataDir));
  const { stdout } = await run(process.execPath, [main, 'plan', '--config', oneRegion, '--data-dir', dataDir]);
  assert.match(stdout, /^plan against generation \d+:\nno changes\n$/);
  const json = await run(process.execPath, [main, 'plan', '--config', oneRegion, '--data-dir', dataDir, '--json']);
  assert.deepEqual(JSON.parse(json.stdout), []);
  assert.equal(before, true);
});

test('a config that does not load exits 1 with the file and the reason, and writes nothing', async () => {
  const dataDir = path.join(tempDir(), 'data');
  await assert.rejects(run(process.execPath, [main, 'plan', '--config', '/nonexistent/resolute.yaml', '--data-dir', dataDir]), (error: { code: number; stderr: string }) => {
    assert.equal(error.code, 1);
    assert.match(error.stderr, /ERR_CONFIG_FILE: .*\/nonexistent\/resolute\.yaml/);
    return true;
  });
  assert.equal(existsSync(dataDir), false);
});
