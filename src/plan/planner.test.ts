import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Config } from '../config/config.js';
import { parseConfig } from '../config/load-config.js';
import type { HealthView, TargetVerdict } from '../health/quorum-health.js';
import { diffPlans, formatPlanDiff } from './diff-plans.js';
import type { Plan, PlanDraft, PlanEndpoint } from './plan.js';
import type { PlanLog } from './plan-log.js';
import { computePlan, Planner } from './planner.js';

/** The store's part for these tests: plans in memory, generations assigned on append. */
class MemoryPlanLog implements PlanLog {
  readonly plans: Plan[] = [];
  async newest(): Promise<Plan | undefined> {
    return this.plans[this.plans.length - 1];
  }
  async since(sinceMs: number): Promise<readonly Plan[]> {
    return this.plans.filter((p) => p.createdAtMs >= sinceMs);
  }
  append(draft: PlanDraft): Plan {
    const newest = this.plans[this.plans.length - 1];
    assert.equal(draft.parentGeneration, newest?.generation ?? null, 'a plan must be computed against the newest');
    const plan = Object.freeze({ ...draft, generation: (newest?.generation ?? 0n) + 1n });
    this.plans.push(plan);
    return plan;
  }
}

const SETTINGS = `planner:
  velocity: { max_fraction: 0.25, window: 60s }
  ramp: { steps: 4, step: 10s }
`;

function weightedConfig(count = 4, extra = ''): Config {
  const targets = Array.from({ length: count }, (_, i) => `      - { address: 192.0.2.${i + 1}, weight: 100, check: { type: tcp, port: 80 } }`);
  return parseConfig(
    `zones: [{ apex: demo.test, nameservers: [ns1.demo.test] }]\nendpoints:\n  - name: api.demo.test\n    type: A\n    targets:\n${targets.join('\n')}\n${extra}${SETTINGS}`,
    'test.yaml',
  );
}

function up(): TargetVerdict {
  return { state: 'up', isConfirmedDown: false, sinceMs: 0, detail: 'connected', upVotes: 1, downVotes: 0, reporting: 1 };
}
function down(isConfirmed = true): TargetVerdict {
  return { state: 'down', isConfirmedDown: isConfirmed, sinceMs: 0, detail: 'connect ECONNREFUSED', upVotes: isConfirmed ? 0 : 1, downVotes: 2, reporting: 3 };
}
function unknown(): TargetVerdict {
  return { state: 'unknown', isConfirmedDown: false, sinceMs: 0, detail: 'no quorum', upVotes: 0, downVotes: 0, reporting: 0 };
}

/** Health for targets 192.0.2.1… in order: `u` up, `d` down by quorum, `s` down but not confirmed, `?` no quorum. */
function health(states: string): HealthView {
  const view = new Map<string, TargetVerdict>();
  [...states].forEach((s, i) => view.set(`tcp://192.0.2.${i + 1}:80`, s === 'u' ? up() : s === 'd' ? down() : s === 's' ? down(false) : unknown()));
  return view;
}

/** `192.0.2.1=100 192.0.2.2=25(ramping)` */
function records(endpoint: PlanEndpoint | undefined): string {
  return (endpoint?.records ?? []).map((r) => `${r.address}=${r.weight}${r.role === 'serving' ? '' : `(${r.role})`}`).join(' ');
}

/** Runs the planner at `nowMs` and stores what it produced; returns the newest plan. */
function step(log: MemoryPlanLog, config: Config, view: HealthView, nowMs: number): Plan {
  const parent = log.plans[log.plans.length - 1];
  const draft = computePlan({ config, health: view, parent, window: log.plans.filter((p) => p.createdAtMs >= nowMs - config.planner.velocityWindowMs), nowMs });
  if (draft !== undefined) log.append(draft);
  return log.plans[log.plans.length - 1];
}

const API = 'api.demo.test.';

