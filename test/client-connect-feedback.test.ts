import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo, type LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Agent, request } from 'undici';
import { createConnector, createResolver, ResoluteAgent, ResoluteHttpsAgent } from '../src/client/index.js';

/** A real HTTP server on 127.0.0.1 only, so the same port on 127.0.0.3 refuses. */
async function startHttpServer(): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => res.end(`hello ${req.headers.host}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A resolver whose only source is a hosts file listing a dead address before the live one. */
async function resolverWithHosts(t: { after(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'resolute-client-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const hostsPath = join(dir, 'hosts');
  await writeFile(hostsPath, '127.0.0.3 svc.test\n127.0.0.1 svc.test\n');
  // The server address is never asked: /etc/hosts answers first, as with dns.lookup.
  const resolver = createResolver({ servers: ['127.0.0.1:9'], hostsPath, connectPenaltyMs: 60_000 });
  t.after(() => resolver.close());
  return resolver;
}

function get(url: string, options: http.RequestOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, options, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

test('the http agent skips an address that refused, and tries it last on the next request', async (t) => {
  const server = await startHttpServer();
  t.after(() => server.close());
  const resolver = await resolverWithHosts(t);
  const agent = new ResoluteAgent({ resolver });
  t.after(() => agent.destroy());
  assert.equal(await get(`http://svc.test:${server.port}/`, { agent }), `hello svc.test:${server.port}`);
  assert.equal(resolver.counters.connectFailures, 1);
  assert.equal(await get(`http://svc.test:${server.port}/`, { agent }), `hello svc.test:${server.port}`);
  assert.equal(resolver.counters.connectFailures, 1, 'the refusing address was not tried first again');
  const first = await new Promise<string>((resolve, reject) => resolver.lookup('svc.test', {}, (e, a) => (e ? reject(e) : resolve(a))));
  assert.equal(first, '127.0.0.1', 'lookup itself now answers the address that works first');
});

test('the undici connector skips an address that refused, and tries it last on the next request', async (t) => {
  const server = await startHttpServer();
  t.after(() => server.close());
  const resolver = await resolverWithHosts(t);
  const dispatcher = new Agent({ connect: createConnector(resolver), pipelining: 0 });
  t.after(() => dispatcher.close());
  for (let i = 0; i < 3; i++) {
    const { body } = await request(`http://svc.test:${server.port}/`, { dispatcher, reset: true });
    assert.equal(await body.text(), `hello svc.test:${server.port}`);
  }
  assert.equal(resolver.counters.connectFailures, 1);
});

test('http.get with the resolver as its lookup works like dns.lookup, from /etc/hosts first', async (t) => {
  const server = await startHttpServer();
  t.after(() => server.close());
  const resolver = await resolverWithHosts(t);
  resolver.reportConnect('127.0.0.3', 'refused');
  assert.equal(await get(`http://svc.test:${server.port}/`, { lookup: resolver.lookup, agent: false }), `hello svc.test:${server.port}`);
});

/** A self-signed certificate for svc.test, made by openssl for this run. */
async function certificate(t: { after(fn: () => Promise<void>): void }): Promise<{ key: string; cert: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'resolute-client-tls-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=svc.test', '-addext', 'subjectAltName=DNS:svc.test', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
}

test('https through the agent and the undici connector verifies the certificate for the name, not the address', async (t) => {
  const { key, cert } = await certificate(t);
  const server = https.createServer({ key, cert }, (_req, res) => res.end('secure'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  const resolver = await resolverWithHosts(t);
  const agent = new ResoluteHttpsAgent({ resolver, ca: cert });
  t.after(() => agent.destroy());
  const body = await new Promise<string>((resolve, reject) => {
    https.get(`https://svc.test:${port}/`, { agent }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
  assert.equal(body, 'secure');
  const dispatcher = new Agent({ connect: createConnector(resolver, { tls: { ca: cert } }) });
  t.after(() => dispatcher.close());
  const response = await request(`https://svc.test:${port}/`, { dispatcher });
  assert.equal(await response.body.text(), 'secure');
  assert.equal(resolver.counters.connectFailures, 1, 'the refusing address was learnt once, by the first connection');
});

test('undici with connect.lookup and net.connect take the resolver lookup as it is', async (t) => {
  const server = await startHttpServer();
  t.after(() => server.close());
  const resolver = await resolverWithHosts(t);
  const lookup: LookupFunction = resolver.lookup;
  const dispatcher = new Agent({ connect: { lookup } });
  t.after(() => dispatcher.close());
  const { body } = await request(`http://svc.test:${server.port}/`, { dispatcher });
  assert.equal(await body.text(), `hello svc.test:${server.port}`);
  const socket = net.connect({ host: 'svc.test', port: server.port, lookup: resolver.lookup });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  assert.equal(socket.remoteAddress, '127.0.0.1');
  socket.destroy();
});
