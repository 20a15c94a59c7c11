/**
 * `resolute up` end to end, with real processes on loopback: it answers api.demo.test through a
 * real DNS query; a demo target killed is out of the answer within 3 × (interval × fall);
 * `status --json` shows the generations; Ctrl-C (SIGINT) leaves no process behind; a second
 * `up` on the same data directory resumes from the store.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { systemClock } from '../../src/base/clock.js';
import type { UpState } from '../../src/cli/data-dir-files.js';
import type { SystemStatus } from '../../src/cli/status-command.js';
import { dig } from '../../src/testing/run-dig.js';
import { findFreePort } from '../../src/testing/serve-process.js';
import { isAlive, runResolute, startResoluteProcess, stopAllResoluteProcesses } from '../../src/testing/resolute-process.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'resolute-up-'));
after(async () => {
  await stopAllResoluteProcesses();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The demo's checks: interval 1 s, fall 2. */
const FAILOVER_BOUND_MS = 3 * (1000 * 2);

async function answers(port: number): Promise<string[]> {
  const r = await dig({ address: '127.0.0.1', port }, ['api.demo.test', 'A']);
  return r.answer.map((line) => line.split(/\s+/).at(-1) ?? '');
}

async function waitUntil<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = systemClock.monotonicMs() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (systemClock.monotonicMs() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await systemClock.sleep(100);
  }
}

async function status(): Promise<SystemStatus> {
  const r = await runResolute(['status', '--data-dir', dataDir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as SystemStatus;
}

test('resolute up answers, fails a dead target over, reports its generations, restarts a dead child, and stops cleanly on Ctrl-C', async () => {
  const dnsPort = await findFreePort();
  const up = startResoluteProcess(['up', '--data-dir', dataDir, '--dns-port', String(dnsPort), '--metrics-port', '0']);
  await up.waitFor(/resolute up: ready/, 60_000);
  const state = JSON.parse(readFileSync(path.join(dataDir, 'up.json'), 'utf8')) as UpState;
  assert.deepEqual(Object.keys(state.processes).sort(), ['dns', 'enactor-a', 'enactor-b', 'enactor-c', 'planner']);

  // 1. A real DNS query answers the name with an address of the primary region.
  const first = await waitUntil('api.demo.test answered', 30_000, async () => ((await answers(dnsPort)).length > 0 ? answers(dnsPort) : undefined));
  assert.ok(first.every((a) => a === '127.0.0.11' || a === '127.0.0.12'), `east answers, got ${first.join(' ')}`);

  // 2. status --json: the newest generation, applied at the built-in provider, and served by DNS.
  const before = await waitUntil('the newest plan applied and served', 20_000, async () => {
    const s = await status();
    const newest = s.newest?.generation;
    const applied = s.applied.find((a) => a.provider === 'builtin' && a.zone === 'demo.test.');
    const served = s.dns[0]?.served['demo.test.'];
    return newest !== undefined && applied?.generation === newest && served === newest ? s : undefined;
  });
  assert.deepEqual(before.heartbeats.filter((h) => h.role === 'enactor').map((h) => h.id).sort(), ['enactor-a', 'enactor-b', 'enactor-c']);
  assert.equal(before.freeze.isFrozen, false);

  // 3. Killing east-1 takes it out of the answer within 3 × (interval × fall); never empty meanwhile.
  const killed = await runResolute(['demo', 'kill', 'east-1', '--data-dir', dataDir]);
  assert.equal(killed.code, 0, killed.stderr);
  const killedAt = systemClock.monotonicMs();
  let goneAt: number | undefined;
  let clean = 0;
  while (clean < 5) {
    assert.ok(systemClock.monotonicMs() - killedAt < 30_000, 'east-1 still answered after 30 s');
    const now = systemClock.monotonicMs();
    const got = await answers(dnsPort);
    assert.ok(got.length > 0, 'api.demo.test is never empty');
    if (got.includes('127.0.0.11')) {
      clean = 0;
      goneAt = undefined;
    } else {
      goneAt ??= now;
      clean++;
    }
    await systemClock.sleep(100);
  }
  const failoverMs = (goneAt ?? 0) - killedAt;
  process.stderr.write(`failover_ms=${Math.round(failoverMs)} (bound ${FAILOVER_BOUND_MS})\n`);
  assert.ok(failoverMs <= FAILOVER_BOUND_MS, `east-1 left the answer after ${Math.round(failoverMs)} ms, over ${FAILOVER_BOUND_MS}`);
  const afterKill = await status();
  assert.ok(BigInt(afterKill.newest?.generation ?? 0) > BigInt(before.newest?.generation ?? 0), 'a new generation was published');

  // 4. Ctrl-C: up exits 0 and every child it started is gone.
  up.signal('SIGINT');
  assert.equal(await up.exited(30_000), 0);
  for (const [name, pid] of Object.entries(state.processes)) assert.equal(isAlive(pid), false, `${name} (pid ${pid}) is still running`);
  assert.equal(existsSync(path.join(dataDir, 'up.json')), false);

  // 5. A second up on the same data directory resumes from the store: the generation goes on.
  const again = startResoluteProcess(['up', '--data-dir', dataDir, '--dns-port', String(dnsPort), '--metrics-port', '0']);
  await again.waitFor(/resolute up: ready/, 60_000);
  const resumed = await answers(dnsPort);
  assert.ok(resumed.length > 0, 'the restarted DNS process answers at once (from its snapshot or the store)');
  const s = await status();
  assert.ok(BigInt(s.newest?.generation ?? 0) >= BigInt(afterKill.newest?.generation ?? 0), 'generations never go backwards across a restart');
  // 6. A child that dies is started again (after its backoff) and up.json names its new pid.
  const upFile = path.join(dataDir, 'up.json');
  const beforeKill = JSON.parse(readFileSync(upFile, 'utf8')) as UpState;
  process.kill(beforeKill.processes.dns ?? 0, 'SIGKILL');
  process.kill(beforeKill.processes['enactor-b'] ?? 0, 'SIGKILL');
  await again.waitFor(/dns restarted \(pid/, 20_000);
  await again.waitFor(/enactor-b restarted \(pid/, 20_000);
  const againState = await waitUntil('up.json names the restarted children', 10_000, async () => {
    const now = JSON.parse(readFileSync(upFile, 'utf8')) as UpState;
    return now.processes.dns !== beforeKill.processes.dns && now.processes['enactor-b'] !== beforeKill.processes['enactor-b'] ? now : undefined;
  });
  assert.equal(isAlive(againState.processes.dns ?? 0), true);
  await waitUntil('the restarted DNS process answers', 20_000, async () => ((await answers(dnsPort)).length > 0 ? true : undefined));
  again.signal('SIGINT');
  assert.equal(await again.exited(30_000), 0);
  for (const pid of Object.values(againState.processes)) assert.equal(isAlive(pid), false);
});
