/**
 * npm run bench:apply — issue 7: what an enactor pays to apply a 1 % change of a 10,000-name
 * zone to each real RFC 2136 server, and how fast the built-in server's secondaries follow.
 * Real processes, loopback high ports only.
 *
 * Part 1, for each of Knot, BIND and PowerDNS (gsqlite3) in turn (src/testing/rfc2136-servers.ts:
 * one zone, TSIG hmac-sha256):
 *  - the REAL ENACTOR CODE PATH: an `Enactor` (src/enact/enactor.ts) over an in-memory store,
 *    with one `Rfc2136Provider` pointed at the server; the bench publishes plans into the store
 *    (plan-codec + the store's compare-and-set, outside the timings) and calls `enactor.step()`,
 *    which reads the newest plan, reads the fence from the server, calls `provider.apply` (AXFR
 *    of the zone, the RRsets that differ, one fenced UPDATE per group, AXFR read-back, RFC 2136
 *    §3.4.2.2) and records "applied" in the store. Provider calls are bounded at 120 s (the
 *    enactor's default of 10 s is too short for the first 10,000-name load on PowerDNS).
 *  - first a plan of BENCH_NAMES (10,000) names, one A record each (every 10th name an AAAA
 *    instead), applied once (printed as `initial_…`, not part of the figures);
 *  - then BENCH_REPEATS (5) times a plan re-addressing 1 % of the names (100, a different set
 *    each time). `apply_ms` is the wall time of that `enactor.step()`; `provider_apply_ms` the
 *    provider's apply alone (the `resolute:enact:applied` event's durationMs). After each, one
 *    changed name is asked of the server over TCP and must answer the new address.
 *  - bytes: the provider talks to the server through a TCP relay in this process that counts
 *    the octets of each connection (every exchange of the provider opens its own) and sorts it
 *    by the first message the client sent: opcode UPDATE, qtype AXFR, or another query.
 *    `update_bytes` = octets of every UPDATE message of that apply (their TSIG records and the
 *    2-octet TCP length prefix, RFC 1035 §4.2.2, included); `axfr_bytes` = octets the server
 *    sent for the AXFRs of that apply (the read before the diff, and the read-back when the change
 *    is large); `query_bytes` = octets the server sent on the other connections (the fence read and
 *    the pipelined read-back of a small change), `query_connections` their number. The relay
 *    adds one loopback hop to every exchange (well under a millisecond each).
 *  Prints p50 and max over the repeats:
 *    `provider=knot apply_ms=… apply_ms_max=… update_bytes=… update_messages=… axfr_bytes=… …`
 *
 * Part 2, the built-in server: `resolute serve` (a real process) serving the same 10,000 names
 * from a zone file, with transfers (TSIG) and NOTIFY to real NSD, Knot and BIND secondaries
 * (src/testing/secondary-servers.ts; their SOA refresh is an hour, so NOTIFY is what moves
 * them). `run --roles dns` has no transfer options yet, so the 1 % change reaches the server as
 * `serve` takes one: the zone file rewritten with a higher serial, then SIGHUP. From the SIGHUP,
 * the bench asks the primary and each secondary for the SOA over UDP every 2 ms;
 * `propagation_ms` is the time until a secondary first answers the new serial (`primary`:
 * until the reloaded server does). p50 and max over BENCH_REPEATS changes:
 *    `secondary=nsd propagation_ms=… propagation_ms_max=…`
 *
 * Bounded: every wait has a bound and the whole run stops after 170 s; every server is stopped
 * by PID and the temp dir removed, on success, error or Ctrl-C. BENCH_PROVIDERS (default
 * `knot,bind,pdns`) and BENCH_SECONDARIES (default `nsd,knot,bind`; empty skips part 2) pick
 * the peers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { systemClock } from '../src/base/clock.js';
import { channels } from '../src/base/events.js';
import { systemRandom } from '../src/base/random.js';
import { exchange } from '../src/dns/exchange.js';
import { parseIPv4, parseIPv6 } from '../src/dns/wire/address-text.js';
import { Opcode, RRType } from '../src/dns/wire/constants.js';
import { buildQuery } from '../src/dns/wire/message.js';
import { rdataToText } from '../src/dns/wire/rdata-text.js';
import { parseTsigKey } from '../src/dns/wire/tsig-key.js';
import { Enactor, type EnactorStep } from '../src/enact/enactor.js';
import { EndpointTable } from '../src/plan/endpoint-table.js';
import type { PlanDraft, PlanEndpoint, PlanZone } from '../src/plan/plan.js';
import { decodePlan, encodePlan } from '../src/plan/plan-codec.js';
import { Rfc2136Provider } from '../src/providers/rfc2136/rfc2136-provider.js';
import { zoneRecordsOf } from '../src/providers/zone-records.js';
import { openMemoryStore } from '../src/store/memory/memory-store.js';
import type { Store } from '../src/store/store.js';
import { startRfc2136Server, stopAllRfc2136Servers, type Rfc2136ServerKind } from '../src/testing/rfc2136-servers.js';
import { servedSerial, startSecondary, stopAllSecondaries, type Secondary, type SecondaryKind } from '../src/testing/secondary-servers.js';
import { findFreePort, startServeProcess, stopAllServeProcesses } from '../src/testing/serve-process.js';
import { nowMs, quantile, round, runBench, sleep } from './bench-run.js';

const NAMES = Number(process.env.BENCH_NAMES ?? 10_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const PROVIDERS = (process.env.BENCH_PROVIDERS ?? 'knot,bind,pdns').split(',').filter((p) => p !== '') as Rfc2136ServerKind[];
const SECONDARIES = (process.env.BENCH_SECONDARIES ?? 'nsd,knot,bind').split(',').filter((s) => s !== '') as SecondaryKind[];
/** 1 %: the names i with i % 100 === repeat change in that repeat. */
const CHANGE_EVERY = 100;
const TOTAL_BOUND_MS = 170_000;
const PROVIDER_TIMEOUT_MS = 120_000;
const SERIAL_POLL_MS = 2;
const PROPAGATION_BOUND_MS = 20_000;

