/**
 * npm run bench:failover — issue 6, "Must show", last bullet. Real processes, loopback only:
 *
 * Setup: three small HTTP targets (src/cli/demo-targets.ts) on 127.0.0.41–43, one endpoint
 * `api.bench.test` (policy multivalue, so every answer lists every published address) with an
 * HTTP check every 1 s, timeout 500 ms, rise 2, fall 2; a second zone `bulk.test` for part 2.
 * Every role is a real `resolute run` process over one SQLite data directory in a temp dir, as
 * `resolute up` starts them: planner+health+cleanup+reconcile, enactors A, B, C, and two DNS
 * servers (each `--roles dns`, its own free loopback port). Planner and enactors use
 * `--interval-ms` BENCH_INTERVAL_MS (default 250: `run`'s default, what `up` uses).
 *
 * 1. Failover, BENCH_ITERATIONS (default 20) times: after a random 0–1 s pause (so the death
 *    falls anywhere in the check period), one target (in turn) is stopped — its listener and
 *    connections closed, so its checks are refused like a dead host's. Meanwhile the bench
 *    queries each DNS server for api.bench.test A every ~3 ms (dns/exchange.ts, UDP) and
 *    records every change of the answer, and polls the store every 2 ms (its own read-only use
 *    of the store: readNewestHeader, readApplied) recording when each generation appears.
 *    - failover_ms: from the instant before the target is stopped to the first answer without
 *      it from the LAST of the two DNS servers to drop it (the receive time of that answer).
 *    - Then the target is restarted and the bench waits until both servers list it again.
 *    - propagation_ms: for every plan published during part 1 that changes the answer (the
 *      removals and the returns), from the instant the bench saw its header committed in the
 *      store (polled every 2 ms: the commit is at most ~2 ms earlier) to the first DNS answer,
 *      from either server, that serves its addresses. Also printed: the same from the plan's
 *      createdAtMs (the planner's clock when it started the draft, before encoding and the
 *      compare-and-set), to the last server, and the split committed → applied (the enactors'
 *      poll and fenced write, seen in readApplied) → first answer (the DNS follower's poll).
 * 2. A 100,000-name plan (BENCH_NAMES) written and applied: the planner process is stopped and
 *    the bench publishes, into the same store (plan/plan-codec.ts, the compare-and-set on the
 *    newest generation), the newest plan plus 100,000 names in bulk.test. A worker thread
 *    (src/testing/dns-query-load.ts) sends BENCH_QPS (default 3000) A queries per second, split
 *    over both servers, alternately for api.bench.test and bulk names, from 1 s before the
 *    write until 1 s after both servers answer the last bulk name; a query with no answer
 *    within 1 s is lost. Prints `query_p99_ms=… lost=… of …`. Then the same with a second
 *    100,000-name plan that re-addresses 1 % of the names (a plan of the same size, a delta of
 *    1,000 names for the provider and the DNS servers).
 *
 * Bounded: every wait has a bound and the whole run stops after ~4 minutes; processes are
 * stopped by PID and the temp dir removed, on success, error or Ctrl-C.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { systemClock } from '../src/base/clock.js';
import { systemRandom } from '../src/base/random.js';
import { DemoTargets, type DemoTarget } from '../src/cli/demo-targets.js';
import { exchange, type DnsServer } from '../src/dns/exchange.js';
import { RRType } from '../src/dns/wire/constants.js';
import { buildQuery } from '../src/dns/wire/message.js';
import { rdataToText } from '../src/dns/wire/rdata-text.js';
import type { PlanDraft, PlanEndpoint, Plan } from '../src/plan/plan.js';
import { decodePlan, encodePlan } from '../src/plan/plan-codec.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { startDnsQueryLoad, type DnsQueryLoad, type DnsQueryLoadReport } from '../src/testing/dns-query-load.js';
import { startResoluteProcess, stopAllResoluteProcesses, type ResoluteProcess } from '../src/testing/resolute-process.js';
import { findFreePort } from '../src/testing/serve-process.js';
import { nowMs, quantile, round, runBench, sleep } from './bench-run.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 20);
const NAMES = Number(process.env.BENCH_NAMES ?? 100_000);
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 250);
const QPS = Number(process.env.BENCH_QPS ?? 3000);
const TOTAL_BOUND_MS = 235_000;
const WAIT_BOUND_MS = 15_000;
const DNS_POLL_MS = 3;
const STORE_POLL_MS = 2;

const ZONE = 'bench.test.';
const NAME = 'api.bench.test.';
const BULK_ZONE = 'bulk.test.';
const TARGETS: readonly Omit<DemoTarget, 'port'>[] = [
  { name: 't1', region: 'bench', address: '127.0.0.41' },
  { name: 't2', region: 'bench', address: '127.0.0.42' },
  { name: 't3', region: 'bench', address: '127.0.0.43' },
];

const benchStart = nowMs();
const p50p99 = (values: readonly number[]): string => `p50=${round(quantile(values, 0.5))} p99=${round(quantile(values, 0.99))}`;

async function waitUntil<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, boundMs = WAIT_BOUND_MS, everyMs = 5): Promise<T> {
  const deadline = nowMs() + boundMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (nowMs() > deadline) throw new Error(`${what}: not within ${boundMs} ms`);
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------- observation in the bench

/** One change of a DNS server's answer for NAME (receive time of the first differing answer). */
interface AnswerChange {
  readonly atMs: number;
  readonly server: number;
  /** Sorted addresses, comma-separated. */
  readonly set: string;
}

