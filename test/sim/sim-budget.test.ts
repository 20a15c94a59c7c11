import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const SEEDS = 2_000;
/** The budget is 5 minutes on a 2-core machine; 3x room for a shared, loaded one. */
const BOUND_MS = 15 * 60_000;

test(`resolute sim --seeds ${SEEDS}: no seed violates an invariant, within the time budget`, { timeout: BOUND_MS + 60_000 }, () => {
  const startMs = performance.now();
  const run = spawnSync(process.execPath, [MAIN, 'sim', '--seeds', String(SEEDS)], { encoding: 'utf8', timeout: BOUND_MS });
  const elapsedMs = performance.now() - startMs;
  console.log(run.stdout.trim(), `elapsed_s=${(elapsedMs / 1000).toFixed(1)}`);
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  const match = /seeds=(\d+) steps=(\d+) seeds_per_s=([0-9.]+)/.exec(run.stdout);
  assert.ok(match !== null, run.stdout);
  assert.equal(Number(match[1]), SEEDS);
  assert.ok(elapsedMs < BOUND_MS, `${SEEDS} seeds took ${elapsedMs} ms`);
});

test('a violation exits 1 and prints the seed, the invariant and a short trace', () => {
  const run = spawnSync(process.execPath, [MAIN, 'sim', '--seeds', '300', '--plant', 'planner-drops-fail-open'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /^seed=\d+$/m);
  assert.match(run.stdout, /^invariant=never-empty /m);
  assert.match(run.stdout, /^trace \(last \d+ lines; whole: resolute sim --seed \d+ --plant planner-drops-fail-open --trace\):$/m);
});

test('bad options are refused with an error naming the option and what it takes, and nothing runs', () => {
  const cases: ReadonlyArray<readonly [readonly string[], RegExp]> = [
    [['sim', '--seeds', '0'], /--seeds must be an integer from 1 to 100000000, got '0'/],
    [['sim', '--seed', 'x'], /--seed must be an integer/],
    [['sim', '--seeds', '5', '--plant', 'nope'], /--plant must be one of enactor-fence-from-store, cleanup-ignores-provider, planner-drops-fail-open, got 'nope'/],
    [['serve', '--zone-file', 'examples/demo.test.zone', '--port', '0', '--tcp-connections-per-client-max', '0'], /--tcp-connections-per-client-max must be an integer from 1 to 100000, got '0'/],
  ];
  for (const [args, message] of cases) {
    const run = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 30_000 });
    assert.notEqual(run.status, 0, `${args.join(' ')} exits non-zero`);
    assert.match(run.stderr, message, args.join(' '));
    assert.doesNotMatch(run.stdout, /seeds_per_s|listening/, `${args.join(' ')} ran nothing`);
  }
});