const ZONE = 'apply.bench.test.';
const KEY_TEXT = `bench-key.:hmac-sha256:${Buffer.from('resolute bench:apply tsig key 32').toString('base64')}`;
const KEY = parseTsigKey(KEY_TEXT, 'bench key');

const benchStart = nowMs();
/** `key=p50 key_max=max` */
const p50max = (key: string, values: readonly number[]): string => `${key}=${round(quantile(values, 0.5))} ${key}_max=${round(Math.max(...values))}`;

// ---------------------------------------------------------------- the zone's names

/** Name i's address in the version `salt` of the zone (salt < 256; i < 65,536). Every 10th name is an AAAA. */
function addressOf(i: number, salt: number): { readonly type: 'A' | 'AAAA'; readonly address: string } {
  return i % 10 === 9 ? { type: 'AAAA', address: `2001:db8:${salt.toString(16)}::${i.toString(16)}` } : { type: 'A', address: `10.${salt}.${(i >> 8) & 255}.${i & 255}` };
}
const nameOf = (i: number): string => `n${i}.${ZONE}`;

function endpointOf(i: number, salt: number, sinceMs: number): PlanEndpoint {
  const { type, address } = addressOf(i, salt);
  return {
    name: nameOf(i),
    zone: ZONE,
    type,
    ttlSeconds: 300,
    policy: 'multivalue',
    activeRegion: null,
    isFailOpen: false,
    records: [{ address, target: `tcp://${address}:443`, weight: 100, role: 'serving', sinceMs }],
  };
}

/** The names changed by repeat `repeat` (1-based): 1 % of them, a different set each repeat. */
const changedIn = (repeat: number): number[] => Array.from({ length: Math.ceil(NAMES / CHANGE_EVERY) }, (_, k) => k * CHANGE_EVERY + repeat).filter((i) => i < NAMES);

// ---------------------------------------------------------------- the wire counter

type ExchangeKind = 'update' | 'axfr' | 'query';
interface WireTally {
  connections: number;
  /** Octets the client sent (TCP payload). */
  sentOctets: number;
  /** Octets the server sent back. */
  receivedOctets: number;
  /** Summed time from the client's connect to the close of both sides. */
  ms: number;
}

/**
 * A TCP relay in front of a DNS server that tallies each connection by the first message the
 * client sent on it (opcode UPDATE, qtype AXFR, anything else). The provider opens one
 * connection per exchange, so a connection is an exchange.
 */