/** A generation as the bench saw it appear in the store. */
interface SeenPlan {
  readonly generation: bigint;
  readonly seenAtMs: number;
  readonly createdAtMs: number;
  set?: string;
  appliedAtMs?: number;
}

class Observer {
  readonly changes: AnswerChange[] = [];
  readonly latest: string[];
  readonly plans: SeenPlan[] = [];
  dnsQueries = 0;
  dnsFailures = 0;
  private isStopping = false;
  private readonly loops: Promise<void>[] = [];
  private queryId = 1;

  constructor(
    private readonly servers: readonly DnsServer[],
    private readonly store: Store,
  ) {
    this.latest = servers.map(() => '');
  }

  start(): void {
    this.servers.forEach((server, index) => this.loops.push(this.pollDns(server, index)));
    this.loops.push(this.pollStore());
  }

  async stop(): Promise<void> {
    this.isStopping = true;
    await Promise.all(this.loops);
  }

  private async pollDns(server: DnsServer, index: number): Promise<void> {
    while (!this.isStopping) {
      this.dnsQueries++;
      try {
        const { response } = await exchange(buildQuery(NAME, RRType.A, { id: this.queryId++ & 0xffff }), server, { transport: 'udp', timeoutMs: 1000 });
        const atMs = nowMs();
        const set = response.answers.filter((r) => r.type === RRType.A).map((r) => rdataToText(RRType.A, r.rdata)).sort().join(',');
        if (set !== this.latest[index]) {
          this.latest[index] = set;
          this.changes.push({ atMs, server: index, set });
        }
      } catch {
        this.dnsFailures++;
      }
      await sleep(DNS_POLL_MS);
    }
  }

  private async pollStore(): Promise<void> {
    let newest = -1n;
    let applied = -1n;
    while (!this.isStopping) {
      const head = await this.store.readNewestHeader();
      if (head.kind === 'found' && head.header.generation > newest) {
        newest = head.header.generation;
        const seen: SeenPlan = { generation: newest, seenAtMs: nowMs(), createdAtMs: head.header.createdAtMs };
        this.plans.push(seen);
        const read = await this.store.readPlan(newest);
        if (read.kind === 'found') seen.set = addressesOf(decodePlan(read.plan.plan, newest));
      }
      const at = await this.store.readApplied({ provider: 'builtin', zone: ZONE });
      if (at.kind === 'found' && at.applied.generation > applied) {
        applied = at.applied.generation;
        const atMs = nowMs();
        for (const plan of this.plans) if (plan.generation <= applied && plan.appliedAtMs === undefined) plan.appliedAtMs = atMs;
      }
      await sleep(STORE_POLL_MS);
    }
  }

