import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import diagnosticsChannel from 'node:diagnostics_channel';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { Agent, request } from 'undici';
import { systemClock } from '../src/base/clock.js';
import { createConnector, createResolver, type Resolver, type ResolverOptions } from '../src/client/index.js';
import { startZoneServer } from '../src/testing/zone-server.js';

// The zone is changed under the client as in October 2025: the record set emptied (NODATA),
// the name removed (NXDOMAIN), the zone failing (SERVFAIL), the server gone, then back.

function zone(records: string): string {
  return [
    '$ORIGIN client.test.',
    '$TTL 30',
    '@ IN SOA ns.client.test. hostmaster.client.test. 1 3600 600 86400 1',
    '@ IN NS ns.client.test.',
    'ns IN A 127.0.0.1',
    records,
    '',
  ].join('\n');
}

const withApi = (address: string): string => zone(`api IN A ${address}\napi IN TXT "kept"`);
/** The name exists (TXT) but its address record set is empty: NOERROR/NODATA. */
const apiEmptied = zone('api IN TXT "kept"');
/** The name is gone: NXDOMAIN. */
const apiRemoved = zone('other IN TXT "x"');

async function startHttpServer(address: string, body: string, port = 0): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => res.end(body));
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, address, () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function httpGet(url: string, resolver: Resolver): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { lookup: resolver.lookup, agent: false }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

async function undiciGet(url: string, dispatcher: Agent): Promise<string> {
  const { body } = await request(url, { dispatcher, reset: true });
  return body.text();
}

function lookupOne(resolver: Resolver, hostname: string): Promise<string> {
  return new Promise((resolve, reject) => resolver.lookup(hostname, {}, (error, address) => (error ? reject(error) : resolve(address))));
}

/** Polls `check` every 20 ms until it holds, for at most `ms`. */
async function eventually(what: string, ms: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = systemClock.monotonicMs() + ms;
  while (!(await check())) {
    if (systemClock.monotonicMs() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await systemClock.sleep(20);
  }
}

function recordEvents(t: TestContext, channel: string): Array<Record<string, unknown>> {
  const seen: Array<Record<string, unknown>> = [];
  const onMessage = (message: unknown): void => void seen.push(message as Record<string, unknown>);
  diagnosticsChannel.subscribe(channel, onMessage);
  t.after(() => diagnosticsChannel.unsubscribe(channel, onMessage));
  return seen;
}

/** Small times so each phase takes milliseconds: TTLs are capped at 0, so every lookup asks. */
function fastOptions(port: number, extra: ResolverOptions = {}): ResolverOptions {
  return {
    servers: [`127.0.0.1:${port}`],
    hostsPath: false,
    maxTtlSeconds: 0,
    timeoutMs: 200,
    attempts: 1,
    reaskBackoff: { minMs: 20, maxMs: 50 },
    ...extra,
  };
}

test('http.get and undici keep working while the zone answers NODATA, NXDOMAIN, SERVFAIL and nothing, and use the new address once it is back', async (t) => {
  const first = await startHttpServer('127.0.0.1', 'first');
  t.after(() => first.close());
  const second = await startHttpServer('127.0.0.2', 'second', first.port);
  t.after(() => second.close());
  const dns = await startZoneServer(withApi('127.0.0.1'));
  t.after(() => dns.stop());
  const resolver = createResolver(fastOptions(dns.port));
  t.after(() => resolver.close());
  const dispatcher = new Agent({ connect: createConnector(resolver) });
  t.after(() => dispatcher.close());
  const stale = recordEvents(t, 'resolute:client:stale');
  const url = `http://api.client.test:${first.port}/`;
  const bothGet = async (): Promise<string[]> => [await httpGet(url, resolver), await undiciGet(url, dispatcher)];

  assert.deepEqual(await bothGet(), ['first', 'first']);
  assert.equal(resolver.counters.staleAnswers, 0);

  const phases: Array<[string, () => void | Promise<void>, string]> = [
    ['the record set emptied', () => dns.replaceZone(apiEmptied), 'nodata'],
    ['the name removed', () => dns.replaceZone(apiRemoved), 'nxdomain'],
    ['the zone failing', () => dns.setUnavailable(), 'servfail'],
    ['the server stopped', () => dns.stop(), 'unreachable|timeout'],
  ];
  for (const [what, change, reason] of phases) {
    await change();
    await eventually(`a stale answer for ${reason} (${what})`, 2000, async () => {
      await bothGet();
      return stale.some((e) => new RegExp(`^(${reason})$`).test(String(e.reason)));
    });
    for (let i = 0; i < 3; i++) assert.deepEqual(await bothGet(), ['first', 'first'], what);
  }
  assert.ok(resolver.counters.staleAnswers > 0);
  assert.deepEqual(stale[0].addresses, ['127.0.0.1']);
  assert.equal(stale[0].hostname, 'api.client.test');

  await dns.restart();
  dns.replaceZone(withApi('127.0.0.2'));
  await eventually('requests reach the new address', 3000, async () => (await bothGet()).every((body) => body === 'second'));
  const staleBefore = resolver.counters.staleAnswers;
  for (let i = 0; i < 5; i++) assert.deepEqual(await bothGet(), ['second', 'second']);
  assert.equal(resolver.counters.staleAnswers, staleBefore, 'no stale answer once good answers return');
  assert.ok(resolver.counters.recoveries >= 1);
});

test('a last-known-good answer is served for staleMsMax past its TTL and no longer', async (t) => {
  const dns = await startZoneServer(withApi('127.0.0.1'));
  t.after(() => dns.stop());
  const resolver = createResolver(fastOptions(dns.port, { staleMsMax: 300 }));
  t.after(() => resolver.close());
  assert.equal(await lookupOne(resolver, 'api.client.test'), '127.0.0.1');
  dns.replaceZone(apiRemoved);
  const started = systemClock.monotonicMs();
  assert.equal(await lookupOne(resolver, 'api.client.test'), '127.0.0.1');
  await eventually('the stale window ends', 2000, () => lookupOne(resolver, 'api.client.test').then(() => false, () => true));
  assert.ok(systemClock.monotonicMs() - started >= 250, 'the answer was served stale for about staleMsMax');
  await assert.rejects(lookupOne(resolver, 'api.client.test'), { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'api.client.test' });
});

test('a refresh slower than staleAnswerAfterMs gets the last-known-good answer without waiting for it (RFC 8767 client response timer)', async (t) => {
  const dns = await startZoneServer(withApi('127.0.0.1'));
  t.after(() => dns.stop());
  const resolver = createResolver(fastOptions(dns.port, { timeoutMs: 3000, staleAnswerAfterMs: 50 }));
  t.after(() => resolver.close());
  const stale = recordEvents(t, 'resolute:client:stale');
  assert.equal(await lookupOne(resolver, 'api.client.test'), '127.0.0.1');
  await dns.stop();
  // The same port now takes every query and answers none: a server that hangs.
  const silent = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => silent.bind(dns.port, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => silent.close(() => resolve())));
  const started = systemClock.monotonicMs();
  assert.equal(await lookupOne(resolver, 'api.client.test'), '127.0.0.1');
  const waitedMs = systemClock.monotonicMs() - started;
  assert.ok(waitedMs >= 40 && waitedMs < 1000, `waited ${waitedMs} ms`);
  assert.equal(stale.at(-1)?.reason, 'pending');
  assert.equal(await lookupOne(resolver, 'api.client.test'), '127.0.0.1', 'later callers get it at once');
});

