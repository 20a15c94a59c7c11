/**
 * Steps the process-level tests of the safety protocol share (test/e2e/enactor-2025,
 * enactor-2025-rfc2136, enactor-kill, self-repair): publish a plan of given addresses into the
 * store as the planner would, read what a DNS server serves for it, wait for a condition with a
 * bound, see whether a process is stopped, and summarize what the DNS watch saw.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { systemClock } from '../base/clock.js';
import { TEST_STOP_BEFORE_APPLY_ENV } from '../cli/run-roles.js';
import { exchange } from '../dns/exchange.js';
import { RRType } from '../dns/wire/constants.js';
import { buildQuery } from '../dns/wire/message.js';
import { rdataToText } from '../dns/wire/rdata-text.js';
import { encodePlan } from '../plan/plan-codec.js';
import type { AuditEntry, Store } from '../store/store.js';
import type { DnsWatch, DnsWatchReport } from './dns-watch.js';
import { planDraft, WORLD_NAME } from './enact-world.js';
import { startResoluteProcess, type ResoluteProcess } from './resolute-process.js';

/** The world's name's A addresses as `server` answers them over UDP, sorted, space-separated; `(no answer)` on a timeout. */
export async function addressesServed(server: { readonly address: string; readonly port: number }): Promise<string> {
  try {
    const { response } = await exchange(buildQuery(WORLD_NAME, RRType.A, { id: 1 }), server, { transport: 'udp', timeoutMs: 1000 });
    return response.answers.filter((r) => r.type === RRType.A).map((r) => rdataToText(RRType.A, r.rdata)).sort().join(' ');
  } catch {
    return '(no answer)';
  }
}

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

/**
 * Writes the world's config (enact-world.ts: zone demo.test, name api.demo.test) to `file`;
 * `providers`, when given, is the `providers:` list as YAML lines (indented list items).
 */
export function writeWorldConfig(file: string, providers?: string): void {
  writeFileSync(
    file,
    'zones:\n  - apex: demo.test\n    nameservers: [ns1.demo.test]\nendpoints:\n  - name: api.demo.test\n    type: A\n    targets:\n      - { address: 192.0.2.10 }\n      - { address: 192.0.2.100 }\n' +
      (providers === undefined ? '' : `providers:\n${providers}`),
  );
}

/** The process state letter of /proc/<pid>/stat ('T': stopped), undefined once it is gone. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0];
  } catch {
    return undefined;
  }
}

/** What the DNS watch saw, for the test's output: counts, rounds per step, the first empty and regression. */
export function watchSummary(label: string, report: DnsWatchReport): string {
  const steps = [...report.roundsByStep].map(([s, n]) => `${s}=${n}`).join(', ');
  const firstEmpty = report.empties[0];
  const firstRegression = report.regressions[0];
  return [
    `${label}: queries=${report.queries} empties=${report.empties.length} regressions=${report.regressions.length} failures=${report.failures.length}`,
    `  rounds by step: ${steps}`,
    `  answers seen: ${report.answers.join(' | ')}`,
    ...(firstRegression === undefined ? [] : [`  first regression at step '${firstRegression.step}' (+${firstRegression.atMs} ms): ${firstRegression.detail}`]),
    ...(firstEmpty === undefined ? [] : [`  first empty at step '${firstEmpty.step}' (+${firstEmpty.atMs} ms): ${firstEmpty.detail}; empties by step: ${countBy(report.empties.map((e) => e.step))}`]),
  ].join('\n');
}

function countBy(items: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k}=${n}`).join(', ');
}

/**
 * `resolute <args>` (an enactor) that stops itself with SIGSTOP just before it writes
 * `generation`: the test-only hook RESOLUTE_TEST_STOP_BEFORE_APPLY (src/cli/run-roles.ts) is set
 * in this process's environment only while the child is spawned, so no other process gets it.
 */
export function startEnactorStoppingBefore(generation: bigint, args: readonly string[]): ResoluteProcess {
  process.env[TEST_STOP_BEFORE_APPLY_ENV] = String(generation);
  try {
    return startResoluteProcess(args);
  } finally {
    delete process.env[TEST_STOP_BEFORE_APPLY_ENV];
  }
}

/** `actor`'s audit entry for a write the provider's fence refused, once it is there. */
export function fencedAuditOf(store: Store, actor: string, what: string, timeoutMs: number): Promise<AuditEntry> {
  return waitUntil(what, async () => {
    const audit = await store.readAudit({ limit: 100 });
    return audit.kind === 'listed' ? audit.items.find((e) => e.actor === actor && e.action === 'fenced') : undefined;
  }, timeoutMs);
}