  /**
   * When `server`'s answer last became one that satisfies `isWanted` after `sinceMs`, if its
   * latest answer satisfies it.
   */
  settledAt(server: number, sinceMs: number, isWanted: (set: string) => boolean): number | undefined {
    if (!isWanted(this.latest[server])) return undefined;
    let at: number | undefined;
    let wasWanted = true;
    for (const change of this.changes) {
      if (change.server !== server) continue;
      const wanted = isWanted(change.set);
      if (change.atMs >= sinceMs && wanted && !wasWanted) at = change.atMs;
      wasWanted = wanted;
    }
    return at;
  }
}

function addressesOf(plan: Plan): string | undefined {
  return plan.endpoints.get(NAME)?.records.map((r) => r.address).sort().join(',');
}

const hasAddress = (set: string, address: string): boolean => set.split(',').includes(address);

// ---------------------------------------------------------------- the system

const dir = mkdtempSync(path.join(tmpdir(), 'resolute-bench-failover-'));
const dataDir = path.join(dir, 'data');
const configFile = path.join(dir, 'failover.yaml');
let demo: DemoTargets | undefined;
let store: Store | undefined;
let load: DnsQueryLoad | undefined;
let isCleanedUp = false;

async function cleanup(): Promise<void> {
  if (isCleanedUp) return;
  isCleanedUp = true;
  await load?.terminate().catch(() => undefined);
  await stopAllResoluteProcesses(); // by PID: SIGCONT, SIGTERM, SIGKILL after 15 s
  await demo?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
}

function configText(targets: readonly DemoTarget[]): string {
  const check = (t: DemoTarget): string => `check: { type: http, port: ${t.port}, path: /health, interval: 1s, timeout: 500ms, rise: 2, fall: 2 }`;
  return [
    'zones:',
    '  - apex: bench.test',
    '    nameservers: [ns1.bench.test]',
    '    negative_ttl: 5',
    '  - apex: bulk.test',
    '    nameservers: [ns1.bulk.test]',
    '    negative_ttl: 5',
    'endpoints:',
    '  - name: api.bench.test',
    '    type: A',
    '    ttl: 5',
    '    policy: multivalue',
    '    targets:',
    ...targets.map((t) => `      - { address: ${t.address}, weight: 100, ${check(t)} }  # ${t.name}`),
    'planner:',
    '  ramp: { steps: 1, step: 1s }   # a target that comes back is served whole at once',
    'health:',
    '  checkers: 1',
    '  quorum: 1',
    '',
  ].join('\n');
}

async function startSystem(): Promise<{ servers: DnsServer[]; planner: ResoluteProcess }> {
  const targets: DemoTarget[] = [];
  for (const t of TARGETS) targets.push({ ...t, port: await findFreePort(t.address) });
  demo = await DemoTargets.start(targets);
  writeFileSync(configFile, configText(targets));
  store = await openSqliteStore({ dataDir, clock: systemClock, random: systemRandom }); // creates it before the processes open it
  const common = ['--config', configFile, '--data-dir', dataDir];
  const servers: DnsServer[] = [];
  const started: ResoluteProcess[] = [];
  for (const id of ['dns-1', 'dns-2']) {
    const port = await findFreePort();
    servers.push({ address: '127.0.0.1', port });
    started.push(startResoluteProcess(['run', '--roles', 'dns', ...common, '--dns-port', String(port), '--id', id]));
  }
  await Promise.all(started.map((p) => p.waitFor(/dns listening on/, 30_000)));
  const interval = ['--interval-ms', String(INTERVAL_MS)];
  const planner = startResoluteProcess(['run', '--roles', 'planner,health,cleanup,reconcile', ...common, '--id', 'planner', ...interval]);
  const enactors = ['enactor-a', 'enactor-b', 'enactor-c'].map((id) => startResoluteProcess(['run', '--roles', 'enactor', ...common, '--id', id, ...interval]));
  await Promise.all([planner, ...enactors].map((p) => p.waitFor(/running /, 30_000)));
  return { servers, planner };
}

