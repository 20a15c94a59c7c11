/**
 * A steady load of real DNS queries (UDP, loopback) against one or more servers, in a worker
 * thread of its own: the process that starts it may block its main thread (encoding a plan of
 * 100,000 names, say) without delaying a query or its timing. For benchmarks (bench/failover.ts).
 *
 * The worker (dns-query-load-worker.ts):
 *   1. one UDP socket; every millisecond it sends the queries due to keep `ratePerSecond`
 *      (at most `burstMax` at once if it fell behind), round-robin over `servers` and `names`;
 *   2. a response is matched by ID and source address and port; its latency is measured from
 *      the send (performance.now() of the worker);
 *   3. a query with no response within `timeoutMs` is lost; a response after that is counted
 *      as late (it stays lost);
 *   4. stop(): no more sends, every query in flight answered or lost, then the report.
 */
import { Worker } from 'node:worker_threads';
import type { DnsServer } from '../dns/exchange.js';

export interface DnsQueryLoadOptions {
  readonly servers: readonly DnsServer[];
  /** Asked for their A records in turn (absolute names, `api.bench.test.`). */
  readonly names: readonly string[];
  /** Queries per second over all servers. */
  readonly ratePerSecond: number;
  /** A query with no answer within this is lost. Default 1000. */
  readonly timeoutMs?: number;
  /** A bound: the load stops by itself after this (default 120,000). */
  readonly maxDurationMs?: number;
  /** Most queries sent in one tick when the worker fell behind (default 50). */
  readonly burstMax?: number;
}

export interface SlowQuery {
  /** Wall-clock ms when it was sent. */
  readonly sentAtMs: number;
  /** Latency, or `timeoutMs` for a lost one. */
  readonly latencyMs: number;
  readonly name: string;
  readonly server: string;
  readonly isLost: boolean;
}

export interface DnsQueryLoadReport {
  readonly sent: number;
  /** Sends skipped because the worker itself fell more than `burstMax` behind (its CPU starved). */
  readonly skipped: number;
  readonly answered: number;
  readonly lost: number;
  /** Responses that came after their query was counted lost. */
  readonly late: number;
  /** Answers per rcode name (NOERROR, NXDOMAIN, SERVFAIL, …). */
  readonly rcodes: Readonly<Record<string, number>>;
  /** Answers with no A record for a name listed in `mustAnswer` (never expected). */
  readonly emptyAnswers: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  /** Wall-clock ms of the first and the last send of a lost query; absent when none was lost. */
  readonly lostSentBetweenMs?: readonly [number, number];
  /** Wall-clock span of the sends. */
  readonly durationMs: number;
  /** The slowest queries (lost ones first), at most 10. */
  readonly slowest: readonly SlowQuery[];
  /** Per 100 ms of sends (wall clock, from the first send): the worst latency, for a timeline. */
  readonly worstPer100Ms: readonly number[];
}

export interface DnsQueryLoad {
  /** Stops sending, waits for every query in flight (at most timeoutMs) and reports. */
  stop(): Promise<DnsQueryLoadReport>;
  /** Ends the worker at once (cleanup after an error). */
  terminate(): Promise<void>;
}

/** The worker's input (workerData). */
export interface DnsQueryLoadWorkerData extends DnsQueryLoadOptions {
  /** Names whose A answer must never be empty (NOERROR with no A record counts as empty). */
  readonly mustAnswer: readonly string[];
}

/**
 * Starts the load and resolves once the worker's socket is bound and sending.
 * `mustAnswer`: names whose NOERROR answers are checked for at least one A record.
 */
export async function startDnsQueryLoad(options: DnsQueryLoadOptions & { readonly mustAnswer?: readonly string[] }): Promise<DnsQueryLoad> {
  const data: DnsQueryLoadWorkerData = {
    servers: options.servers.map((s) => ({ address: s.address, port: s.port })),
    names: [...options.names],
    ratePerSecond: options.ratePerSecond,
    timeoutMs: options.timeoutMs ?? 1000,
    maxDurationMs: options.maxDurationMs ?? 120_000,
    burstMax: options.burstMax ?? 50,
    mustAnswer: [...(options.mustAnswer ?? [])],
  };
  const worker = new Worker(new URL('./dns-query-load-worker.js', import.meta.url), { workerData: data });
  let report: ((r: DnsQueryLoadReport) => void) | undefined;
  let failed: ((e: Error) => void) | undefined;
  const reported = new Promise<DnsQueryLoadReport>((resolve, reject) => {
    report = resolve;
    failed = reject;
  });
  reported.catch(() => undefined); // observed through stop()
  await new Promise<void>((resolve, reject) => {
    worker.on('message', (message: { kind: string; report?: DnsQueryLoadReport }) => {
      if (message.kind === 'started') resolve();
      else if (message.kind === 'report' && message.report !== undefined) report?.(message.report);
    });
    worker.once('error', (error) => {
      reject(error);
      failed?.(error);
    });
    worker.once('exit', (code) => {
      const error = new Error(`the DNS query load worker exited (${code}) before reporting`);
      reject(error);
      failed?.(error);
    });
  });
  return {
    async stop() {
      worker.postMessage({ kind: 'stop' });
      try {
        return await reported;
      } finally {
        await worker.terminate();
      }
    },
    async terminate() {
      await worker.terminate();
    },
  };
}
