/**
 * A process that writes to a SQLite store, for the tests that kill, stop and race writers
 * (test/store-kill.test.ts, src/store/sqlite/sqlite-store.test.ts). It prints one line per
 * acknowledged write, after the store acknowledged it, so whatever the test saw printed must
 * survive a SIGKILL at any later instant.
 *
 *   node store-writer-process.js publish-loop <dataDir> <seed>   publish, apply, clean up, forever
 *   node store-writer-process.js publish-count <dataDir> <seed> <n>  n plans and n applied increments, racing others
 *   node store-writer-process.js hold-write-lock <dataDir>       take SQLite's write lock and keep it
 *
 * Lines: `ready`, `ack plan <generation> <digest>`, `ack applied <generation>`,
 * `ack zone <generation>`, `intent cleanup <below>` (before it starts), `ack cleanup <below>`,
 * `locked`, `done`.
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { systemClock } from '../base/clock.js';
import { seededRandom, systemRandom, type Random } from '../base/random.js';
import { openSqliteStore, sqliteStoreFile } from '../store/sqlite/sqlite-store.js';
import type { EncodedPlan, Store } from '../store/store.js';

export const WRITER_ZONE = 'kill.test.';
export const WRITER_ZONE_NAMES = 20;

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** Plan bytes of a random size: mostly small, sometimes several chunks. */
function randomPlan(random: Random): EncodedPlan {
  const size = random.next() < 0.2 ? 300_000 + random.int(400_000) : random.int(20_000);
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 4096) bytes[i] = random.int(256);
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < size; offset += 256 * 1024) chunks.push(bytes.subarray(offset, Math.min(size, offset + 256 * 1024)));
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  return { schemaVersion: { major: 1, minor: 0 }, chunks, digest: hash.digest('hex') };
}

async function publishOnce(store: Store, random: Random, createdAtMs: number): Promise<bigint | undefined> {
  const newest = await store.readNewestHeader();
  if (newest.kind === 'unavailable') return undefined;
  const parent = newest.kind === 'found' ? newest.header.generation : null;
  const plan = randomPlan(random);
  const outcome = await store.publishPlan({ parentGeneration: parent, createdAtMs, plan });
  if (outcome.kind !== 'published') return undefined;
  say(`ack plan ${outcome.generation} ${plan.digest}`);
  return outcome.generation;
}

async function incrementApplied(store: Store, by: string): Promise<boolean> {
  const read = await store.readApplied({ provider: 'p' });
  if (read.kind === 'unavailable' || read.kind === 'corrupt') return false;
  const current = read.kind === 'found' ? read.applied.generation : null;
  const outcome = await store.setApplied({ provider: 'p', expected: current, generation: (current ?? 0n) + 1n, by });
  if (outcome.kind !== 'applied') return false;
  say(`ack applied ${outcome.generation}`);
  return true;
}

/** Every name of the zone gets the generation as its value, in one fenced write: a torn write would show. */
async function applyZone(store: Store, generation: bigint, random: Random): Promise<void> {
  const read = await store.readApplied({ provider: 'builtin', zone: WRITER_ZONE });
  if (read.kind === 'unavailable') return;
  const expected = read.kind === 'found' ? read.applied.generation : read.kind === 'corrupt' ? 'corrupt' : null;
  if (typeof expected === 'bigint' && expected >= generation) return;
  const value = new TextEncoder().encode(String(generation));
  const changes = Array.from({ length: WRITER_ZONE_NAMES }, (_, i) => ({ name: `n${i}.${WRITER_ZONE}`, value }));
  const outcome = await store.applyRecordSets({ provider: 'builtin', zone: WRITER_ZONE, expected, generation, by: 'writer', changes, isFull: random.next() < 0.1 });
  if (outcome.kind === 'applied') say(`ack zone ${generation}`);
}

async function publishLoop(dataDir: string, seed: number): Promise<void> {
  const random = seededRandom(seed);
  const store = await openSqliteStore({ dataDir, clock: systemClock, random: systemRandom });
  say('ready');
  for (let i = 0; ; i++) {
    const generation = await publishOnce(store, random, systemClock.nowMs());
    await incrementApplied(store, 'writer');
    if (generation !== undefined) await applyZone(store, generation, random);
    if (generation !== undefined && random.next() < 0.1 && generation > 10n) {
      // Said before: a cleanup killed before its ack may still have happened.
      say(`intent cleanup ${generation - 10n}`);
      const outcome = await store.deletePlans({ below: generation - 10n });
      if (outcome.kind === 'deleted') say(`ack cleanup ${generation - 10n}`);
    }
  }
}

async function publishCount(dataDir: string, seed: number, count: number): Promise<void> {
  const random = seededRandom(seed);
  const store = await openSqliteStore({ dataDir, clock: systemClock, random: systemRandom });
  say('ready');
  let plans = 0;
  let increments = 0;
  while (plans < count || increments < count) {
    if (plans < count && (await publishOnce(store, random, systemClock.nowMs())) !== undefined) plans++;
    if (increments < count && (await incrementApplied(store, `writer-${seed}`))) increments++;
  }
  await store.close();
  say('done');
}

function holdWriteLock(dataDir: string): void {
  const db = new Database(sqliteStoreFile(dataDir));
  db.exec('BEGIN IMMEDIATE');
  db.prepare("INSERT INTO kv (key, value, mod_revision) VALUES ('stopped/holder', x'00', 0)").run();
  say('locked');
  // Keep the process (and the transaction) alive until a signal ends it.
  setInterval(() => {}, 60_000);
}

const [mode, dataDir, seed, count] = process.argv.slice(2);
if (mode === 'publish-loop') await publishLoop(dataDir, Number(seed));
else if (mode === 'publish-count') await publishCount(dataDir, Number(seed), Number(count));
else if (mode === 'hold-write-lock') holdWriteLock(dataDir);
else throw new Error(`unknown mode ${mode}`);
