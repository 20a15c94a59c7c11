import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { channels } from '../base/events.js';
import { parseConfig } from '../config/load-config.js';
import { Enactor } from '../enact/enactor.js';
import { Planner } from '../plan/planner.js';
import { EnactWorld, testSeed, WORLD_ZONE } from '../testing/enact-world.js';
import { parsePrometheusText, type PrometheusText } from '../testing/prometheus-text.js';
import { createMetrics, type Metrics } from './metrics.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';

const seed = testSeed('dist/src/api/metrics.test.js');
let world: EnactWorld;
let metrics: Metrics;
let server: MetricsServer;

before(async () => {
  world = await EnactWorld.open(seed);
  metrics = createMetrics({ store: world.store });
  server = await startMetricsServer({ metrics, port: 0, address: '127.0.0.1' });
});
after(async () => {
  await server.close();
  metrics.close();
  await world.close();
});

async function scrape(): Promise<PrometheusText> {
  const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

test('the newest generation and each zone’s applied generation follow a published plan and a real enactor', async () => {
  const g = await world.publish(['192.0.2.10']);
  const first = await scrape();
  assert.equal(first.samples.get('resolute_plan_generation'), Number(g));
  assert.equal(first.samples.get('resolute_store_up'), 1);
  assert.equal(first.types.get('resolute_enactor_applies_total'), 'counter');
  assert.equal(first.types.get('resolute_apply_duration_seconds'), 'histogram');

  await new Enactor(world.context('enactor-a')).step();
  const second = await scrape();
  const zone = `provider="builtin-east",zone="${WORLD_ZONE}"`;
  assert.equal(second.samples.get(`resolute_provider_applied_generation{${zone}}`), Number(g));
  assert.equal(second.samples.get(`resolute_provider_generation_lag{${zone}}`), 0);
  assert.equal(second.samples.get(`resolute_enactor_applies_total{enactor="enactor-a",${zone}}`), 1);
  assert.equal(second.samples.get('resolute_apply_duration_seconds_count{provider="builtin-east"}'), 1);
  assert.equal(second.samples.get('resolute_heartbeat_timestamp_seconds{id="enactor-a",role="enactor"}'), world.clock.nowMs() / 1000);
});

test('a stale enactor’s refused write is counted as a fence refusal', async () => {
  const g = await world.publish(['192.0.2.20']);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let reached!: () => void;
  const paused = new Promise<void>((resolve) => (reached = resolve));
  const stale = new Enactor({
    ...world.context('enactor-stale', ['builtin-east']),
    beforeApply: async (_zone, generation) => {
      if (generation !== g) return;
      reached();
      await released;
    },
  });
  const step = stale.step();
  await paused;
  await world.publish(['192.0.2.21']);
  await new Enactor(world.context('enactor-b', ['builtin-east'])).step();
  release();
  await step;
  const text = await scrape();
  assert.equal(text.samples.get(`resolute_fence_refusals_total{enactor="enactor-stale",provider="builtin-east",zone="${WORLD_ZONE}"}`), 1);
});

test('plan durations, probe states and freeze are exposed, and other paths are 404', async () => {
  const config = parseConfig('zones: [{ apex: demo.test, nameservers: [ns1.demo.test] }]\nendpoints:\n  - { name: api.demo.test, type: A, targets: [{ address: 192.0.2.1 }] }\n', 'metrics.yaml');
  await new Planner({ clock: world.clock, log: { newest: async () => undefined, since: async () => [] } }).plan(config, new Map());
  channels.healthTransition.publish({ checkerId: 'c1', target: 'tcp://192.0.2.1:443', from: 'up', to: 'down', atMs: 1, detail: 'ECONNREFUSED' });
  await world.store.setFreeze({ isFrozen: true, by: 'alice', reason: 'test' });
  const text = await scrape();
  assert.equal(text.samples.get('resolute_plans_computed_total'), 1);
  assert.equal(text.samples.get('resolute_plan_duration_seconds_count'), 1);
  assert.equal(text.samples.get('resolute_target_up{checker="c1",target="tcp://192.0.2.1:443"}'), 0);
  assert.equal(text.samples.get('resolute_health_transitions_total{to="down"}'), 1);
  assert.equal(text.samples.get('resolute_planner_frozen'), 1);
  assert.equal((await fetch(`http://127.0.0.1:${server.port}/`)).status, 404);
});

test('a port in use is a clear error naming it', async () => {
  await assert.rejects(startMetricsServer({ metrics, port: server.port, address: '127.0.0.1' }), /ERR_METRICS_SERVER: .*127\.0\.0\.1:\d+: EADDRINUSE/);
});