// ---------------------------------------------------------------- part 1

interface Kill {
  readonly address: string;
  readonly killAtMs: number;
  readonly failoverMs: number;
  readonly downRecordedMs: number | undefined;
  readonly recoveryMs: number;
}

async function failovers(servers: readonly DnsServer[], observer: Observer): Promise<Kill[]> {
  const everyServerServes = (isWanted: (set: string) => boolean) => () => (observer.latest.every(isWanted) ? true : undefined);
  await waitUntil('both DNS servers serve every target', everyServerServes((s) => TARGETS.every((t) => hasAddress(s, t.address))), 30_000);
  const kills: Kill[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    if (nowMs() - benchStart > TOTAL_BOUND_MS - 60_000) {
      console.log(`(time bound: stopped after ${i} of ${ITERATIONS} kills)`);
      break;
    }
    const target = TARGETS[i % TARGETS.length];
    await sleep(Math.random() * 1000);
    const killAtMs = nowMs();
    await demo!.kill(target.name);
    await waitUntil(`kill ${i + 1}: both servers drop ${target.address}`, everyServerServes((s) => s !== '' && !hasAddress(s, target.address)));
    const lastDrop = Math.max(...servers.map((_, s) => observer.settledAt(s, killAtMs, (set) => set !== '' && !hasAddress(set, target.address)) ?? NaN));
    const transitions = await store!.readHealthTransitions({ sinceMs: Math.floor(killAtMs) - 1, limit: 100 });
    const down = transitions.kind === 'listed' ? transitions.items.find((t) => t.to === 'down' && t.target.includes(`//${target.address}:`)) : undefined;
    const reviveAtMs = nowMs();
    await demo!.revive(target.name);
    await waitUntil(`kill ${i + 1}: both servers serve ${target.address} again`, everyServerServes((s) => hasAddress(s, target.address)));
    const back = Math.max(...servers.map((_, s) => observer.settledAt(s, reviveAtMs, (set) => hasAddress(set, target.address)) ?? NaN));
    kills.push({ address: target.address, killAtMs, failoverMs: lastDrop - killAtMs, downRecordedMs: down === undefined ? undefined : down.atMs - killAtMs, recoveryMs: back - reviveAtMs });
    console.log(`  kill ${i + 1}/${ITERATIONS} ${target.address}: failover_ms=${round(lastDrop - killAtMs)} (down recorded at +${down === undefined ? '?' : round(down.atMs - killAtMs)}) back_ms=${round(back - reviveAtMs)}`);
  }
  return kills;
}

interface Propagation {
  readonly generation: bigint;
  readonly fromCommitMs: number;
  readonly fromCreatedMs: number;
  readonly toLastServerMs: number;
  readonly enactMs: number | undefined;
  readonly followMs: number | undefined;
}

