import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../base/clock.js';
import { seededRandom } from '../../base/random.js';
import { fakeEncodedPlan, ManualClock, runStoreContract } from '../store-contract.js';
import { SqliteKeyValue } from './sqlite-key-value.js';
import { openSqlite, sqliteDriverFor, type SqliteDriverName } from './sqlite-driver.js';
import { openSqliteStore, sqliteStoreFile } from './sqlite-store.js';

runStoreContract('sqlite', (dataDir, { clock, random }) => openSqliteStore({ dataDir, clock, random }), { isDurable: true });

const WRITER_JS = fileURLToPath(new URL('../../testing/store-writer-process.js', import.meta.url));
/**
 * Takes the store's write lock with this Node's driver and keeps it until killed (`node -e`, so
 * that on Node 24 no process of these tests loads better-sqlite3).
 */
const HOLD_WRITE_LOCK_JS = `
  const { openSqlite } = await import(${JSON.stringify(new URL('./sqlite-driver.js', import.meta.url).href)});
  const db = openSqlite(process.argv[1], { timeoutMs: 2000 });
  db.exec('BEGIN IMMEDIATE');
  db.prepare("INSERT INTO kv (key, value, mod_revision) VALUES ('stopped/holder', x'00', 0)").run();
  process.stdout.write('locked\\n');
  setInterval(() => {}, 60_000);
`;
const children = new Set<ChildProcess>();
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** A writer process (`node <args>`); `lines` fills as it prints, `exited` resolves with its exit code. */
function startWriter(args: string[]): { child: ChildProcess; lines: string[]; waitFor: (line: string) => Promise<void>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let buffer = '';
  child.stdout?.on('data', (data: Buffer) => {
    buffer += data.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
    for (const wake of waiters.splice(0)) wake();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = async (line: string): Promise<void> => {
    while (!lines.includes(line)) {
      if (child.exitCode !== null) throw new Error(`writer exited (${child.exitCode}) before printing ${line}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { child, lines, waitFor, exited };
}

const tempDir = (): string => mkdtempSync(path.join(tmpdir(), 'resolute-sqlite-'));

describe('the sqlite store on one machine', () => {
  test('three processes publishing and fencing at once get unique, increasing generations and lose no acknowledged write', async () => {
    const dataDir = tempDir();
    try {
      const writers = [1, 2, 3].map((seed) => startWriter([WRITER_JS, 'publish-count', dataDir, String(seed), '15']));
      assert.deepEqual(await Promise.all(writers.map((w) => w.exited)), [0, 0, 0]);
      const acked = writers.map((w) => w.lines.filter((l) => l.startsWith('ack plan ')).map((l) => l.split(' ')));
      for (const mine of acked) {
        const generations = mine.map(([, , g]) => BigInt(g));
        assert.deepEqual(generations, [...generations].sort((a, b) => (a < b ? -1 : 1)), 'each writer sees its generations increase');
      }
      const all = acked.flat();
      assert.equal(new Set(all.map(([, , g]) => g)).size, 45, 'no generation is given twice');
      const store = await openSqliteStore({ dataDir, clock: systemClock, random: seededRandom(1) });
      try {
        const listed = await store.listPlans();
        assert.deepEqual(listed.kind === 'listed' ? listed.items.map((h) => h.generation) : listed, Array.from({ length: 45 }, (_, i) => BigInt(i + 1)));
        for (const [, , g, digest] of all) {
          const read = await store.readPlan(BigInt(g));
          assert.equal(read.kind === 'found' ? read.plan.plan.digest : read.kind, digest, `acknowledged plan ${g}`);
        }
        const applied = await store.readApplied({ provider: 'p' });
        assert.equal(applied.kind === 'found' ? applied.applied.generation : applied.kind, 45n, 'every acknowledged compare-and-set counted once');
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("a watch hears another process's commit at once (inotify on the WAL), long before its poll timeout", async () => {
    const dataDir = tempDir();
    const store = await openSqliteStore({ dataDir, clock: systemClock, random: seededRandom(1) });
    const watch = store.watch([{ kind: 'newest-plan' }]);
    try {
      const writer = startWriter([WRITER_JS, 'publish-count', dataDir, '1', '1']);
      const startedMs = systemClock.monotonicMs();
      assert.equal(await watch.next({ timeoutMs: 20_000 }), 'changed');
      const waitedMs = systemClock.monotonicMs() - startedMs;
      assert.equal(await writer.exited, 0);
      assert.ok(writer.lines.some((l) => l.startsWith('ack plan 1 ')), writer.lines.join('\n'));
      assert.ok(waitedMs < 10_000, `woken ${Math.round(waitedMs)} ms after the writer started (its start included), not by the 20 s timeout`);
    } finally {
      watch.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a writer stopped with SIGSTOP inside a write transaction delays other writers by the lock timeout, then they are told unavailable', async () => {
    const dataDir = tempDir();
    const lockTimeoutMs = 400;
    const store = await openSqliteStore({ dataDir, clock: new ManualClock(), random: seededRandom(1), lockTimeoutMs });
    const holder = startWriter(['--input-type=module', '-e', HOLD_WRITE_LOCK_JS, sqliteStoreFile(dataDir)]);
    try {
      assert.equal((await store.publishPlan({ parentGeneration: null, createdAtMs: 1, plan: fakeEncodedPlan(100, 1) })).kind, 'published');
      await holder.waitFor('locked');
      holder.child.kill('SIGSTOP');
      const startedMs = systemClock.monotonicMs();
      const outcome = await store.publishPlan({ parentGeneration: 1n, createdAtMs: 2, plan: fakeEncodedPlan(100, 2) });
      const waitedMs = systemClock.monotonicMs() - startedMs;
      assert.equal(outcome.kind, 'unavailable');
      if (outcome.kind === 'unavailable') assert.match(outcome.cause.message, /^ERR_STORE_UNAVAILABLE: SQLite txn failed: SQLITE_BUSY/);
      assert.ok(waitedMs >= lockTimeoutMs * 0.9 && waitedMs < lockTimeoutMs + 1500, `waited ${Math.round(waitedMs)} ms for a ${lockTimeoutMs} ms bound`);
      const fenced = await store.setApplied({ provider: 'p', expected: null, generation: 1n, by: 'A' });
      assert.equal(fenced.kind, 'unavailable', 'every write is bounded the same way');
      // WAL: readers never wait for the writer.
      const readStartedMs = systemClock.monotonicMs();
      const newest = await store.readNewestPlan();
      assert.equal(newest.kind === 'found' ? newest.plan.header.generation : newest.kind, 1n);
      assert.ok(systemClock.monotonicMs() - readStartedMs < lockTimeoutMs / 2, 'reads are not delayed');
      holder.child.kill('SIGKILL');
      await holder.exited;
      assert.equal((await store.publishPlan({ parentGeneration: 1n, createdAtMs: 2, plan: fakeEncodedPlan(100, 2) })).kind, 'published', 'the killed holder\'s transaction is rolled back');
      assert.deepEqual(await store.listPlans().then((l) => (l.kind === 'listed' ? l.items.length : l.kind)), 2);
    } finally {
      if (holder.child.exitCode === null && holder.child.signalCode === null) holder.child.kill('SIGKILL');
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a plan with a chunk lost on disk reads as unavailable, never as no plan', async () => {
    const dataDir = tempDir();
    const store = await openSqliteStore({ dataDir, clock: new ManualClock(), random: seededRandom(1) });
    try {
      await store.publishPlan({ parentGeneration: null, createdAtMs: 1, plan: fakeEncodedPlan(600_000, 1) });
      const db = openSqlite(sqliteStoreFile(dataDir), { timeoutMs: 2_000 });
      db.prepare("DELETE FROM kv WHERE key LIKE 'plans/chunks/%/000001'").run();
      db.close();
      const newest = await store.readNewestPlan();
      assert.equal(newest.kind, 'unavailable');
      if (newest.kind === 'unavailable') assert.match(newest.cause.message, /ERR_STORE_UNAVAILABLE: the newest plan \(generation 1\) cannot be read whole: chunk 1 of 3 is missing/);
      assert.equal((await store.readPlan(1n)).kind, 'unavailable');
      const header = await store.readNewestHeader();
      assert.equal(header.kind === 'found' ? header.header.generation : header.kind, 1n, 'the header still says which plan is the newest');
    } finally {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a file that is not a store is refused at open with ERR_STORE_OPEN naming it', async () => {
    const dataDir = tempDir();
    try {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(sqliteStoreFile(dataDir), 'not a database, just some text that is long enough to be read as a header by sqlite itself');
      await assert.rejects(openSqliteStore({ dataDir, clock: new ManualClock(), random: seededRandom(1) }), {
        code: 'ERR_STORE_OPEN',
        message: new RegExp(`store\\.sqlite\\)`),
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the sqlite driver', () => {
  const major = Number(process.versions.node.split('.')[0]);
  const expected: SqliteDriverName = major >= 24 ? 'node:sqlite' : 'better-sqlite3';

  test(`on Node ${process.versions.node} the store runs on ${expected}`, async () => {
    assert.equal(sqliteDriverFor('20.18.1'), 'better-sqlite3');
    assert.equal(sqliteDriverFor('v22.23.3'), 'better-sqlite3');
    assert.equal(sqliteDriverFor('24.0.0'), 'node:sqlite');
    assert.equal(sqliteDriverFor('25.1.0'), 'node:sqlite');
    const dataDir = tempDir();
    const kv = new SqliteKeyValue(sqliteStoreFile(dataDir));
    try {
      assert.equal(kv.driver, expected);
      assert.equal(await kv.txn([], [{ kind: 'put', key: 'k', value: new Uint8Array([1]) }]), true);
      const entry = await kv.get('k');
      assert.deepEqual(entry && [entry.key, [...entry.value], entry.modRevision], ['k', [1], 1n]);
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((file) => file.includes(`${path.sep}better-sqlite3${path.sep}`));
      if (expected === 'node:sqlite') assert.deepEqual(loaded, [], 'better-sqlite3 is never loaded where it aborts the process');
    } finally {
      await kv.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  // Node 22 is the one Node with both bindings loadable (20 has no node:sqlite; better-sqlite3 12 aborts on 24).
  test('a file written through either driver reads the same through the other (Node 22 only)', { skip: major !== 22 && 'both drivers load only on Node 22' }, async () => {
    const dataDir = tempDir();
    const file = sqliteStoreFile(dataDir);
    try {
      const drivers: SqliteDriverName[] = ['better-sqlite3', 'node:sqlite', 'better-sqlite3'];
      for (const [i, driver] of drivers.entries()) {
        const kv = new SqliteKeyValue(file, 400, driver);
        try {
          assert.equal(kv.driver, driver);
          const seen = await kv.range('k/');
          assert.deepEqual(seen.map((e) => [e.key, [...e.value], e.modRevision]), Array.from({ length: i }, (_, j) => [`k/${j}`, [j], BigInt(j + 1)]), `${driver} reads what the others wrote`);
          const compare = i === 0 ? { key: 'k/0', modRevision: 0n } : { key: `k/${i - 1}`, modRevision: BigInt(i) };
          assert.equal(await kv.txn([compare], [{ kind: 'put', key: `k/${i}`, value: new Uint8Array([i]) }]), true);
        } finally {
          await kv.close();
        }
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
