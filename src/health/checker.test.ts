import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { systemClock } from '../base/clock.js';
import { seededRandom } from '../base/random.js';
import type { HttpCheckConfig } from '../config/config.js';
import { parseConfig } from '../config/load-config.js';
import { RRClass, RRType } from '../dns/wire/constants.js';
import { parseMessage, serializeMessage } from '../dns/wire/message.js';
import { computePlan } from '../plan/planner.js';
import type { Plan } from '../plan/plan.js';
import type { Check } from './check.js';
import { Checker, type CheckerReport } from './checker.js';
import { createChecks } from './create-check.js';
import { dnsProbe } from './dns-probe.js';
import { httpProbe } from './http-probe.js';
import { quorumHealth } from './quorum-health.js';
import { INITIAL_TARGET_STATE, nextTargetState } from './target-state.js';

const random = seededRandom(5);

function listen(server: Server | ReturnType<typeof createTcpServer>, port = 0, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server | ReturnType<typeof createTcpServer>): Promise<void> {
  if ('closeAllConnections' in server) server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Steps a checker on the real clock until `until` holds or `limitMs` passes; returns the elapsed ms. */
async function runUntil(checker: Checker, until: () => boolean, limitMs: number): Promise<number> {
  const start = performance.now();
  while (!until()) {
    if (performance.now() - start > limitMs) assert.fail(`not reached within ${limitMs} ms`);
    checker.step();
    await systemClock.sleep(5);
  }
  return performance.now() - start;
}

const httpCheck = (port: number, extra: Partial<HttpCheckConfig> = {}): HttpCheckConfig => ({
  type: 'http',
  port,
  intervalMs: 100,
  timeoutMs: 80,
  rise: 2,
  fall: 2,
  method: 'GET',
  path: '/health',
  host: undefined,
  expectStatus: { min: 200, max: 399 },
  bodyContains: undefined,
  isTlsVerified: true,
  caFile: undefined,
  ...extra,
});

describe('rise and fall', () => {
  test('a target goes up after rise successes and down after fall failures, with the transition time', () => {
    const thresholds = { rise: 2, fall: 3 };
    let state = INITIAL_TARGET_STATE;
    const seen: string[] = [];
    const results = [true, true, false, false, true, false, false, false, true, true];
    results.forEach((isUp, i) => {
      const next = nextTargetState(state, { isUp, detail: isUp ? 'ok' : 'bad' }, 1000 * i, thresholds);
      state = next.state;
      if (next.transition !== undefined) seen.push(`${next.transition.from}→${next.transition.to}@${state.sinceMs}`);
    });
    assert.deepEqual(seen, ['unknown→up@1000', 'up→down@7000', 'down→up@9000']);
  });
});

describe('quorum over several checkers', () => {
  const report = (checkerId: string, heartbeatMs: number, state: 'up' | 'down' | 'unknown'): CheckerReport => ({
    checkerId,
    heartbeatMs,
    states: new Map([['t', { ...INITIAL_TARGET_STATE, state, sinceMs: heartbeatMs - 100, detail: state }]]),
  });
  const settings = { quorum: 2, staleAfterMs: 5000 };

  test('a target is down by quorum only when enough fresh checkers agree, and confirmed when none says up', () => {
    const split = quorumHealth([report('a', 10_000, 'down'), report('b', 10_000, 'down'), report('c', 10_000, 'up')], settings, 10_000).get('t');
    assert.equal(split?.state, 'down');
    assert.equal(split?.isConfirmedDown, false);
    const all = quorumHealth([report('a', 10_000, 'down'), report('b', 10_000, 'down')], settings, 10_000).get('t');
    assert.equal(all?.isConfirmedDown, true);
  });

  test('a checker that stops reporting is not counted, and too few verdicts give no quorum', () => {
    const reports = [report('a', 10_000, 'down'), report('b', 1_000, 'down'), report('c', 10_000, 'up')];
    const verdict = quorumHealth(reports, settings, 10_000).get('t');
    assert.equal(verdict?.state, 'unknown');
    assert.equal(verdict?.reporting, 2);
    assert.match(verdict?.detail ?? '', /no quorum: 1 up, 1 down of 2 reporting, 2 needed/);
  });
});

describe('checks against real peers', () => {
  test('an HTTP target that goes down and comes back changes the plan within 3 × interval × fall', async () => {
    let isHealthy = true;
    const handler = (_req: unknown, res: import('node:http').ServerResponse): void => {
      res.statusCode = isHealthy ? 200 : 503;
      res.end('ok');
    };
    const serverA = createHttpServer(handler);
    const serverB = createHttpServer((_req, res) => res.end('ok'));
    const portA = await listen(serverA);
    const portB = await listen(serverB, 0, '127.0.0.2');
    const config = parseConfig(
      `zones: [{ apex: demo.test, nameservers: [ns1.demo.test] }]
endpoints:
  - name: api.demo.test
    type: A
    targets:
      - { address: 127.0.0.1, check: { type: http, port: ${portA}, path: /health, interval: 100ms, timeout: 80ms, rise: 2, fall: 2 } }
      - { address: 127.0.0.2, check: { type: http, port: ${portB}, path: /health, interval: 100ms, timeout: 80ms, rise: 2, fall: 2 } }
`,
      'test.yaml',
    );
    // All of 127.0.0.0/8 is loopback on Linux, so each target gets its own address.
    const checker = new Checker({ checkerId: 'c1', clock: systemClock, random, checks: await createChecks(config.endpoints.flatMap((e) => e.targets), random) });
    let parent: Plan | undefined;
    let generation = 0n;
    const planned = (): string => {
      const view = quorumHealth([checker.report()], config.health, systemClock.nowMs());
      const draft = computePlan({ config, health: view, parent, window: parent === undefined ? [] : [parent], nowMs: systemClock.nowMs() });
      if (draft !== undefined) parent = { ...draft, generation: ++generation };
      return (parent?.endpoints.get('api.demo.test.')?.records ?? []).map((r) => r.address).join(' ');
    };
    try {
      await runUntil(checker, () => [...checker.report().states.values()].every((s) => s.state === 'up'), 3000);
      assert.equal(planned(), '127.0.0.1 127.0.0.2');
      const budgetMs = 3 * 100 * 2;
      isHealthy = false;
      const downMs = await runUntil(checker, () => planned() === '127.0.0.2', budgetMs * 3);
      isHealthy = true;
      const upMs = await runUntil(checker, () => planned().startsWith('127.0.0.1'), budgetMs * 3);
      // The tight figure is the benchmark's; a shared machine gets 3× slack here.
      assert.ok(downMs < budgetMs * 3 && upMs < budgetMs * 3, `down in ${downMs} ms, up in ${upMs} ms`);
      const transitions = parent?.reasons.map((r) => r.detail).join('\n') ?? '';
      assert.match(transitions, /http:\/\/127\.0\.0\.1:\d+\/health (up|back)/);
      // A listener that disappears entirely is down too (connection refused).
      await close(serverA);
      await runUntil(checker, () => planned() === '127.0.0.2', budgetMs * 3);
      assert.match(checker.report().states.get(`http://127.0.0.1:${portA}/health`)?.detail ?? '', /ECONNREFUSED|status/);
    } finally {
      await close(serverA).catch(() => undefined);
      await close(serverB);
    }
  });

  test('a TCP target is up while it accepts and down when the listener stops, then up again', async () => {
    const server = createTcpServer((socket) => socket.destroy());
    const port = await listen(server);
    const config = parseConfig(
      `zones: [{ apex: demo.test, nameservers: [ns1.demo.test] }]\nendpoints:\n  - { name: a.demo.test, type: A, targets: [{ address: 127.0.0.1, check: { type: tcp, port: ${port}, interval: 50ms, timeout: 40ms, rise: 1, fall: 1 } }] }\n`,
      'test.yaml',
    );
    const checker = new Checker({ checkerId: 'c1', clock: systemClock, random, checks: await createChecks(config.endpoints[0].targets, random) });
    const state = (): string | undefined => checker.report().states.get(`tcp://127.0.0.1:${port}`)?.state;
    await runUntil(checker, () => state() === 'up', 2000);
    await close(server);
    await runUntil(checker, () => state() === 'down', 2000);
    const again = createTcpServer((socket) => socket.destroy());
    await listen(again, port);
    try {
      await runUntil(checker, () => state() === 'up', 2000);
    } finally {
      await close(again);
    }
  });

  test('HTTPS verifies the certificate by default and trusts a given CA', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'resolute-tls-'));
    try {
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ], { stdio: 'ignore' });
    } catch {
      t.skip('openssl is not installed');
      rmSync(dir, { recursive: true });
      return;
    }
    const cert = readFileSync(join(dir, 'cert.pem'));
    const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (_req, res) => res.end('ready'));
    const port = await listen(server);
    try {
      const probe = (extra: Partial<HttpCheckConfig>, ca?: Buffer) => httpProbe(httpCheck(port, { type: 'https', ...extra }), '127.0.0.1', new AbortController().signal, ca);
      const verified = await probe({});
      assert.equal(verified.isUp, false);
      assert.match(verified.detail, /SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/);
      assert.deepEqual(await probe({}, cert), { isUp: true, detail: 'status 200' });
      assert.deepEqual(await probe({ isTlsVerified: false, bodyContains: 'ready' }), { isUp: true, detail: 'status 200, body matched' });
      assert.equal((await probe({ isTlsVerified: false, bodyContains: 'nope' })).isUp, false);
    } finally {
      await close(server);
      rmSync(dir, { recursive: true });
    }
  });

  test('an HTTP status outside the expected range is down, and a slow answer times out', async () => {
    const server = createHttpServer((req, res) => {
      if (req.url === '/slow') return; // never answers
      res.statusCode = 404;
      res.end();
    });
    const port = await listen(server);
    try {
      assert.deepEqual(await httpProbe(httpCheck(port), '127.0.0.1', new AbortController().signal), { isUp: false, detail: 'status 404, expected 200-399' });
      const checks: Check[] = [{ key: 'slow', intervalMs: 100, timeoutMs: 50, rise: 1, fall: 1, probe: (signal) => httpProbe(httpCheck(port, { path: '/slow' }), '127.0.0.1', signal) }];
      const checker = new Checker({ checkerId: 'c1', clock: systemClock, random, checks });
      await runUntil(checker, () => checker.report().states.get('slow')?.state === 'down', 2000);
      assert.equal(checker.report().states.get('slow')?.detail, 'timeout');
    } finally {
      await close(server);
    }
  });

  test('a DNS check is up when the server answers the question, down on an empty answer', async () => {
    let hasAnswer = true;
    const socket = createSocket('udp4');
    socket.on('message', (bytes, peer) => {
      const query = parseMessage(bytes);
      const q = query.questions[0];
      const answers = hasAnswer ? [{ name: 'api.demo.test.', type: RRType.A, class: RRClass.IN, ttlSeconds: 30, rdata: new Uint8Array([127, 0, 0, 1]) }] : [];
      socket.send(serializeMessage({ ...query, qr: true, aa: true, questions: [q], answers, edns: undefined }), peer.port, peer.address);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const port = socket.address().port;
    const check = { type: 'dns' as const, port, intervalMs: 100, timeoutMs: 500, rise: 1, fall: 1, qname: 'api.demo.test.', qtype: 'A' };
    try {
      assert.deepEqual(await dnsProbe(check, '127.0.0.1', new AbortController().signal, random), { isUp: true, detail: 'dns NOERROR, 1 A' });
      hasAnswer = false;
      assert.deepEqual(await dnsProbe(check, '127.0.0.1', new AbortController().signal, random), { isUp: false, detail: 'dns NOERROR with no A answer' });
    } finally {
      socket.close();
    }
  });
});