/** Every plan of part 1 whose answer differs from its parent's, matched with the answers seen. */
function propagations(observer: Observer, sinceMs: number, serverCount: number): { samples: Propagation[]; invisible: number } {
  const samples: Propagation[] = [];
  let invisible = 0;
  const plans = observer.plans;
  for (let i = 1; i < plans.length; i++) {
    const plan = plans[i];
    const parent = plans[i - 1];
    if (plan.seenAtMs < sinceMs || plan.set === undefined) continue;
    if (plan.set === parent.set) {
      invisible++;
      continue;
    }
    // The answers that began serving this plan's addresses after its parent appeared.
    const firstBy = new Map<number, number>();
    for (const change of observer.changes) {
      if (change.atMs < parent.seenAtMs || change.set !== plan.set || firstBy.has(change.server)) continue;
      firstBy.set(change.server, change.atMs);
    }
    if (firstBy.size === 0) continue;
    const first = Math.min(...firstBy.values());
    const last = firstBy.size === serverCount ? Math.max(...firstBy.values()) : NaN;
    samples.push({
      generation: plan.generation,
      fromCommitMs: first - plan.seenAtMs,
      fromCreatedMs: first - plan.createdAtMs,
      toLastServerMs: last - plan.seenAtMs,
      enactMs: plan.appliedAtMs === undefined ? undefined : plan.appliedAtMs - plan.seenAtMs,
      followMs: plan.appliedAtMs === undefined ? undefined : first - plan.appliedAtMs,
    });
  }
  return { samples, invisible };
}

// ---------------------------------------------------------------- part 2

interface PlanWriteOutcome {
  readonly generation: bigint;
  readonly report: DnsQueryLoadReport;
  readonly encodeMs: number;
  readonly writeMs: number;
  readonly appliedMs: number;
  readonly servedMs: readonly number[];
  readonly publishAtMs: number;
  readonly planBytes: number;
}

const bulkAddress = (i: number, salt = 0): string => `10.${((i >> 16) + salt) & 255}.${(i >> 8) & 255}.${i & 255}`;

function bulkEndpoint(i: number, createdAtMs: number, salt = 0): PlanEndpoint {
  const address = bulkAddress(i, salt);
  return {
    name: `n${i}.${BULK_ZONE}`,
    zone: BULK_ZONE,
    type: 'A',
    ttlSeconds: 30,
    policy: 'multivalue',
    activeRegion: null,
    isFailOpen: false,
    records: [{ address, target: `tcp://${address}:80`, weight: 100, role: 'serving', sinceMs: createdAtMs }],
  };
}

/**
 * Under a steady query load (from 1 s before to 1 s after): encodes and publishes `draft`
 * (compare-and-set on its parent), waits for the enactors to apply it, then for every server
 * to answer `probe` with `probeAddress`.
 */
async function measurePlanWrite(servers: readonly DnsServer[], draft: PlanDraft, probe: string, probeAddress: string): Promise<PlanWriteOutcome> {
  const sampled = Array.from({ length: 200 }, (_, k) => `n${Math.floor((k * NAMES) / 200)}.${BULK_ZONE}`);
  load = await startDnsQueryLoad({ servers, names: sampled.flatMap((n) => [NAME, n]), mustAnswer: [NAME], ratePerSecond: QPS, timeoutMs: 1000, maxDurationMs: 90_000 });
  await sleep(1000); // a baseline before the write
  const publishAtMs = nowMs();
  const encoded = encodePlan(draft);
  const encodedAtMs = nowMs();
  const outcome = await store!.publishPlan({ parentGeneration: draft.parentGeneration, createdAtMs: draft.createdAtMs, plan: encoded });
  const writtenAtMs = nowMs();
  if (outcome.kind !== 'published') throw new Error(`the ${NAMES}-name plan was not published: ${outcome.kind}`);
  const appliedAtMs = await waitUntil(`the ${NAMES}-name plan applied`, async () => {
    const at = await store!.readApplied({ provider: 'builtin', zone: BULK_ZONE });
    return at.kind === 'found' && at.applied.generation >= outcome.generation ? nowMs() : undefined;
  }, 90_000, 5);
  const servedMs: number[] = [];
  for (const server of servers) {
    const at = await waitUntil(`${server.port} serves ${probe} ${probeAddress}`, async () => {
      try {
        const { response } = await exchange(buildQuery(probe, RRType.A, { id: 7 }), server, { transport: 'udp', timeoutMs: 1000 });
        return response.answers.some((r) => r.type === RRType.A && rdataToText(RRType.A, r.rdata) === probeAddress) ? nowMs() : undefined;
      } catch {
        return undefined;
      }
    }, 90_000, 10);
    servedMs.push(at - publishAtMs);
  }
  await sleep(1000);
  const report = await load.stop();
  load = undefined;
  const planBytes = encoded.chunks.reduce((sum, c) => sum + c.byteLength, 0);
  return { generation: outcome.generation, report, encodeMs: encodedAtMs - publishAtMs, writeMs: writtenAtMs - encodedAtMs, appliedMs: appliedAtMs - publishAtMs, servedMs, publishAtMs, planBytes };
}

