/**
 * npm run bench:health — one checker process probing 10,000 targets every second (issue 5).
 *
 * Real local listeners: 100 TCP servers on 127.0.0.1 (loopback only), 100 targets each; every
 * probe is a real TCP connect. The checker runs its own loop (the same step() that run() calls)
 * for BENCH_SECONDS (default 6 s), the first second being warm-up (the random phases spread the
 * first round); then everything is closed and the process ends by itself.
 * Prints `targets=N probes_per_s=P lag_p99_ms=L` — lag is how late a probe starts after its due
 * time. Target: lag_p99_ms ≤ 100 at 10,000 targets and a 1 s interval.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { systemClock } from '../src/base/clock.js';
import { seededRandom } from '../src/base/random.js';
import type { Check } from '../src/health/check.js';
import { Checker } from '../src/health/checker.js';
import { tcpProbe } from '../src/health/tcp-probe.js';

const TARGETS = Number(process.env.BENCH_TARGETS ?? 10_000);
const LISTENERS = 100;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);

const servers: Server[] = [];
const ports: number[] = [];
for (let i = 0; i < LISTENERS; i++) {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  ports.push((server.address() as AddressInfo).port);
}

const checks: Check[] = Array.from({ length: TARGETS }, (_, i) => ({
  key: `tcp://127.0.0.1:${ports[i % LISTENERS]}#${i}`,
  intervalMs: 1000,
  timeoutMs: 500,
  rise: 2,
  fall: 2,
  probe: (signal) => tcpProbe('127.0.0.1', ports[i % LISTENERS], signal),
}));
const checker = new Checker({ checkerId: 'bench', clock: systemClock, random: seededRandom(1), checks, concurrency: 512, tickMs: 5 });

const lags: number[] = [];
let started = 0;
const start = performance.now();
const warmupEnd = start + 1000;
while (performance.now() - start < SECONDS * 1000) {
  const step = checker.step();
  if (performance.now() >= warmupEnd) {
    started += step.started;
    for (const lag of step.lagsMs) lags.push(lag);
  }
  await systemClock.sleep(Math.min(Math.max(step.nextDueInMs, 1), 5));
}
const measuredS = (performance.now() - warmupEnd) / 1000;
await systemClock.sleep(600); // let the last probes finish before the listeners close
const states = [...checker.report().states.values()];
const up = states.filter((s) => s.state === 'up').length;
for (const server of servers) server.close();
lags.sort((a, b) => a - b);
const p99 = lags.length === 0 ? NaN : lags[Math.min(lags.length - 1, Math.floor(lags.length * 0.99))];
console.log(`targets_up=${up}/${TARGETS} seconds=${measuredS.toFixed(1)}`);
console.log(`targets=${TARGETS} probes_per_s=${(started / measuredS).toFixed(0)} lag_p99_ms=${p99.toFixed(1)}`);
