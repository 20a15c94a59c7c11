/**
 * bench:client — what an application sees when its name's record set is emptied for 10 s.
 *
 * 1. Start a Resolute DNS server on loopback serving `api.bench.test` (TTL 1 s) and an HTTP
 *    server on 127.0.0.1.
 * 2. Run three HTTP client loops at once, each opening a new connection per request, so each
 *    request looks the name up: Node's own resolver (a dns.promises.Resolver pointed at the
 *    server, no cache — dns.lookup cannot reach a server on a high port), cacheable-lookup over
 *    that same resolver, and resolute/client.
 * 3. After WARM_MS, empty the record set (NOERROR/NODATA) for OUTAGE_MS, then restore it.
 * 4. Print failed requests per loop, then the latency of a cached lookup (p50/p99) of each.
 *
 * Loopback only; stops by itself in well under 60 s.
 */
import dns from 'node:dns';
import http from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import CacheableLookup from 'cacheable-lookup';
import { systemClock } from '../src/base/clock.js';
import { createResolver } from '../src/client/index.js';
import { startZoneServer } from '../src/testing/zone-server.js';

const WARM_MS = 4000;
const OUTAGE_MS = 10_000;
const AFTER_MS = 4000;
const PAUSE_MS = 10;
const LOOKUPS = 50_000;

function zone(withAddress: boolean): string {
  return [
    '$ORIGIN bench.test.',
    '$TTL 1',
    '@ IN SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 1',
    '@ IN NS ns.bench.test.',
    'ns IN A 127.0.0.1',
    // A name with a long TTL, for the cached-lookup latency.
    'stable 300 IN A 127.0.0.1',
    'api IN TXT "the name stays; only its address record set is emptied"',
    withAddress ? 'api IN A 127.0.0.1' : '',
    '',
  ].join('\n');
}

type Callback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** dns.lookup's shape over a dns.promises.Resolver: one query per call, nothing cached. */
function nodeResolverLookup(resolver: dns.promises.Resolver): LookupFunction {
  return ((hostname: string, options: dns.LookupOptions | Callback, callback?: Callback) => {
    const cb = (typeof options === 'function' ? options : callback) as Callback;
    const all = typeof options === 'object' && options.all === true;
    resolver.resolve4(hostname).then(
      (addresses) => (all ? cb(null, addresses.map((address) => ({ address, family: 4 }))) : cb(null, addresses[0], 4)),
      (error: NodeJS.ErrnoException) => cb(error, all ? [] : ''),
    );
  }) as LookupFunction;
}

function request(port: number, lookup: LookupFunction, agent: http.Agent): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: 'api.bench.test', port, path: '/', lookup, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
      res.on('error', () => resolve(false));
    });
    req.on('error', () => resolve(false));
  });
}

async function loop(port: number, lookup: LookupFunction, untilMs: number): Promise<{ requests: number; failed: number }> {
  const agent = new http.Agent({ keepAlive: false });
  let requests = 0;
  let failed = 0;
  while (systemClock.monotonicMs() < untilMs) {
    requests++;
    if (!(await request(port, lookup, agent))) failed++;
    await systemClock.sleep(PAUSE_MS);
  }
  agent.destroy();
  return { requests, failed };
}

/** Latency of `count` sequential lookups of a cached name, in microseconds. */
async function lookupLatency(lookup: LookupFunction, count: number): Promise<{ p50: number; p99: number }> {
  const once = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      lookup('stable.bench.test', {}, (error) => (error ? reject(error) : resolve(Number(process.hrtime.bigint() - started) / 1000)));
    });
  for (let i = 0; i < 1000 && i < count; i++) await once();
  const samples: number[] = [];
  for (let i = 0; i < count; i++) samples.push(await once());
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(count * 0.5)], p99: samples[Math.floor(count * 0.99)] };
}

async function main(): Promise<void> {
  // A guard: whatever happens, this bench ends within a minute.
  systemClock.after(60_000, () => {
    process.stderr.write('bench:client did not finish within 60 s\n');
    process.exit(2);
  });
  const dnsServer = await startZoneServer(zone(true));
  const httpServer = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const httpPort = (httpServer.address() as AddressInfo).port;

  const nodeResolver = new dns.promises.Resolver({ timeout: 1000, tries: 1 });
  nodeResolver.setServers([`127.0.0.1:${dnsServer.port}`]);
  const nodeDefault = nodeResolverLookup(nodeResolver);
  // lookup: false — no fallback to dns.lookup, which would leave loopback for the system's resolver.
  const cacheable = new CacheableLookup({ resolver: nodeResolver as unknown as dns.Resolver, lookup: false } as ConstructorParameters<typeof CacheableLookup>[0]);
  const ours = createResolver({ servers: [`127.0.0.1:${dnsServer.port}`], hostsPath: false });

  const started = systemClock.monotonicMs();
  const untilMs = started + WARM_MS + OUTAGE_MS + AFTER_MS;
  const loops = Promise.all([
    loop(httpPort, ours.lookup, untilMs),
    loop(httpPort, nodeDefault, untilMs),
    loop(httpPort, cacheable.lookup as unknown as LookupFunction, untilMs),
  ]);
  await systemClock.sleep(WARM_MS);
  dnsServer.replaceZone(zone(false));
  process.stderr.write(`record set of api.bench.test emptied for ${OUTAGE_MS / 1000} s\n`);
  await systemClock.sleep(OUTAGE_MS);
  dnsServer.replaceZone(zone(true));
  process.stderr.write('record set restored\n');
  const [o, n, c] = await loops;

  console.log(`requests ours=${o.requests} node_default=${n.requests} cacheable_lookup=${c.requests}`);
  console.log(`failed_requests ours=${o.failed} node_default=${n.failed} cacheable_lookup=${c.failed}`);
  console.log(`stale_answers ours=${ours.counters.staleAnswers} recoveries=${ours.counters.recoveries}`);

  const latency = {
    ours: await lookupLatency(ours.lookup, LOOKUPS),
    cacheable_lookup: await lookupLatency(cacheable.lookup as unknown as LookupFunction, LOOKUPS),
    node_default: await lookupLatency(nodeDefault, 2000),
  };
  for (const [name, { p50, p99 }] of Object.entries(latency)) {
    const note = name === 'node_default' ? ' (no cache: one DNS query per lookup)' : '';
    console.log(`lookup_cached_us ${name} p50=${p50.toFixed(2)} p99=${p99.toFixed(2)}${note}`);
  }

  await ours.close();
  await new Promise<void>((resolve) => httpServer.close(() => resolve()));
  await dnsServer.stop();
}

await main();