class WireCounter {
  private tallies = new Map<ExchangeKind, WireTally>();
  private open = 0;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly listener: net.Server,
    readonly port: number,
  ) {}

  static async start(upstream: { readonly address: string; readonly port: number }): Promise<WireCounter> {
    let counter: WireCounter | undefined;
    const listener = net.createServer((client) => counter?.relay(client, upstream));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    counter = new WireCounter(listener, (listener.address() as net.AddressInfo).port);
    return counter;
  }

  /** The tallies since the last call, once every relayed connection has closed (bounded). */
  async take(): Promise<Map<ExchangeKind, WireTally>> {
    for (let waited = 0; this.open > 0 && waited < 2000; waited += 2) await sleep(2);
    const taken = this.tallies;
    this.tallies = new Map();
    return taken;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.listener.close(() => resolve()));
  }

  private relay(client: net.Socket, upstream: { readonly address: string; readonly port: number }): void {
    const server = net.connect(upstream.port, upstream.address);
    const connectedAtMs = nowMs();
    this.open++;
    let head = Buffer.alloc(0);
    let sent = 0;
    let received = 0;
    client.on('data', (chunk: Buffer) => {
      if (head.length < 512) head = Buffer.concat([head, chunk]);
      sent += chunk.length;
    });
    server.on('data', (chunk: Buffer) => (received += chunk.length));
    client.pipe(server);
    server.pipe(client);
    for (const socket of [client, server]) {
      this.sockets.add(socket);
      socket.on('error', () => {
        client.destroy();
        server.destroy();
      });
    }
    let closed = 0;
    const onClose = (): void => {
      if (++closed < 2) return;
      this.sockets.delete(client);
      this.sockets.delete(server);
      const kind = exchangeKindOf(head);
      const tally = this.tallies.get(kind) ?? { connections: 0, sentOctets: 0, receivedOctets: 0, ms: 0 };
      tally.connections++;
      tally.ms += nowMs() - connectedAtMs;
      tally.sentOctets += sent;
      tally.receivedOctets += received;
      this.tallies.set(kind, tally);
      this.open--;
    };
    client.once('close', onClose);
    server.once('close', onClose);
  }
}

/** The kind of the first framed message (RFC 1035 §4.2.2: a 2-octet length, then the message). */
function exchangeKindOf(framed: Buffer): ExchangeKind {
  if (framed.length < 2 + 12) return 'query';
  const message = framed.subarray(2);
  if (((message[2] >> 3) & 0x0f) === Opcode.UPDATE) return 'update';
  let offset = 12;
  while (offset < message.length && message[offset] !== 0) offset += message[offset] + 1;
  return offset + 3 <= message.length && message.readUInt16BE(offset + 1) === RRType.AXFR ? 'axfr' : 'query';
}

// ---------------------------------------------------------------- part 1: RFC 2136 servers

interface ApplySample {
  readonly applyMs: number;
  /** CPU time (user + system) of this process during the step: the enactor's and provider's own work, the relay's too. */
  readonly cpuMs: number;
  readonly providerApplyMs: number;
  readonly updateBytes: number;
  readonly updateMessages: number;
  /** Summed over the UPDATE exchanges: send to the server's answer (and close). */
  readonly updateMs: number;
  readonly axfrBytes: number;
  readonly axfrMs: number;
  readonly axfrReads: number;
  /** Connections that carried queries (the fence read, the pipelined read-back), and the octets the server sent on them. */
  readonly queries: number;
  readonly queryBytes: number;
}

let providerApplyMs = NaN;
channels.enactApplied.subscribe((message) => (providerApplyMs = (message as { durationMs: number }).durationMs));

const zone: PlanZone = { apex: ZONE, nameservers: ['ns1.example.net.'], negativeTtlSeconds: 5, hostmaster: 'hostmaster.example.net.', records: [] };