test('a name that never resolved fails with ENOTFOUND (NXDOMAIN, NODATA) or EAI_AGAIN (SERVFAIL) as dns.lookup does', async (t) => {
  const dns = await startZoneServer(withApi('127.0.0.1'));
  t.after(() => dns.stop());
  const resolver = createResolver(fastOptions(dns.port));
  t.after(() => resolver.close());
  const notFound = { code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo' };
  await assert.rejects(lookupOne(resolver, 'never.client.test'), { ...notFound, hostname: 'never.client.test', message: 'getaddrinfo ENOTFOUND never.client.test' });
  await assert.rejects(lookupOne(resolver, 'not..a.name'), { ...notFound, hostname: 'not..a.name' });
  const viaPromisify = promisify(resolver.lookup) as unknown as (hostname: string) => Promise<{ address: string; family: number }>;
  assert.deepEqual(await viaPromisify('api.client.test'), { address: '127.0.0.1', family: 4 });
  dns.replaceZone(apiEmptied);
  const fresh = createResolver(fastOptions(dns.port));
  t.after(() => fresh.close());
  await assert.rejects(lookupOne(fresh, 'api.client.test'), { ...notFound, hostname: 'api.client.test' });
  dns.setUnavailable();
  await assert.rejects(lookupOne(fresh, 'other.client.test'), { code: 'EAI_AGAIN', errno: -3001, syscall: 'getaddrinfo' });
  await assert.rejects(fresh.resolve('never.client.test', 'A'), { code: 'ESERVFAIL', syscall: 'queryA' });
  assert.equal(fresh.counters.staleAnswers, 0);
});

test('an alternate name answers when a name has neither a fresh nor a last-known-good answer', async (t) => {
  const server = await startHttpServer('127.0.0.1', 'west');
  t.after(() => server.close());
  const dns = await startZoneServer(zone('db-west IN A 127.0.0.1'));
  t.after(() => dns.stop());
  const resolver = createResolver(fastOptions(dns.port, { negativeTtlMsMax: 50, alternates: { 'db-east.client.test': ['db-nowhere.client.test', 'db-west.client.test'] } }));
  t.after(() => resolver.close());
  const used = recordEvents(t, 'resolute:client:alternate');
  assert.equal(await httpGet(`http://db-east.client.test:${server.port}/`, resolver), 'west');
  assert.equal(resolver.counters.alternateAnswers, 1);
  assert.deepEqual(used, [{ hostname: 'db-east.client.test', alternate: 'db-west.client.test', addresses: ['127.0.0.1'], reason: 'nxdomain' }]);
  dns.replaceZone(zone('db-west IN A 127.0.0.1\ndb-east IN A 127.0.0.3'));
  await eventually('the name itself answers again', 2000, async () => (await lookupOne(resolver, 'db-east.client.test')) === '127.0.0.3');
});

test('last-known-good answers kept in persistPath let a restarted client resolve during the outage', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'resolute-client-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const persistPath = join(dir, 'last-known-good.json');
  const dns = await startZoneServer(withApi('127.0.0.1'));
  t.after(() => dns.stop());
  const before = createResolver(fastOptions(dns.port, { persistPath }));
  assert.equal(await lookupOne(before, 'api.client.test'), '127.0.0.1');
  await before.close();
  assert.equal(before.counters.persistWrites, 1, JSON.stringify(before.counters));
  dns.replaceZone(apiEmptied);
  const after = createResolver(fastOptions(dns.port, { persistPath }));
  t.after(() => after.close());
  assert.equal(await lookupOne(after, 'api.client.test'), '127.0.0.1');
  assert.equal(after.counters.staleAnswers, 1);
});

