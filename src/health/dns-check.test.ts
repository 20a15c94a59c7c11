/**
 * A DNS health check inside a running Checker, against the real Resolute authoritative server
 * (testing/zone-server.ts): the answer disappears (NODATA), the server goes away, and the answer
 * comes back; the target goes down after exactly `fall` failed probes in a row and up after
 * exactly `rise` good ones.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { systemClock } from '../base/clock.js';
import { seededRandom } from '../base/random.js';
import { parseConfig } from '../config/load-config.js';
import { startZoneServer, type ZoneServer } from '../testing/zone-server.js';
import type { Check, ProbeResult } from './check.js';
import { Checker } from './checker.js';
import { createChecks } from './create-check.js';
import type { Transition } from './target-state.js';

const INTERVAL_MS = 200;
const RISE = 2;
const FALL = 3;
/** 3 × (interval × fall), and 3× that for a shared machine. */
const LIMIT_MS = 3 * 3 * INTERVAL_MS * Math.max(RISE, FALL);

function zone(records: string): string {
  return ['$ORIGIN check.test.', '$TTL 30', '@ IN SOA ns.check.test. hostmaster.check.test. 1 3600 600 86400 1', '@ IN NS ns.check.test.', 'ns IN A 127.0.0.1', records, ''].join('\n');
}
const withApi = zone('api IN A 192.0.2.10\napi IN TXT "kept"');
/** The name is still there (TXT), its A record set is gone: NOERROR with no answer. */
const apiEmptied = zone('api IN TXT "kept"');

let dns: ZoneServer | undefined;
after(() => dns?.stop());

/** The check the config makes, with every probe result it gives kept in order. */
async function recordedCheck(port: number): Promise<{ check: Check; results: ProbeResult[] }> {
  const config = parseConfig(
    `zones: [{ apex: demo.test, nameservers: [ns1.demo.test] }]
endpoints:
  - name: api.demo.test
    type: A
    targets:
      - { address: 127.0.0.1, check: { type: dns, port: ${port}, query: { name: api.check.test, type: A }, interval: ${INTERVAL_MS}ms, timeout: 150ms, rise: ${RISE}, fall: ${FALL} } }
`,
    'dns-check.yaml',
  );
  const random = seededRandom(11);
  const [inner] = await createChecks(config.endpoints[0].targets, random);
  const results: ProbeResult[] = [];
  const check: Check = {
    ...inner,
    probe: async (signal) => {
      const result = await inner.probe(signal);
      results.push(result);
      return result;
    },
  };
  return { check, results };
}

/**
 * Steps the checker until it makes a transition to `to`; returns the transition, the results
 * it had applied by then (step() applies every result that has arrived, synchronously), and
 * the elapsed ms. Fails on a transition the other way.
 */
async function runToTransition(checker: Checker, results: readonly ProbeResult[], to: 'up' | 'down'): Promise<{ transition: Transition; applied: ProbeResult[]; ms: number }> {
  const start = performance.now();
  for (;;) {
    const step = checker.step();
    for (const transition of step.transitions) {
      assert.equal(transition.to, to, `unexpected transition ${transition.from}→${transition.to} (${transition.detail})`);
      return { transition, applied: [...results], ms: performance.now() - start };
    }
    if (performance.now() - start > LIMIT_MS) assert.fail(`no transition to ${to} within ${LIMIT_MS} ms; results: ${results.map((r) => r.detail).join(', ')}`);
    await systemClock.sleep(5);
  }
}

/** How many results at the end of `applied` have this outcome, in a row. */
function trailing(applied: readonly ProbeResult[], isUp: boolean): number {
  let n = 0;
  for (let i = applied.length - 1; i >= 0 && applied[i].isUp === isUp; i--) n++;
  return n;
}

test('a DNS check in a running checker goes down after fall failures when the answer disappears, and up after rise successes when it returns', async () => {
  dns = await startZoneServer(withApi);
  const { check, results } = await recordedCheck(dns.port);
  assert.equal(check.key, `dns://127.0.0.1:${dns.port}/api.check.test./A`);
  const checker = new Checker({ checkerId: 'c1', clock: systemClock, random: seededRandom(3), checks: [check] });
  const state = (): string | undefined => checker.report().states.get(check.key)?.state;

  // The server answers: up after exactly `rise` good probes.
  const first = await runToTransition(checker, results, 'up');
  assert.equal(first.transition.from, 'unknown');
  assert.deepEqual(first.applied.map((r) => r.isUp), Array(RISE).fill(true));
  assert.equal(first.transition.detail, 'dns NOERROR, 1 A');

  // The A record set disappears (NOERROR, no answer): down after exactly `fall` failures in a row.
  dns.replaceZone(apiEmptied);
  const down = await runToTransition(checker, results, 'down');
  assert.equal(down.transition.from, 'up');
  assert.equal(trailing(down.applied, false), FALL, down.applied.map((r) => r.detail).join(', '));
  assert.equal(down.transition.detail, 'dns NOERROR with no A answer');
  assert.equal(state(), 'down');

  // The server goes away altogether: still down, with no transition, probe after probe.
  await dns.stop();
  const stoppedAt = results.length;
  const quietStart = performance.now();
  while (results.length < stoppedAt + FALL + 1) {
    assert.equal(checker.step().transitions.length, 0);
    if (performance.now() - quietStart > LIMIT_MS) assert.fail(`only ${results.length - stoppedAt} probes in ${LIMIT_MS} ms while stopped`);
    await systemClock.sleep(5);
  }
  assert.equal(state(), 'down');
  assert.ok(results.slice(stoppedAt + 1).every((r) => !r.isUp && /dns /.test(r.detail)), results.slice(stoppedAt).map((r) => r.detail).join(', '));

  // It comes back with the record: up after exactly `rise` good probes in a row.
  dns.replaceZone(withApi); // the table restart() serves
  await dns.restart();
  const up = await runToTransition(checker, results, 'up');
  assert.equal(up.transition.from, 'down');
  assert.equal(trailing(up.applied, true), RISE, up.applied.map((r) => r.detail).join(', '));
  assert.equal(up.transition.detail, 'dns NOERROR, 1 A');
  assert.ok(up.transition.atMs >= down.transition.atMs);
  assert.ok(down.ms < LIMIT_MS && up.ms < LIMIT_MS, `down in ${down.ms} ms, up in ${up.ms} ms`);
});
