/**
 * The invariant checker of the end-to-end tests, as a client sees it: a loop of real DNS queries
 * (UDP on loopback, dns/exchange.ts) asking one server for a managed name's A records and its
 * zone's SOA every `intervalMs`, until stopped or `maxQueries`. It records, under the label of
 * the test step current at the time (`mark`), every empty answer (no A record, whatever the
 * rcode) and every SOA serial that went backwards (RFC 1982 arithmetic), so a test can assert
 * "never empty, never backwards" — or, against a broken stack, show exactly when it broke.
 */
import { systemClock } from '../base/clock.js';
import { exchange, type DnsServer } from '../dns/exchange.js';
import { RRType, rcodeName } from '../dns/wire/constants.js';
import { buildQuery } from '../dns/wire/message.js';
import { rdataToText } from '../dns/wire/rdata-text.js';

export interface DnsWatchOptions {
  readonly server: DnsServer;
  /** The managed name, absolute (`api.demo.test.`). */
  readonly name: string;
  /** Its zone's apex (`demo.test.`). */
  readonly zone: string;
  /** Pause between two rounds (one A and one SOA query). Default 20. */
  readonly intervalMs?: number;
  /** A bound on rounds, so a forgotten watch ends. Default 5000. */
  readonly maxQueries?: number;
  /** Per query. Default 2000. */
  readonly timeoutMs?: number;
}

export interface WatchEvent {
  readonly step: string;
  readonly atMs: number;
  readonly detail: string;
}

export interface DnsWatchReport {
  /** DNS queries sent (two per round). */
  readonly queries: number;
  /** Rounds per step label. */
  readonly roundsByStep: ReadonlyMap<string, number>;
  /** Answers for `name` with no address. */
  readonly empties: readonly WatchEvent[];
  /** SOA serials lower (RFC 1982) than the highest seen before. */
  readonly regressions: readonly WatchEvent[];
  /** Queries that got no answer in time or failed (neither empty nor an answer). */
  readonly failures: readonly WatchEvent[];
  /** Every distinct answer seen, in order, as `serial: addresses`. */
  readonly answers: readonly string[];
}

export interface DnsWatch {
  /** Labels what is seen from now on. */
  mark(step: string): void;
  /** The number of rounds made so far. */
  rounds(): number;
  /** Stops after the round in flight and reports. */
  stop(): Promise<DnsWatchReport>;
}

/** RFC 1982: `a` is before `b`. */
export function isSerialBefore(a: number, b: number): boolean {
  const d = (b - a + 2 ** 32) % 2 ** 32;
  return d !== 0 && d < 2 ** 31;
}

export function startDnsWatch(options: DnsWatchOptions): DnsWatch {
  const intervalMs = options.intervalMs ?? 20;
  const maxQueries = options.maxQueries ?? 5000;
  const timeoutMs = options.timeoutMs ?? 2000;
  const startMs = systemClock.monotonicMs();
  let step = 'start';
  let rounds = 0;
  let queries = 0;
  let id = 1;
  let highest: number | undefined;
  let isStopping = false;
  const roundsByStep = new Map<string, number>();
  const empties: WatchEvent[] = [];
  const regressions: WatchEvent[] = [];
  const failures: WatchEvent[] = [];
  const answers: string[] = [];
  const event = (detail: string): WatchEvent => ({ step, atMs: Math.round(systemClock.monotonicMs() - startMs), detail });

  const ask = async (name: string, type: number): Promise<{ rcode: string; values: string[] } | undefined> => {
    queries++;
    try {
      const { response } = await exchange(buildQuery(name, type, { id: id++ & 0xffff }), options.server, { transport: 'udp', timeoutMs });
      return { rcode: rcodeName(response.rcode), values: response.answers.filter((r) => r.type === type).map((r) => rdataToText(type, r.rdata)) };
    } catch (error) {
      failures.push(event(`${name} ${type === RRType.A ? 'A' : 'SOA'}: ${(error as Error).message}`));
      return undefined;
    }
  };

  const loop = (async () => {
    while (!isStopping && rounds < maxQueries) {
      rounds++;
      roundsByStep.set(step, (roundsByStep.get(step) ?? 0) + 1);
      const [a, soa] = await Promise.all([ask(options.name, RRType.A), ask(options.zone, RRType.SOA)]);
      const serial = soa?.values[0] === undefined ? undefined : Number(soa.values[0].split(' ')[2]);
      if (a !== undefined && a.values.length === 0) empties.push(event(`${options.name} A: ${a.rcode}, no address (serial ${serial ?? '?'})`));
      if (serial !== undefined) {
        if (highest !== undefined && isSerialBefore(serial, highest)) regressions.push(event(`SOA serial ${serial} after ${highest}`));
        else highest = serial;
      }
      if (a !== undefined) {
        const seen = `${serial ?? '?'}: ${[...a.values].sort().join(' ') || '(empty)'}`;
        if (answers.at(-1) !== seen) answers.push(seen);
      }
      await systemClock.sleep(intervalMs);
    }
  })();

  return {
    mark(next) {
      step = next;
    },
    rounds: () => rounds,
    async stop() {
      isStopping = true;
      await loop;
      return { queries, roundsByStep, empties, regressions, failures, answers };
    },
  };
}