/**
 * 2a: the newest plan plus NAMES new names in bulk.test (every one of them a change for the
 * provider and the DNS servers); 2b: the same plan with 1 % of those names re-addressed.
 */
async function bulkPlans(servers: readonly DnsServer[], planner: ResoluteProcess): Promise<{ all: PlanWriteOutcome; onePercent: PlanWriteOutcome }> {
  await planner.stop(); // the bench publishes now; the planner would plan bulk.test's names away
  const newest = await store!.readNewestPlan();
  if (newest.kind !== 'found') throw new Error(`no newest plan to extend (${newest.kind})`);
  const parent = decodePlan(newest.plan.plan, newest.plan.header.generation);
  if (!parent.zones.some((z) => z.apex === BULK_ZONE)) throw new Error(`the newest plan has no zone ${BULK_ZONE}`);
  const createdAtMs = Date.now();
  const bulk: PlanEndpoint[] = [];
  for (let i = 0; i < NAMES; i++) bulk.push(bulkEndpoint(i, createdAtMs));
  const last = NAMES - 1;
  const allDraft: PlanDraft = { parentGeneration: parent.generation, createdAtMs, zones: parent.zones, endpoints: parent.endpoints.with(bulk, []), reasons: [], unsettledNames: [] };
  const all = await measurePlanWrite(servers, allDraft, `n${last}.${BULK_ZONE}`, bulkAddress(last));

  const changed: PlanEndpoint[] = [];
  const againAtMs = Date.now();
  for (let i = 0; i < NAMES; i += 100) changed.push(bulkEndpoint(i, againAtMs, 128));
  const onePercentDraft: PlanDraft = { ...allDraft, parentGeneration: all.generation, createdAtMs: againAtMs, endpoints: allDraft.endpoints.with(changed, []) };
  const onePercent = await measurePlanWrite(servers, onePercentDraft, `n0.${BULK_ZONE}`, bulkAddress(0, 128));
  return { all, onePercent };
}

function printPlanWrite(label: string, outcome: PlanWriteOutcome, isPrimary: boolean): void {
  const r = outcome.report;
  const figure = `query_p99_ms=${r.p99Ms.toFixed(1)} lost=${r.lost} of ${r.sent}`;
  console.log(isPrimary ? `${figure} (target: no query lost: ${verdict(r.lost === 0)}) — ${label}` : `  ${label}: ${figure}`);
  console.log(
    `    ${(outcome.planBytes / 2 ** 20).toFixed(1)} MiB plan: encode_ms=${round(outcome.encodeMs)} write_ms=${round(outcome.writeMs)} applied_ms=${round(outcome.appliedMs)} served_ms=${outcome.servedMs.map(round).join(',')} (from the start of the encode)`,
  );
  console.log(
    `    queries: ${round(r.sent / (r.durationMs / 1000))}/s for ${round(r.durationMs)} ms, p50=${r.p50Ms.toFixed(2)} p99.9=${r.p999Ms.toFixed(1)} max=${r.maxMs.toFixed(1)} ms, skipped=${r.skipped} late=${r.late} empty=${r.emptyAnswers} rcodes ${JSON.stringify(r.rcodes)}`,
  );
  const lost = r.lostSentBetweenMs;
  if (lost !== undefined) {
    console.log(`    lost queries were sent between +${round(lost[0] - outcome.publishAtMs)} and +${round(lost[1] - outcome.publishAtMs)} ms; worst latency per second of sends (ms, from 1 s before the encode): ${worstPerSecond(r).join(' ')}`);
  }
  else for (const q of r.slowest.slice(0, 3)) console.log(`    slow: ${q.latencyMs.toFixed(0)} ms ${q.name} @${q.server}, sent at +${round(q.sentAtMs - outcome.publishAtMs)} ms`);
}

