/**
 * Node's own stub resolver (c-ares, `dns.promises.Resolver`) against the real `resolute serve`:
 * every record type it can ask for, and the error codes it maps our RCODEs to.
 */
import assert from 'node:assert/strict';
import { promises as dns } from 'node:dns';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { INTEROP_ZONE, writeInteropZones } from '../../src/testing/interop-zones.js';
import { startServeProcess, stopAllServeProcesses, type ServeProcess } from '../../src/testing/serve-process.js';
import { startZoneServer, type ZoneServer } from '../../src/testing/zone-server.js';

function resolverFor(server: { address: string; port: number }): dns.Resolver {
  const resolver = new dns.Resolver({ timeout: 3_000, tries: 1 });
  resolver.setServers([`${server.address}:${server.port}`]);
  return resolver;
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: NodeJS.ErrnoException) => {
    assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
    return true;
  });
}

describe("Node's dns.Resolver against resolute serve", () => {
  let server: ServeProcess;
  let resolver: dns.Resolver;
  let dir: string;

  before(async () => {
    const zones = await writeInteropZones();
    dir = zones.dir;
    server = await startServeProcess(['--zone-file', zones.interop, '--zone-file', zones.other, '--port', '0']);
    resolver = resolverFor(server);
  });

  after(async () => {
    await stopAllServeProcesses();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('resolve4 gets the A RRset with its TTL', async () => {
    const records = await resolver.resolve4('api.interop.test', { ttl: true });
    assert.deepEqual(records, [
      { address: '192.0.2.10', ttl: 30 },
      { address: '192.0.2.11', ttl: 30 },
    ]);
  });

  it('resolve6 gets the AAAA RRset', async () => {
    assert.deepEqual(await resolver.resolve6('api.interop.test'), ['2001:db8::10']);
  });

  it('resolveMx gets the MX RRset', async () => {
    assert.deepEqual(defined(await resolver.resolveMx('interop.test')), [{ exchange: 'mail.interop.test', priority: 10 }]);
  });

  it('resolveTxt gets a TXT record with spaces, string by string', async () => {
    assert.deepEqual(await resolver.resolveTxt('info.interop.test'), [['Resolute interop zone', 'with spaces in it']]);
  });

  it('resolveSrv gets the SRV RRset', async () => {
    assert.deepEqual(defined(await resolver.resolveSrv('_sip._tcp.interop.test')), [{ name: 'api.interop.test', port: 5060, priority: 10, weight: 60 }]);
  });

  it('resolveCaa gets the CAA RRset', async () => {
    assert.deepEqual(defined(await resolver.resolveCaa('interop.test')), [{ critical: 0, issue: 'letsencrypt.org' }]);
  });

  it('resolveSoa gets the SOA at the apex', async () => {
    assert.deepEqual(defined(await resolver.resolveSoa('interop.test')), {
      nsname: 'ns1.interop.test',
      hostmaster: 'hostmaster.interop.test',
      serial: 2024060101,
      refresh: 3600,
      retry: 600,
      expire: 604800,
      minttl: 60,
    });
  });

  it('resolveNs gets the NS RRset at the apex', async () => {
    assert.deepEqual((await resolver.resolveNs('interop.test')).sort(), ['ns1.interop.test', 'ns2.interop.test']);
  });

  it('resolveCname gets the first CNAME of a chain', async () => {
    assert.deepEqual(await resolver.resolveCname('www.interop.test'), ['web.interop.test']);
  });

  it('resolvePtr gets the PTR RRset', async () => {
    assert.deepEqual(await resolver.resolvePtr('10.rev.interop.test'), ['api.interop.test']);
  });

  it('resolve4 follows an in-zone CNAME chain to the addresses', async () => {
    assert.deepEqual(await resolver.resolve4('www.interop.test'), ['192.0.2.10', '192.0.2.11']);
  });

  it('resolve4 gets an address synthesized from a wildcard', async () => {
    assert.deepEqual(await resolver.resolve4('anything.apps.interop.test'), ['192.0.2.80']);
  });

  it('resolveTxt gets a RRset too large for UDP (c-ares retries over TCP)', async () => {
    const records = await resolver.resolveTxt('big.interop.test');
    assert.equal(records.length, 40);
    assert.deepEqual(records[0], ['record 00 of big, padded to sixty octets'.padEnd(60, '.')]);
  });

  it('resolveAny gets one RRset (RFC 8482)', async () => {
    const records = await resolver.resolveAny('api.interop.test');
    assert.ok(records.length >= 1);
    assert.equal(new Set(records.map((r) => r.type)).size, 1, JSON.stringify(records));
  });

  it('NXDOMAIN is ENOTFOUND', async () => {
    await rejectsWith(resolver.resolve4('nope.interop.test'), 'ENOTFOUND');
  });

  it('a CNAME to a missing name is ENOTFOUND (RFC 6604)', async () => {
    await rejectsWith(resolver.resolve4('dangling.interop.test'), 'ENOTFOUND');
  });

  it('NODATA is ENODATA', async () => {
    await rejectsWith(resolver.resolveMx('api.interop.test'), 'ENODATA');
  });

  it('an empty non-terminal is ENODATA, not ENOTFOUND', async () => {
    await rejectsWith(resolver.resolve4('b.ent.interop.test'), 'ENODATA');
  });

  it('a wildcard without the type is ENODATA', async () => {
    await rejectsWith(resolver.resolve6('anything.apps.interop.test'), 'ENODATA');
  });

  it('a name outside the zones is EREFUSED', async () => {
    await rejectsWith(resolver.resolve4('www.example.com'), 'EREFUSED');
  });

  it('a name below a delegation has no answer here (a referral, AA clear)', async () => {
    await assert.rejects(resolver.resolve4('host.sub.interop.test'), (error: NodeJS.ErrnoException) => {
      assert.ok(['ENODATA', 'ESERVFAIL', 'EREFUSED', 'ENOTFOUND'].includes(error.code ?? ''), String(error.code));
      return true;
    });
  });

  describe('a zone that failed to load', () => {
    let zoneServer: ZoneServer | undefined;
    after(async () => {
      await zoneServer?.stop();
    });

    it('a zone marked unavailable answers SERVFAIL, which is ESERVFAIL', async () => {
      zoneServer = await startZoneServer(INTEROP_ZONE);
      const r = resolverFor(zoneServer);
      assert.deepEqual(await r.resolve4('mail.interop.test'), ['192.0.2.25']);
      zoneServer.setUnavailable();
      await rejectsWith(r.resolve4('api.interop.test'), 'ESERVFAIL');
      await rejectsWith(r.resolve4('nope.interop.test'), 'ESERVFAIL');
    });
  });
});

/**
 * The record objects without the `type` field newer Node versions add to resolveMx, resolveSrv,
 * resolveCaa and resolveSoa results (`'MX'`, or undefined): it says nothing about the answer.
 */
function defined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (key, field: unknown) => (key === 'type' ? undefined : field))) as T;
}
