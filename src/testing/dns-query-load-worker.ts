/**
 * The worker thread of dns-query-load.ts (see there for the steps): sends A queries at a fixed
 * rate from one UDP socket, matches responses by ID and source, times them, counts losses.
 */
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { RRType, rcodeName } from '../dns/wire/constants.js';
import { buildQuery, serializeMessage } from '../dns/wire/message.js';
import type { DnsQueryLoadReport, DnsQueryLoadWorkerData, SlowQuery } from './dns-query-load.js';

interface InFlight {
  readonly sentAt: number;
  readonly server: number;
  readonly name: number;
}

const options = workerData as DnsQueryLoadWorkerData;
const port = parentPort;
if (port === null) throw new Error('dns-query-load-worker.js runs as a worker thread only');

const timeoutMs = options.timeoutMs ?? 1000;
const burstMax = options.burstMax ?? 50;
const wallAt = (t: number): number => performance.timeOrigin + t;
const queries = options.names.map((name) => serializeMessage(buildQuery(name, RRType.A, { id: 0 })));
const mustAnswer = options.names.map((name) => options.mustAnswer.includes(name));
const servers = options.servers.map((s) => ({ ...s, label: `${s.address}:${s.port}` }));
const serverIndex = new Map(servers.map((s, i) => [s.label, i]));

const socket = dgram.createSocket('udp4');
socket.on('error', () => undefined); // a send error leaves the query to time out: it is lost
await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
socket.setRecvBufferSize(4 * 1024 * 1024);

const inFlight = new Map<number, InFlight>();
const latencies: number[] = [];
const rcodes: Record<string, number> = {};
const slow: SlowQuery[] = [];
const worstPer100Ms: number[] = [];
let sent = 0;
/** Sends due so far (sent + skipped). */
let scheduled = 0;
let skipped = 0;
let answered = 0;
let lost = 0;
let late = 0;
let emptyAnswers = 0;
let firstLostAt: number | undefined;
let lastLostAt: number | undefined;
let nextId = 1;
let isStopping = false;
const startedAt = performance.now();
let lastSendAt = startedAt;

const noteWorst = (sentAt: number, latencyMs: number): void => {
  const bucket = Math.floor((sentAt - startedAt) / 100);
  while (worstPer100Ms.length <= bucket) worstPer100Ms.push(0);
  worstPer100Ms[bucket] = Math.max(worstPer100Ms[bucket], latencyMs);
};
const noteSlow = (query: SlowQuery): void => {
  slow.push(query);
  if (slow.length > 40) {
    slow.sort((a, b) => Number(b.isLost) - Number(a.isLost) || b.latencyMs - a.latencyMs);
    slow.length = 10;
  }
};

socket.on('message', (message, remote) => {
  const now = performance.now();
  if (message.length < 12) return;
  const id = message.readUInt16BE(0);
  const query = inFlight.get(id);
  if (query === undefined || serverIndex.get(`${remote.address}:${remote.port}`) !== query.server) {
    late++;
    return;
  }
  inFlight.delete(id);
  answered++;
  const latencyMs = now - query.sentAt;
  latencies.push(latencyMs);
  noteWorst(query.sentAt, latencyMs);
  if (latencyMs > 20) noteSlow({ sentAtMs: wallAt(query.sentAt), latencyMs, name: options.names[query.name], server: servers[query.server].label, isLost: false });
  const rcode = rcodeName(message[3] & 0x0f);
  rcodes[rcode] = (rcodes[rcode] ?? 0) + 1;
  if (mustAnswer[query.name] && message.readUInt16BE(6) === 0) emptyAnswers++;
});

const send = (): void => {
  const serverAt = sent % servers.length;
  const nameAt = Math.floor(sent / servers.length) % queries.length;
  let id = nextId;
  while (inFlight.has(id)) id = (id + 1) & 0xffff; // more than 65,535 in flight cannot happen at the rates used
  nextId = (id + 1) & 0xffff;
  const bytes = Buffer.from(queries[nameAt]);
  bytes.writeUInt16BE(id, 0);
  const sentAt = performance.now();
  inFlight.set(id, { sentAt, server: serverAt, name: nameAt });
  sent++;
  lastSendAt = sentAt;
  socket.send(bytes, servers[serverAt].port, servers[serverAt].address);
};

const expire = (now: number): void => {
  for (const [id, query] of inFlight) {
    if (now - query.sentAt < timeoutMs) continue;
    inFlight.delete(id);
    lost++;
    firstLostAt ??= query.sentAt;
    lastLostAt = Math.max(lastLostAt ?? query.sentAt, query.sentAt);
    noteWorst(query.sentAt, timeoutMs);
    noteSlow({ sentAtMs: wallAt(query.sentAt), latencyMs: timeoutMs, name: options.names[query.name], server: servers[query.server].label, isLost: true });
  }
};

const ticker = setInterval(() => {
  const now = performance.now();
  if (!isStopping && now - startedAt > (options.maxDurationMs ?? 120_000)) isStopping = true;
  if (!isStopping) {
    const due = Math.floor(((now - startedAt) * options.ratePerSecond) / 1000) - scheduled;
    for (let i = 0; i < Math.min(due, burstMax); i++) send();
    if (due > burstMax) skipped += due - burstMax; // behind: the rest are skipped, not sent late in a burst
    scheduled += Math.max(due, 0);
  }
  expire(now);
}, 1);

const quantile = (sorted: readonly number[], q: number): number => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);

port.on('message', (message: { kind: string }) => {
  if (message.kind !== 'stop') return;
  isStopping = true;
  const finish = (): void => {
    expire(performance.now());
    if (inFlight.size > 0) {
      setTimeout(finish, 10);
      return;
    }
    clearInterval(ticker);
    socket.close();
    const sorted = Float64Array.from(latencies).sort();
    const all = Array.from(sorted);
    slow.sort((a, b) => Number(b.isLost) - Number(a.isLost) || b.latencyMs - a.latencyMs);
    const report: DnsQueryLoadReport = {
      sent,
      skipped,
      answered,
      lost,
      late,
      rcodes,
      emptyAnswers,
      p50Ms: quantile(all, 0.5),
      p99Ms: quantile(all, 0.99),
      p999Ms: quantile(all, 0.999),
      maxMs: all.at(-1) ?? 0,
      ...(firstLostAt === undefined || lastLostAt === undefined ? {} : { lostSentBetweenMs: [wallAt(firstLostAt), wallAt(lastLostAt)] as const }),
      durationMs: lastSendAt - startedAt,
      slowest: slow.slice(0, 10),
      worstPer100Ms,
    };
    port.postMessage({ kind: 'report', report });
  };
  finish();
});

port.postMessage({ kind: 'started' });