/** Publishes `endpoints` as the next plan and runs one enactor step; the sample of that step. */
async function applyOnce(store: Store, enactor: Enactor, counter: WireCounter, endpoints: EndpointTable, parent: bigint | null): Promise<{ generation: bigint; sample: ApplySample }> {
  const createdAtMs = Date.now();
  const draft: PlanDraft = { parentGeneration: parent, createdAtMs, zones: [zone], endpoints, reasons: [], unsettledNames: [] };
  const published = await store.publishPlan({ parentGeneration: parent, createdAtMs, plan: encodePlan(draft) });
  if (published.kind !== 'published') throw new Error(`the plan was not published: ${published.kind}`);
  await counter.take();
  providerApplyMs = NaN;
  const start = nowMs();
  const cpuStart = process.cpuUsage();
  const step = await enactor.step();
  const applyMs = nowMs() - start;
  const cpu = process.cpuUsage(cpuStart);
  const outcome = appliedOrWhy(step, published.generation);
  if (outcome !== undefined) throw new Error(`generation ${published.generation} was not applied: ${outcome}`);
  const tallies = await counter.take();
  const tally = (kind: ExchangeKind): WireTally => tallies.get(kind) ?? { connections: 0, sentOctets: 0, receivedOctets: 0, ms: 0 };
  return {
    generation: published.generation,
    sample: {
      applyMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      providerApplyMs,
      updateBytes: tally('update').sentOctets,
      updateMessages: tally('update').connections,
      updateMs: tally('update').ms,
      axfrBytes: tally('axfr').receivedOctets,
      axfrReads: tally('axfr').connections,
      axfrMs: tally('axfr').ms,
      queries: tally('query').connections,
      queryBytes: tally('query').receivedOctets,
    },
  };
}