describe('the planner', () => {
  test('the first plan publishes every target at full weight, and an equal plan is not produced', () => {
    const log = new MemoryPlanLog();
    const config = weightedConfig();
    const plan = step(log, config, health('uuuu'), 1000);
    assert.equal(records(plan.endpoints.get(API)), '192.0.2.1=100 192.0.2.2=100 192.0.2.3=100 192.0.2.4=100');
    assert.equal(plan.parentGeneration, null);
    assert.ok(Object.isFrozen(plan.endpoints.get(API)?.records));
    assert.equal(computePlan({ config, health: health('uuuu'), parent: plan, window: [plan], nowMs: 2000 }), undefined);
  });

  test('a target down by quorum is removed at once, and the reason names the target and its check', () => {
    const log = new MemoryPlanLog();
    const config = weightedConfig();
    step(log, config, health('uuuu'), 0);
    const plan = step(log, config, health('uudd'), 1000);
    assert.equal(records(plan.endpoints.get(API)), '192.0.2.1=100 192.0.2.2=100');
    assert.equal(plan.parentGeneration, 1n);
    assert.deepEqual(
      plan.reasons.map((r) => `${r.address} ${r.rule}: ${r.detail}`),
      [
        '192.0.2.3 health: tcp://192.0.2.3:80 down by quorum (2/3 checkers): connect ECONNREFUSED',
        '192.0.2.4 health: tcp://192.0.2.4:80 down by quorum (2/3 checkers): connect ECONNREFUSED',
      ],
    );
  });

  test('when every target is unhealthy the name fails open to all configured targets and says so', () => {
    const log = new MemoryPlanLog();
    const config = weightedConfig();
    step(log, config, health('uuuu'), 0);
    const plan = step(log, config, health('dddd'), 1000);
    const endpoint = plan.endpoints.get(API);
    assert.equal(endpoint?.isFailOpen, true);
    assert.equal(records(endpoint), '192.0.2.1=100(fail-open) 192.0.2.2=100(fail-open) 192.0.2.3=100(fail-open) 192.0.2.4=100(fail-open)');
    assert.ok(plan.reasons.every((r) => r.rule === 'fail-open' && /no healthy target for api\.demo\.test\./.test(r.detail)));
  });

  test('the velocity limit holds capacity that is not confirmed down, measured on stored plans over the window', () => {
    const log = new MemoryPlanLog();
    const config = weightedConfig();
    step(log, config, health('uuuu'), 0);
    // Two targets down by a quorum that one checker disputes: only 25% may go per 60 s.
    let plan = step(log, config, health('uuss'), 1000);
    assert.equal(records(plan.endpoints.get(API)), '192.0.2.1=100 192.0.2.2=100 192.0.2.4=100(held)');
    assert.ok(plan.reasons.some((r) => r.rule === 'velocity' && /192\.0\.2\.4:80 held: removing it would take api\.demo\.test\. below 75% of 400/.test(r.detail)));
    plan = step(log, config, health('uuss'), 30_000);
    assert.equal(records(plan.endpoints.get(API)), '192.0.2.1=100 192.0.2.2=100 192.0.2.4=100(held)', 'still inside the window');
    // A planner that restarts reads the same stored plans: it cannot double the rate.
    const restarted = computePlan({ config, health: health('uuss'), parent: plan, window: log.plans.filter((p) => p.createdAtMs >= 59_000 - 60_000), nowMs: 59_000 });
    assert.equal(restarted, undefined);
    plan = step(log, config, health('uuss'), 61_001);
    assert.equal(records(plan.endpoints.get(API)), '192.0.2.1=100 192.0.2.2=100');
  });

  test('capacity that comes back is re-added in ramp steps', () => {
    const log = new MemoryPlanLog();
    const config = weightedConfig();
    step(log, config, health('uuuu'), 0);
    step(log, config, health('uuud'), 1000);
    const seen: string[] = [];
    for (const nowMs of [2000, 12_000, 22_000, 32_000]) seen.push(records(step(log, config, health('uuuu'), nowMs).endpoints.get(API)).split(' ')[3]);
    assert.deepEqual(seen, ['192.0.2.4=25(ramping)', '192.0.2.4=50(ramping)', '192.0.2.4=75(ramping)', '192.0.2.4=100']);
    assert.deepEqual(log.plans[log.plans.length - 1].unsettledNames, []);
    assert.deepEqual(log.plans[log.plans.length - 2].unsettledNames, [API]);
  });

  test('leaving fail-open follows the ramp, so one recovered target does not take all the traffic at once', () => {
    const log = new MemoryPlanLog();
    const config = weightedConfig();
    step(log, config, health('uuuu'), 0);
    step(log, config, health('dddd'), 1000);
    let plan = step(log, config, health('uddd'), 2000);
    assert.equal(records(plan.endpoints.get(API)), '192.0.2.1=25(ramping) 192.0.2.2=75(draining) 192.0.2.3=75(draining) 192.0.2.4=75(draining)');
    assert.equal(plan.endpoints.get(API)?.isFailOpen, false);
    plan = step(log, config, health('uddd'), 22_000);
    assert.equal(records(plan.endpoints.get(API)), '192.0.2.1=75(ramping) 192.0.2.2=25(draining) 192.0.2.3=25(draining) 192.0.2.4=25(draining)');
    plan = step(log, config, health('uddd'), 32_000);
    assert.equal(records(plan.endpoints.get(API)), '192.0.2.1=100');
  });

  test('when checkers lose quorum the previous state is kept, not guessed', () => {
    const log = new MemoryPlanLog();
    const config = weightedConfig();
    step(log, config, health('uuuu'), 0);
    step(log, config, health('uuud'), 1000);
    const plan = step(log, config, health('??u?'), 2000);
    assert.equal(plan.generation, 2n, 'nothing changed');
    assert.equal(records(plan.endpoints.get(API)), '192.0.2.1=100 192.0.2.2=100 192.0.2.3=100');
  });

  test('failover moves to the secondary region and back only past the failback threshold', () => {
    const config = parseConfig(
      `zones: [{ apex: demo.test, nameservers: [ns1.demo.test] }]
endpoints:
  - name: api.demo.test
    type: A
    policy: failover
    failover: { primary: east, secondary: west, min_healthy_fraction: 0.5, failback_fraction: 1 }
    targets:
      - { address: 192.0.2.1, region: east, check: { type: tcp, port: 80 } }
      - { address: 192.0.2.2, region: east, check: { type: tcp, port: 80 } }
      - { address: 192.0.2.3, region: west, check: { type: tcp, port: 80 } }
      - { address: 192.0.2.4, region: west, check: { type: tcp, port: 80 } }
${SETTINGS}`,
      'test.yaml',
    );
    const log = new MemoryPlanLog();
    assert.equal(records(step(log, config, health('uuuu'), 0).endpoints.get(API)), '192.0.2.1=100 192.0.2.2=100');
    let plan = step(log, config, health('dduu'), 1000);
    assert.equal(plan.endpoints.get(API)?.activeRegion, 'west');
    assert.equal(records(plan.endpoints.get(API)), '192.0.2.3=25(ramping) 192.0.2.4=25(ramping)');
    assert.ok(plan.reasons.some((r) => r.rule === 'failover' && /failover to west: east healthy capacity 0% < 50%/.test(r.detail)));
    // Half of east back: at the failover threshold but below failback: hysteresis keeps west.
    plan = step(log, config, health('uduu'), 2000);
    assert.equal(plan.endpoints.get(API)?.activeRegion, 'west');
    plan = step(log, config, health('uuuu'), 3000);
    assert.equal(plan.endpoints.get(API)?.activeRegion, 'east');
    assert.match(records(plan.endpoints.get(API)), /^192\.0\.2\.1=25\(ramping\) 192\.0\.2\.2=25\(ramping\) 192\.0\.2\.3=\d+\(held\)/);
    for (let t = 13_000; t <= 200_000; t += 10_000) plan = step(log, config, health('uuuu'), t);
    assert.equal(records(plan.endpoints.get(API)), '192.0.2.1=100 192.0.2.2=100');
  });

  test('multivalue publishes every healthy target up to its limit', () => {
    const config = weightedConfig(4, '    policy: multivalue\n    multivalue: { max_records: 2 }\n');
    const plan = computePlan({ config, health: health('uuuu'), parent: undefined, window: [], nowMs: 0 });
    assert.equal(records(plan?.endpoints.get(API)), '192.0.2.1=100 192.0.2.2=100');
  });

  test('an incremental re-plan touches only the names that use the changed target and equals a full plan', () => {
    const endpoints = Array.from({ length: 50 }, (_, i) => `  - { name: n${i}.demo.test, type: A, targets: [{ address: 192.0.2.${(i % 10) + 1}, check: { type: tcp, port: 80 } }, { address: 198.51.100.1, check: { type: tcp, port: 80 } }] }`);
    const config = parseConfig(`zones: [{ apex: demo.test, nameservers: [ns1.demo.test] }]\nendpoints:\n${endpoints.join('\n')}\n${SETTINGS}`, 'test.yaml');
    const view = new Map([...health('uuuuuuuuuu'), ['tcp://198.51.100.1:80', up()]]);
    const first = Object.freeze({ ...computePlan({ config, health: view, parent: undefined, window: [], nowMs: 0 })!, generation: 1n });
    const changed = new Map(view).set('tcp://192.0.2.3:80', down());
    const incremental = computePlan({ config, health: changed, parent: first, window: [first], nowMs: 1000, changedTargets: ['tcp://192.0.2.3:80'] })!;
    const full = computePlan({ config, health: changed, parent: first, window: [first], nowMs: 1000 })!;
    assert.deepEqual([...new Set(incremental.reasons.map((r) => r.name))].sort(), ['n12.demo.test.', 'n2.demo.test.', 'n22.demo.test.', 'n32.demo.test.', 'n42.demo.test.']);
    assert.deepEqual(diffPlans(first, incremental), diffPlans(first, full));
  });

  test('a name removed from the config leaves through the velocity limit', () => {
    const log = new MemoryPlanLog();
    step(log, weightedConfig(), health('uuuu'), 0);
    const other = parseConfig(`zones: [{ apex: demo.test, nameservers: [ns1.demo.test] }]\nendpoints:\n  - { name: www.demo.test, type: A, targets: [{ address: 192.0.2.9 }] }\n${SETTINGS}`, 'test.yaml');
    let plan = step(log, other, health('uuuu'), 1000);
    assert.equal(records(plan.endpoints.get(API)), '192.0.2.2=100(held) 192.0.2.3=100(held) 192.0.2.4=100(held)');
    for (let t = 62_000; t < 400_000 && plan.endpoints.has(API); t += 61_000) plan = step(log, other, health('uuuu'), t);
    assert.equal(plan.endpoints.has(API), false);
    assert.ok(plan.reasons.some((r) => r.detail === 'api.demo.test. removed from the config'));
  });

  test('the diff prints one line per record change with its reasons, and the same as JSON', () => {
    const log = new MemoryPlanLog();
    const config = weightedConfig(2);
    const first = step(log, config, health('uu'), 0);
    assert.equal(
      formatPlanDiff(diffPlans(undefined, first)),
      '+ api.demo.test. 30 A 192.0.2.1 weight=100  # config: new name: publishing 2 targets\n' +
        '+ api.demo.test. 30 A 192.0.2.2 weight=100  # config: new name: publishing 2 targets\n',
    );
    const second = step(log, config, health('ud'), 1000);
    const changes = diffPlans(first, second);
    assert.equal(formatPlanDiff(changes), '- api.demo.test. 30 A 192.0.2.2 weight=100  # health: tcp://192.0.2.2:80 down by quorum (2/3 checkers): connect ECONNREFUSED\n');
    assert.deepEqual(JSON.parse(JSON.stringify(changes)), [
      { op: '-', name: API, type: 'A', ttlSeconds: 30, value: '192.0.2.2', weight: 100, reasons: ['health: tcp://192.0.2.2:80 down by quorum (2/3 checkers): connect ECONNREFUSED'] },
    ]);
  });

  test('the Planner role reads its parent and window through the PlanLog', async () => {
    const log = new MemoryPlanLog();
    let nowMs = 0;
    const clock = { nowMs: () => nowMs, monotonicMs: () => nowMs, sleep: async () => undefined, after: () => () => undefined };
    const planner = new Planner({ clock, log });
    const config = weightedConfig();
    log.append((await planner.plan(config, health('uuuu')))!);
    nowMs = 1000;
    const draft = await planner.plan(config, health('uuud'), { changedTargets: ['tcp://192.0.2.4:80'] });
    assert.equal(draft?.parentGeneration, 1n);
    assert.equal(records(draft?.endpoints.get(API)), '192.0.2.1=100 192.0.2.2=100 192.0.2.3=100');
    assert.equal(await planner.plan(config, health('uuuu'), { changedTargets: [] }), undefined, 'nothing changed against the stored parent');
  });
});
