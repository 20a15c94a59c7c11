/**
 * npm run bench:plan — the planner at scale (issue 5):
 *   1. 100,000 names × 4 targets, all healthy: the parent plan (not timed);
 *   2. one target in 1 % of the names turns unhealthy: a full plan and its diff (plan_ms);
 *   3. the process's RSS (rss_mb);
 *   4. one target flips back: an incremental re-plan of the names that use it, and its diff
 *      (replan_one_ms, the median of 21 runs).
 * Prints `plan_ms=… rss_mb=… replan_one_ms=…`. Targets: plan_ms ≤ 1000, rss_mb ≤ 500,
 * replan_one_ms ≤ 10.
 */
import type { Config, EndpointConfig, TcpCheckConfig } from '../src/config/config.js';
import { targetKey } from '../src/config/target-key.js';
import type { HealthView, TargetVerdict } from '../src/health/quorum-health.js';
import { diffPlans } from '../src/plan/diff-plans.js';
import type { Plan } from '../src/plan/plan.js';
import { computePlan } from '../src/plan/planner.js';

const NAMES = Number(process.env.BENCH_NAMES ?? 100_000);
const TARGETS = 4;

// The config is built as normalizeConfig would build it (the loader's own cost on a
// 100,000-name YAML file is not the planner's, and load-config.test.ts covers its rules).
const address = (n: number): string => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
const check: TcpCheckConfig = Object.freeze({ type: 'tcp', intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 2, port: 80 });
const endpoints: EndpointConfig[] = [];
for (let i = 0; i < NAMES; i++) {
  const targets = Array.from({ length: TARGETS }, (_, t) => {
    const a = address(i * TARGETS + t);
    return Object.freeze({ key: targetKey(a, check), address: a, region: undefined, zone: undefined, weight: 100, check });
  });
  endpoints.push(Object.freeze({ name: `n${i}.bench.test.`, zone: 'bench.test.', type: 'A', ttlSeconds: 30, policy: { kind: 'weighted' as const }, targets: Object.freeze(targets) }));
}
const config: Config = Object.freeze({
  zones: [{ apex: 'bench.test.', nameservers: ['ns1.bench.test.'], negativeTtlSeconds: 5, hostmaster: 'hostmaster.bench.test.', records: [] }],
  endpoints,
  planner: { velocityMaxFraction: 0.25, velocityWindowMs: 60_000, rampSteps: 4, rampStepMs: 10_000, maxDeleteFraction: 0.5 },
  health: { checkers: 1, quorum: 1, staleAfterMs: 10_000 },
});

const upVerdict: TargetVerdict = { state: 'up', isConfirmedDown: false, sinceMs: 0, detail: 'connected', upVotes: 1, downVotes: 0, reporting: 1 };
const downVerdict: TargetVerdict = { state: 'down', isConfirmedDown: true, sinceMs: 0, detail: 'connect ECONNREFUSED', upVotes: 0, downVotes: 1, reporting: 1 };
const key = (n: number): string => endpoints[Math.floor(n / TARGETS)].targets[n % TARGETS].key;
const healthy = new Map<string, TargetVerdict>();
for (const endpoint of endpoints) for (const target of endpoint.targets) healthy.set(target.key, upVerdict);
/** A view of `base` with a few verdicts changed, as quorumHealth's next view would be. */
const overlay = (base: HealthView, changes: ReadonlyMap<string, TargetVerdict>): HealthView =>
  ({ get: (k: string) => changes.get(k) ?? base.get(k) }) as unknown as HealthView;

const asPlan = (draft: ReturnType<typeof computePlan>, generation: bigint): Plan => ({ ...draft!, generation });
const parent = asPlan(computePlan({ config, health: healthy, parent: undefined, window: [], nowMs: 0 }), 1n);

// 1 % of the names lose one target (confirmed down, so the velocity limit lets it go).
const sickChanges = new Map<string, TargetVerdict>();
for (let i = 0; i < NAMES; i += 100) sickChanges.set(key(i * TARGETS + 1), downVerdict);
const sick = overlay(healthy, sickChanges);
(globalThis as { gc?: () => void }).gc?.();
const start = performance.now();
const draft = computePlan({ config, health: sick, parent, window: [parent], nowMs: 1000 });
const changes = diffPlans(parent, draft!);
const planMs = performance.now() - start;
if (changes.length !== NAMES / 100) throw new Error(`expected ${NAMES / 100} changes, got ${changes.length}`);
const plan = asPlan(draft, 2n);
(globalThis as { gc?: () => void }).gc?.();
const rssMb = process.memoryUsage().rss / 2 ** 20;
const heapMb = process.memoryUsage().heapUsed / 2 ** 20;

// One target flips back up: the incremental re-plan touches only the name that uses it.
const times: number[] = [];
for (let run = 0; run < 21; run++) {
  const flipped = overlay(sick, new Map([[key(1), upVerdict]]));
  const t0 = performance.now();
  const next = computePlan({ config, health: flipped, parent: plan, window: [parent, plan], nowMs: 2000 + run, changedTargets: [key(1)] });
  const diff = diffPlans(plan, next!);
  times.push(performance.now() - t0);
  if (diff.length !== 1) throw new Error(`expected 1 change, got ${diff.length}`);
}
times.sort((a, b) => a - b);
console.log(`names=${NAMES} targets=${NAMES * TARGETS} heap_mb=${heapMb.toFixed(0)}`);
console.log(`plan_ms=${planMs.toFixed(0)} rss_mb=${rssMb.toFixed(0)} replan_one_ms=${times[10].toFixed(2)}`);