/** undefined when the step applied `generation`; else what happened. */
function appliedOrWhy(step: EnactorStep, generation: bigint): string | undefined {
  if (step.kind !== 'enacted') return step.kind === 'store-unavailable' || step.kind === 'refused' ? `${step.kind}: ${step.cause.message}` : step.kind;
  const zoneOutcome = step.zones[0];
  if (zoneOutcome?.kind === 'applied' && zoneOutcome.generation === generation) return undefined;
  return zoneOutcome?.kind === 'unavailable' ? `unavailable: ${zoneOutcome.cause.message}` : JSON.stringify(zoneOutcome, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
}

/** The server must answer name `i` with its address of version `salt` (asked over TCP). */
async function expectServed(server: { readonly address: string; readonly port: number }, i: number, salt: number): Promise<void> {
  const { type, address } = addressOf(i, salt);
  const [qtype, rdata] = type === 'A' ? [RRType.A, parseIPv4(address)] : [RRType.AAAA, parseIPv6(address)];
  const { response } = await exchange(buildQuery(nameOf(i), qtype, { id: systemRandom.uint16() }), server, { transport: 'tcp', timeoutMs: 5000 });
  const served = response.answers.filter((r) => r.type === qtype);
  if (served.length !== 1 || rdata === undefined || Buffer.compare(served[0].rdata, rdata) !== 0) {
    throw new Error(`${nameOf(i)} ${type} is served as [${served.map((r) => rdataToText(qtype, r.rdata)).join(', ')}], not ${address}`);
  }
}

async function benchProvider(kind: Rfc2136ServerKind, dir: string): Promise<void> {
  const server = await startRfc2136Server({ kind, dir: path.join(dir, kind), zones: [ZONE], key: KEY });
  const counter = await WireCounter.start(server);
  const store = openMemoryStore({ clock: systemClock, random: systemRandom });
  try {
    const provider = new Rfc2136Provider({ id: `rfc2136-${kind}`, zones: [ZONE], server: { address: '127.0.0.1', port: counter.port }, key: KEY, timeoutMs: PROVIDER_TIMEOUT_MS });
    const enactor = new Enactor({ clock: systemClock, random: systemRandom, store, providers: [provider], decodePlan, zoneRecordsOf, id: 'bench-enactor', providerTimeoutMs: PROVIDER_TIMEOUT_MS });
    const sinceMs = Date.now();
    let endpoints = EndpointTable.from(Array.from({ length: NAMES }, (_, i) => endpointOf(i, 0, sinceMs)));
    const initial = await applyOnce(store, enactor, counter, endpoints, null);
    await expectServed(server, NAMES - 1, 0);
    const i0 = initial.sample;
    console.log(
      `  ${kind} initial load of ${NAMES} names: apply_ms=${round(i0.applyMs)} cpu_ms=${round(i0.cpuMs)} update_bytes=${i0.updateBytes} update_messages=${i0.updateMessages} update_ms=${round(i0.updateMs)} axfr_bytes=${i0.axfrBytes} axfr_reads=${i0.axfrReads} axfr_ms=${round(i0.axfrMs)}`,
    );
    let generation = initial.generation;
    const samples: ApplySample[] = [];
    for (let repeat = 1; repeat <= REPEATS; repeat++) {
      if (nowMs() - benchStart > TOTAL_BOUND_MS - 30_000) {
        console.log(`  (time bound: ${kind} stopped after ${repeat - 1} of ${REPEATS} repeats)`);
        break;
      }
      const changed = changedIn(repeat);
      endpoints = endpoints.with(changed.map((i) => endpointOf(i, repeat, Date.now())), []);
      const applied = await applyOnce(store, enactor, counter, endpoints, generation);
      generation = applied.generation;
      samples.push(applied.sample);
      await expectServed(server, changed[changed.length - 1], repeat);
    }
    if (samples.length === 0) return;
    const of = (pick: (s: ApplySample) => number): number[] => samples.map(pick);
    console.log(`  ${kind} per repeat: apply_ms ${of((s) => s.applyMs).map(round).join(',')}; cpu_ms ${of((s) => s.cpuMs).map(round).join(',')}; update_ms ${of((s) => s.updateMs).map(round).join(',')}; axfr_ms ${of((s) => s.axfrMs).map(round).join(',')}`);
    console.log(
      [
        `provider=${kind}`,
        p50max('apply_ms', of((s) => s.applyMs)),
        `update_bytes=${round(quantile(of((s) => s.updateBytes), 0.5))}`,
        `update_messages=${round(quantile(of((s) => s.updateMessages), 0.5))}`,
        `axfr_bytes=${round(quantile(of((s) => s.axfrBytes), 0.5))}`,
        `axfr_reads=${round(quantile(of((s) => s.axfrReads), 0.5))}`,
        `query_bytes=${round(quantile(of((s) => s.queryBytes), 0.5))}`,
        `query_connections=${round(quantile(of((s) => s.queries), 0.5))}`,
        p50max('provider_apply_ms', of((s) => s.providerApplyMs)),
        `cpu_ms=${round(quantile(of((s) => s.cpuMs), 0.5))}`,
        `update_ms=${round(quantile(of((s) => s.updateMs), 0.5))}`,
        `axfr_ms=${round(quantile(of((s) => s.axfrMs), 0.5))}`,
        `changed_names=${changedIn(1).length} n=${samples.length}`,
      ].join(' '),
    );
  } finally {
    await store.close();
    await counter.close();
    await server.stop();
  }
}

// ---------------------------------------------------------------- part 2: secondaries of the built-in server

function zoneText(serial: number, saltOf: (i: number) => number): string {
  const lines = [`$ORIGIN ${ZONE}`, '$TTL 300', `@ IN SOA ns1 hostmaster ${serial} 3600 600 1209600 5`, '@ IN NS ns1', 'ns1 IN A 192.0.2.53'];
  for (let i = 0; i < NAMES; i++) {
    const { type, address } = addressOf(i, saltOf(i));
    lines.push(`n${i} IN ${type} ${address}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Polls `server` for ZONE's SOA every SERIAL_POLL_MS until it answers `serial`; ms since `fromMs`. */
async function servedAfter(server: { readonly address: string; readonly port: number }, serial: number, fromMs: number, what: string): Promise<number> {
  for (;;) {
    if ((await servedSerial(server, ZONE, 200)) === serial) return nowMs() - fromMs;
    if (nowMs() - fromMs > PROPAGATION_BOUND_MS) throw new Error(`${what} does not serve serial ${serial} after ${PROPAGATION_BOUND_MS} ms`);
    await sleep(SERIAL_POLL_MS);
  }
}

async function benchSecondaries(dir: string): Promise<void> {
  const zoneFile = path.join(dir, 'apply.bench.test.zone');
  const salts = new Uint8Array(NAMES);
  let serial = 1;
  writeFileSync(zoneFile, zoneText(serial, (i) => salts[i]));
  const ports = await Promise.all(SECONDARIES.map(() => findFreePort()));
  const serve = await startServeProcess([
    '--zone-file', zoneFile, '--port', '0', '--address', '127.0.0.1',
    '--transfer-allow', '127.0.0.1/32', '--tsig-key', KEY_TEXT,
    ...ports.flatMap((port) => ['--notify', `127.0.0.1:${port}`]),
  ]);
  const secondaries: Secondary[] = await Promise.all(
    SECONDARIES.map((kind, i) => startSecondary({ kind, dir: path.join(dir, `secondary-${kind}`), port: ports[i], primary: serve, zones: [ZONE], key: KEY })),
  );
  const answeringAtMs = nowMs();
  const loaded = await Promise.all(secondaries.map((s) => servedAfter(s, serial, answeringAtMs, s.kind)));
  console.log(`  the secondaries serve the ${NAMES}-name zone (first AXFR) ${secondaries.map((s, i) => `${s.kind} +${round(loaded[i])} ms`).join(', ')} after all of them answer queries`);
  const times = new Map<string, number[]>([['primary', []], ...SECONDARIES.map((kind) => [kind, []] as [string, number[]])]);
  const afterPrimary = new Map<string, number[]>(SECONDARIES.map((kind) => [kind, []]));
  for (let repeat = 1; repeat <= REPEATS; repeat++) {
    if (nowMs() - benchStart > TOTAL_BOUND_MS - 15_000) {
      console.log(`  (time bound: stopped after ${repeat - 1} of ${REPEATS} changes)`);
      break;
    }
    for (const i of changedIn(repeat)) salts[i] = repeat;
    serial++;
    writeFileSync(zoneFile, zoneText(serial, (i) => salts[i]));
    const sighupAtMs = nowMs();
    const [reload, primaryMs, ...secondaryMs] = await Promise.all([
      serve.reload(),
      servedAfter(serve, serial, sighupAtMs, 'the primary'),
      ...secondaries.map((s) => servedAfter(s, serial, sighupAtMs, s.kind)),
    ]);
    if (reload !== 'reloaded') throw new Error(`resolute serve refused the reload:\n${serve.stderr().slice(-2000)}`);
    times.get('primary')?.push(primaryMs);
    secondaries.forEach((s, i) => {
      times.get(s.kind)?.push(secondaryMs[i]);
      afterPrimary.get(s.kind)?.push(secondaryMs[i] - primaryMs);
    });
    await sleep(200); // let the secondaries' transfers finish before the next change
  }
  const last = changedIn(REPEATS).at(-1) ?? 0;
  for (const secondary of secondaries) await expectServed(secondary, last, salts[last]);
  const ixfr = serve.stderr().match(/transfer ixfr of apply\.bench\.test\./g)?.length ?? 0;
  const axfr = serve.stderr().match(/transfer axfr of apply\.bench\.test\./g)?.length ?? 0;
  console.log(`primary reload_ms=${round(quantile(times.get('primary') ?? [], 0.5))} reload_ms_max=${round(Math.max(...(times.get('primary') ?? [])))} (SIGHUP → the primary answers the new serial)`);
  for (const kind of SECONDARIES) {
    console.log(`secondary=${kind} ${p50max('propagation_ms', times.get(kind) ?? [])} after_primary_ms=${round(quantile(afterPrimary.get(kind) ?? [], 0.5))} n=${times.get(kind)?.length ?? 0}`);
  }
  console.log(`  transfers served by the primary: ixfr=${ixfr} axfr=${axfr}`);
}

// ---------------------------------------------------------------- main

const dir = mkdtempSync(path.join(tmpdir(), 'resolute-bench-apply-'));
let isCleanedUp = false;
async function cleanup(): Promise<void> {
  if (isCleanedUp) return;
  isCleanedUp = true;
  await stopAllSecondaries(); // each by PID: SIGTERM, SIGKILL after 10 s
  await stopAllServeProcesses();
  await stopAllRfc2136Servers();
  rmSync(dir, { recursive: true, force: true });
}
await runBench('bench:apply', TOTAL_BOUND_MS + 10_000, cleanup, async () => {
  console.log(`bench:apply — ${NAMES} names, ${REPEATS} repeats of a 1 % change (node ${process.version}, temp dir ${dir})`);
  for (const kind of PROVIDERS) await benchProvider(kind, dir);
  if (SECONDARIES.length > 0) await benchSecondaries(dir);
});
