/**
 * Nothing acknowledged is lost (issue 6): a writer process publishes plans, sets applied
 * generations, writes a zone's record sets and cleans up, in a loop, printing each write the
 * store acknowledged; we SIGKILL it at random instants, many times, reopen the store and check:
 *   1. every acknowledged plan not yet cleaned up is readable whole, with its digest;
 *   2. the newest-generation key points at a complete plan, at or above every acknowledged one;
 *   3. no partial plan is visible: every listed generation reads whole;
 *   4. generations never went backwards, and never repeat;
 *   5. the applied generation and the zone are at or above what was acknowledged, and the zone
 *      is never torn (every name holds the zone's generation: one fenced write, all or nothing).
 * The kill schedule is seeded; the seed and the command that replays it are printed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../src/base/clock.js';
import { seededRandom } from '../src/base/random.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';

const WRITER_JS = fileURLToPath(new URL('../src/testing/store-writer-process.js', import.meta.url));
const BUDGET_MS = Number(process.env.STORE_KILL_BUDGET_MS ?? 30_000);
const ZONE = 'kill.test.';

interface Acks {
  plans: Map<bigint, string>;
  applied: bigint;
  zone: bigint;
  cleanedBelow: bigint;
}

/** Runs the writer until a random instant, SIGKILLs it, returns the lines it completed. */
async function runAndKill(dataDir: string, seed: number, killAfterMs: number): Promise<string[]> {
  const child = spawn(process.execPath, [WRITER_JS, 'publish-loop', dataDir, String(seed)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  let killTimer: (() => void) | undefined;
  child.stdout.on('data', (data: Buffer) => {
    output += data.toString();
    // The kill instant is counted from `ready`, so it lands in the writes, not in Node's start-up.
    if (killTimer === undefined && output.includes('ready\n')) killTimer = systemClock.after(killAfterMs, () => child.kill('SIGKILL'));
  });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, s) => resolve(s)));
  assert.equal(signal, 'SIGKILL', `the writer died by itself:\n${output.slice(-2000)}`);
  // A line cut by the kill was never completely acknowledged to us: only whole lines count.
  return output.split('\n').slice(0, -1);
}

function record(acks: Acks, lines: readonly string[]): void {
  for (const line of lines) {
    const [ack, what, value, digest] = line.split(' ');
    // Plans below a cleanup that was started may be gone, whether or not it was acknowledged.
    if (ack === 'intent' && what === 'cleanup') acks.cleanedBelow = BigInt(value) > acks.cleanedBelow ? BigInt(value) : acks.cleanedBelow;
    if (ack !== 'ack') continue;
    const n = BigInt(value);
    if (what === 'plan') {
      assert.ok(!acks.plans.has(n), `generation ${n} was acknowledged twice`);
      acks.plans.set(n, digest);
    } else if (what === 'applied') acks.applied = n > acks.applied ? n : acks.applied;
    else if (what === 'zone') acks.zone = n > acks.zone ? n : acks.zone;
    else if (what === 'cleanup') acks.cleanedBelow = n > acks.cleanedBelow ? n : acks.cleanedBelow;
  }
}

async function check(dataDir: string, acks: Acks, previousNewest: bigint, context: string): Promise<bigint> {
  const store = await openSqliteStore({ dataDir, clock: systemClock, random: seededRandom(1) });
  try {
    const maxAcked = [...acks.plans.keys()].reduce((a, b) => (b > a ? b : a), 0n);
    const newest = await store.readNewestPlan();
    assert.equal(newest.kind, maxAcked === 0n ? newest.kind : 'found', `${context}: the newest plan reads whole`);
    const newestGeneration = newest.kind === 'found' ? newest.plan.header.generation : 0n;
    assert.ok(newestGeneration >= maxAcked, `${context}: newest ${newestGeneration} is below acknowledged ${maxAcked}`);
    assert.ok(newestGeneration >= previousNewest, `${context}: newest went backwards from ${previousNewest} to ${newestGeneration}`);
    const listed = await store.listPlans();
    assert.equal(listed.kind, 'listed');
    const generations = listed.kind === 'listed' ? listed.items.map((h) => h.generation) : [];
    for (let i = 1; i < generations.length; i++) assert.ok(generations[i] > generations[i - 1], `${context}: generations increase`);
    assert.equal(generations.at(-1) ?? 0n, newestGeneration, `${context}: the newest is the last listed`);
    for (const generation of generations) {
      const read = await store.readPlan(generation);
      assert.equal(read.kind, 'found', `${context}: listed generation ${generation} is not readable whole`);
    }
    for (const [generation, digest] of acks.plans) {
      if (generation < acks.cleanedBelow) continue;
      const read = await store.readPlan(generation);
      assert.equal(read.kind === 'found' ? read.plan.plan.digest : read.kind, digest, `${context}: acknowledged plan ${generation}`);
    }
    const applied = await store.readApplied({ provider: 'p' });
    assert.ok((applied.kind === 'found' ? applied.applied.generation : 0n) >= acks.applied, `${context}: applied went below an acknowledged ${acks.applied}`);
    const zone = await store.readRecordSets({ provider: 'builtin', zone: ZONE });
    if (acks.zone > 0n) assert.equal(zone.kind, 'found', `${context}: the zone reads whole`);
    if (zone.kind === 'found') {
      assert.ok(zone.generation >= acks.zone, `${context}: zone ${zone.generation} below acknowledged ${acks.zone}`);
      const values = new Set(zone.changes.map((c) => new TextDecoder().decode(c.value ?? new Uint8Array())));
      assert.deepEqual([...values], [String(zone.generation)], `${context}: the zone is torn`);
      assert.equal(zone.changes.length, 20);
    }
    return newestGeneration;
  } finally {
    await store.close();
  }
}

test('a writer killed with SIGKILL at random instants, again and again, never loses an acknowledged write nor leaves a partial one', async () => {
  const seed = Number(process.env.STORE_KILL_SEED ?? Math.floor(seededRandom(Number(process.hrtime.bigint() % 2_147_483_647n)).next() * 2 ** 31));
  console.log(`store-kill seed=${seed}; replay: STORE_KILL_SEED=${seed} node --test dist/test/store-kill.test.js`);
  const random = seededRandom(seed);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'resolute-store-kill-'));
  const acks: Acks = { plans: new Map(), applied: 0n, zone: 0n, cleanedBelow: 0n };
  const startedMs = systemClock.monotonicMs();
  let newest = 0n;
  let kills = 0;
  try {
    while (systemClock.monotonicMs() - startedMs < BUDGET_MS && kills < 200) {
      const killAfterMs = random.int(300);
      const lines = await runAndKill(dataDir, seed + kills, killAfterMs);
      record(acks, lines);
      kills++;
      newest = await check(dataDir, acks, newest, `seed ${seed}, kill ${kills} after ${killAfterMs} ms`);
    }
    console.log(`store-kill: ${kills} kills, ${acks.plans.size} acknowledged plans, newest generation ${newest}, zone ${acks.zone}`);
    assert.ok(kills >= 10, `only ${kills} kills in ${BUDGET_MS} ms`);
    assert.ok(acks.plans.size > kills, 'the writer got work done between kills');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