test('resolve gives addresses with their TTL, and stale ones with the RFC 8767 stale TTL', async (t) => {
  const dns = await startZoneServer(withApi('127.0.0.1'));
  t.after(() => dns.stop());
  const resolver = createResolver({ servers: [`127.0.0.1:${dns.port}`], hostsPath: false, staleTtlSeconds: 30 });
  t.after(() => resolver.close());
  const [fresh] = await resolver.resolve('api.client.test', 'A');
  assert.equal(fresh.address, '127.0.0.1');
  assert.ok(fresh.ttl >= 29 && fresh.ttl <= 30, `ttl ${fresh.ttl}`);
  await assert.rejects(resolver.resolve('api.client.test', 'AAAA'), { code: 'ENODATA', syscall: 'queryAaaa' });
  const expiring = createResolver(fastOptions(dns.port, { staleTtlSeconds: 30 }));
  t.after(() => expiring.close());
  assert.deepEqual(await expiring.resolve('api.client.test'), [{ address: '127.0.0.1', ttl: 0 }]);
  dns.replaceZone(apiEmptied);
  assert.deepEqual(await expiring.resolve('api.client.test'), [{ address: '127.0.0.1', ttl: 30 }]);
  assert.equal(expiring.counters.staleAnswers, 1);
});

test('lookup follows family, all and order as dns.lookup does, and a cached answer sends no query', async (t) => {
  const dns = await startZoneServer(zone('dual IN A 127.0.0.1\ndual IN AAAA ::1\nwww IN CNAME dual'));
  t.after(() => dns.stop());
  const resolver = createResolver({ servers: [`127.0.0.1:${dns.port}`], hostsPath: false, search: ['client.test'], ndots: 1 });
  t.after(() => resolver.close());
  const call = (hostname: string, options: object | number): Promise<unknown[]> =>
    new Promise((resolve, reject) => (resolver.lookup as (h: string, o: unknown, cb: (e: Error | null, ...r: unknown[]) => void) => void)(hostname, options, (error, ...rest) => (error ? reject(error) : resolve(rest))));
  assert.deepEqual(await call('dual.client.test', { all: true }), [[{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }]]);
  assert.deepEqual(await call('dual.client.test', { all: true, order: 'ipv6first' }), [[{ address: '::1', family: 6 }, { address: '127.0.0.1', family: 4 }]]);
  assert.deepEqual(await call('dual.client.test', { family: 6 }), ['::1', 6]);
  assert.deepEqual(await call('dual.client.test', 4), ['127.0.0.1', 4]);
  assert.deepEqual(await call('dual.client.test', { verbatim: true }), ['127.0.0.1', 4]);
  assert.deepEqual(await call('www', {}), ['127.0.0.1', 4], 'the search list and the CNAME are followed');
  assert.deepEqual(await call('127.0.0.9', { all: true }), [[{ address: '127.0.0.9', family: 4 }]]);
  const queries = resolver.counters.dnsQueries;
  const hits = resolver.counters.cacheHits;
  assert.deepEqual(await call('dual.client.test', {}), ['127.0.0.1', 4]);
  assert.equal(resolver.counters.dnsQueries, queries);
  assert.equal(resolver.counters.cacheHits, hits + 1);
});
