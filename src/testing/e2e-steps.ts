/**
 * Steps the process-level tests of the safety protocol share (test/e2e/enactor-2025,
 * enactor-kill, self-repair): publish a plan of given addresses into the store as the planner
 * would, and wait for a condition with a bound.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { systemClock } from '../base/clock.js';
import { encodePlan } from '../plan/plan-codec.js';
import type { Store } from '../store/store.js';
import type { DnsWatch } from './dns-watch.js';
import { planDraft } from './enact-world.js';

/** Publishes a plan of the world's name with `addresses`, against the newest plan; its generation. */
export async function publishAddresses(store: Store, addresses: readonly string[]): Promise<bigint> {
  const head = await store.readNewestHeader();
  assert.notEqual(head.kind, 'unavailable');
  const parent = head.kind === 'found' ? head.header.generation : null;
  const draft = planDraft(parent, systemClock.nowMs(), [...addresses]);
  const outcome = await store.publishPlan({ parentGeneration: parent, createdAtMs: draft.createdAtMs, plan: encodePlan(draft) });
  assert.equal(outcome.kind, 'published');
  return (outcome as { generation: bigint }).generation;
}

/** Polls `probe` every `everyMs` until it gives a value; fails naming `what` after `timeoutMs`. */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  everyMs = 20,
): Promise<T> {
  const deadline = systemClock.monotonicMs() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (systemClock.monotonicMs() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await systemClock.sleep(everyMs);
  }
}

/** Lets the watch see the current state a few times before the next step changes it. */
export async function observed(watch: DnsWatch, timeoutMs: number, rounds = 3): Promise<void> {
  const target = watch.rounds() + rounds;
  await waitUntil('the DNS watch goes on', () => (watch.rounds() >= target ? true : undefined), timeoutMs);
}

/** Writes the world's config (enact-world.ts: zone demo.test, name api.demo.test) to `file`. */
export function writeWorldConfig(file: string): void {
  writeFileSync(
    file,
    'zones:\n  - apex: demo.test\n    nameservers: [ns1.demo.test]\nendpoints:\n  - name: api.demo.test\n    type: A\n    targets:\n      - { address: 192.0.2.10 }\n      - { address: 192.0.2.100 }\n',
  );
}
