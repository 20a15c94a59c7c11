/**
 * The model check (spec/README.md): spin explores every interleaving of two planners, three
 * enactors, cleanup and a grouped provider. Resolute's protocol must hold never-empty and
 * never-backwards in every reachable state; the naive 2025 stack must break both. Nothing is
 * skipped: without spin (and no way to install it) this test fails and says so.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import test from 'node:test';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

test('spin: Resolute\'s model has no error in any reachable state; the naive stack has a counterexample', { timeout: 600_000 }, () => {
  const run = spawnSync('bash', ['spec/check-model.sh'], { cwd: root, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: 590_000 });
  const output = `${run.stdout ?? ''}\n${run.stderr ?? ''}`;
  assert.ok(run.error === undefined, `bash spec/check-model.sh could not run: ${run.error?.message}\n${output}`);
  if (/spin is missing and could not be installed|gcc is missing/.test(output)) {
    assert.fail(`the model check needs spin (Debian package 'spin') and gcc:\n${output}`);
  }
  assert.equal(run.status, 0, `bash spec/check-model.sh exited ${run.status}:\n${output}`);

  const resolute = /^\[model\] resolute: states=(\d+) transitions=(\d+) depth=(\d+) .* verdict=(.*)$/m.exec(run.stdout);
  assert.ok(resolute !== null, `no verdict for Resolute's model:\n${output}`);
  assert.match(resolute[4], /^PASS: no error/, output);
  assert.ok(Number(resolute[1]) > 1_000_000, `the exhaustive search stored ${resolute[1]} states: the model shrank?\n${output}`);

  for (const property of ['never-empty', 'never-backwards']) {
    const naive = new RegExp(`^\\[model\\] naive \\(${property}\\): states=(\\d+) .* verdict=(.*)$`, 'm').exec(run.stdout);
    assert.ok(naive !== null, `no verdict for the naive model (${property}):\n${output}`);
    assert.match(naive[2], /^COUNTEREXAMPLE \(as expected\)/, output);
  }
  // The never-empty counterexample is the 2025 sequence: a stale write, then cleanup of its plan.
  assert.match(run.stdout, /cleanup deletes plan/, output);
  assert.match(run.stdout, /VIOLATED: group \d serves 0|serves 0,/, output);
  assert.match(run.stdout, /^\[model\] OK:/m, output);
});