function worstPerSecond(r: DnsQueryLoadReport): string[] {
  const seconds: string[] = [];
  for (let i = 0; i < r.worstPer100Ms.length; i += 10) seconds.push(round(Math.max(...r.worstPer100Ms.slice(i, i + 10))));
  return seconds;
}

// ---------------------------------------------------------------- main

const verdict = (isMet: boolean): string => (isMet ? 'MET' : 'NOT MET');
await runBench('bench:failover', TOTAL_BOUND_MS + 20_000, cleanup, async () => {
  console.log(`bench:failover — ${ITERATIONS} kills, ${NAMES} names, planner/enactor --interval-ms ${INTERVAL_MS}, ${QPS} queries/s in part 2 (node ${process.version}, temp dir ${dir})`);
  const { servers, planner } = await startSystem();
  console.log(`system up in ${round(nowMs() - benchStart)} ms: dns on ${servers.map((s) => `${s.address}:${s.port}`).join(', ')}`);

  const observer = new Observer(servers, store!);
  observer.start();
  const part1At = nowMs();
  let kills: Kill[];
  try {
    kills = await failovers(servers, observer);
  } finally {
    await observer.stop();
  }
  const failover = kills.map((k) => k.failoverMs).filter(Number.isFinite);
  const { samples, invisible } = propagations(observer, part1At, servers.length);
  const fromCommit = samples.map((s) => s.fromCommitMs);
  const down = kills.flatMap((k) => (k.downRecordedMs === undefined ? [] : [k.downRecordedMs]));
  console.log(`failover_ms ${p50p99(failover)} (target p99 ≤ 3000: ${verdict(quantile(failover, 0.99) <= 3000)}; n=${failover.length}, max=${round(Math.max(...failover))})`);
  console.log(`  kill → down recorded by the checker ${p50p99(down)}; kill → last server's answer without it ${p50p99(failover)}; restart → both serve it again ${p50p99(kills.map((k) => k.recoveryMs))}`);
  console.log(
    `propagation_ms ${p50p99(fromCommit)} (target p99 ≤ 100: ${verdict(quantile(fromCommit, 0.99) <= 100)}; n=${samples.length} plans changing the answer` +
      `${invisible > 0 ? `, ${invisible} not visible in the answer skipped` : ''}; from the header seen committed in the store, polled every ${STORE_POLL_MS} ms, to the first answer serving it)`,
  );
  console.log(`  from the plan's createdAtMs ${p50p99(samples.map((s) => s.fromCreatedMs))}; to the last DNS server ${p50p99(samples.map((s) => s.toLastServerMs).filter(Number.isFinite))}`);
  console.log(
    `  split: committed → applied (enactors) ${p50p99(samples.flatMap((s) => (s.enactMs === undefined ? [] : [s.enactMs])))}; applied → first answer (DNS follower) ${p50p99(samples.flatMap((s) => (s.followMs === undefined ? [] : [s.followMs])))}`,
  );
  console.log(`  (the bench's own DNS polling: ${observer.dnsQueries} queries, ${observer.dnsFailures} failed)`);

  const { all, onePercent } = await bulkPlans(servers, planner);
  printPlanWrite(`a plan of the ${NAMES} names written and applied (every name new to the DNS servers)`, all, true);
  printPlanWrite(`then a ${NAMES}-name plan re-addressing 1 % of them`, onePercent, false);
});
