/**
 * `resolute serve` as a process: what it refuses to start with, IPv6, several workers on one
 * port, CHAOS identity answers, and SIGHUP reloads (a bad file keeps the old zones serving).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RRType } from '../../src/dns/wire/constants.js';
import { buildQuery, parseMessage, serializeMessage } from '../../src/dns/wire/message.js';
import { INTEROP_ZONE, writeInteropZones } from '../../src/testing/interop-zones.js';
import { frame, TcpProbe, UdpProbe } from '../../src/testing/raw-dns.js';
import { dig } from '../../src/testing/run-dig.js';
import {
  findFreePort,
  isTcpPortFree,
  isUdpPortFree,
  runServeToExit,
  startServeProcess,
  stopAllServeProcesses,
} from '../../src/testing/serve-process.js';

const SMALL_ZONE = (serial: number, apiAddress: string, extra = ''): string => `$ORIGIN reload.test.
$TTL 300
@    IN SOA ns1 hostmaster ${serial} 3600 600 604800 60
     IN NS  ns1
ns1  IN A   192.0.2.53
api  IN A   ${apiAddress}
${extra}`;

const hasIpv6Loopback = Object.values(networkInterfaces())
  .flat()
  .some((i) => i?.address === '::1');

describe('resolute serve, the command', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'resolute-serve-command-'));
  });

  after(async () => {
    await stopAllServeProcesses();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  describe('zones it refuses: nothing starts', () => {
    async function assertRefused(fileName: string, text: string, expected: RegExp[]): Promise<void> {
      const file = join(dir, fileName);
      await writeFile(file, text);
      const port = await findFreePort();
      const { code, stderr } = await runServeToExit(['--zone-file', file, '--port', String(port)]);
      assert.equal(code, 1, `exit code 1 expected; stderr:\n${stderr}`);
      for (const pattern of expected) assert.match(stderr, pattern);
      assert.doesNotMatch(stderr, /listening on/, stderr);
      assert.equal(await isUdpPortFree('127.0.0.1', port), true, 'no UDP port left bound');
      assert.equal(await isTcpPortFree('127.0.0.1', port), true, 'no TCP port left bound');
    }

    it('a syntax error in a zone file names file:line and the reason, and exits 1', async () => {
      const text = `${SMALL_ZONE(1, '192.0.2.10')}www IN A 192.0.2.300\n`;
      await assertRefused('syntax.zone', text, [/syntax\.zone:7/, /ERR_ZONE_FILE|ERR_RDATA_INVALID/, /192\.0\.2\.300/]);
    });

    it('every error of a file is listed, each with its line', async () => {
      const text = `${SMALL_ZONE(1, '192.0.2.10')}a IN A nonsense\nb IN MX ten mail\nc IN BOGUS x\n`;
      await assertRefused('many.zone', text, [/many\.zone:7/, /many\.zone:8/, /many\.zone:9/]);
    });

    it('a zone with no SOA is refused with a clear error', async () => {
      const text = '$ORIGIN nosoa.test.\n$TTL 300\n@ IN NS ns1\nns1 IN A 192.0.2.53\n';
      await assertRefused('nosoa.zone', text, [/nosoa\.zone/, /SOA/]);
    });

    it('a zone with a record outside its origin is refused, naming file:line', async () => {
      const text = `${SMALL_ZONE(1, '192.0.2.10')}www.example.org. IN A 192.0.2.1\n`;
      await assertRefused('outside.zone', text, [/outside\.zone:7/, /outside its origin/]);
    });

    it('a good zone beside a bad one does not start either', async () => {
      const good = join(dir, 'good.zone');
      await writeFile(good, SMALL_ZONE(1, '192.0.2.10'));
      const bad = join(dir, 'bad.zone');
      await writeFile(bad, `${SMALL_ZONE(1, '192.0.2.10').replace('reload.test.', 'bad.test.')}x IN AAAA 1.2.3.4\n`);
      const { code, stderr } = await runServeToExit(['--zone-file', good, '--zone-file', bad, '--port', '0']);
      assert.equal(code, 1, stderr);
      assert.match(stderr, /bad\.zone:7/);
      assert.doesNotMatch(stderr, /listening on/);
    });

    it('a missing zone file is named, and nothing starts', async () => {
      const { code, stderr } = await runServeToExit(['--zone-file', join(dir, 'absent.zone'), '--port', '0']);
      assert.equal(code, 1, stderr);
      assert.match(stderr, /absent\.zone/);
      assert.doesNotMatch(stderr, /listening on/);
    });
  });

  describe('SIGHUP', () => {
    it('a reload picks up the changed zone file', async () => {
      const file = join(dir, 'reload.zone');
      await writeFile(file, SMALL_ZONE(1, '192.0.2.10'));
      const server = await startServeProcess(['--zone-file', file, '--port', '0']);
      try {
        assert.deepEqual((await dig(server, ['api.reload.test', 'A'])).answer, ['api.reload.test. 300 IN A 192.0.2.10']);
        await writeFile(file, SMALL_ZONE(2, '192.0.2.99', 'added IN TXT "new name"\n'));
        assert.equal(await server.reload(), 'reloaded');
        assert.deepEqual((await dig(server, ['api.reload.test', 'A'])).answer, ['api.reload.test. 300 IN A 192.0.2.99']);
        assert.deepEqual((await dig(server, ['added.reload.test', 'TXT', '+tcp'])).answer, ['added.reload.test. 300 IN TXT "new name"']);
        const soa = await dig(server, ['reload.test', 'SOA']);
        assert.match(soa.answer[0], / 2 3600 600 604800 60$/, soa.text);
      } finally {
        await server.stop();
      }
    });

    it('an invalid zone file on reload keeps the old zone serving', async () => {
      const file = join(dir, 'reload-bad.zone');
      await writeFile(file, SMALL_ZONE(1, '192.0.2.10'));
      const server = await startServeProcess(['--zone-file', file, '--port', '0']);
      try {
        await writeFile(file, `${SMALL_ZONE(2, '192.0.2.99')}broken IN A not-an-address\n`);
        assert.equal(await server.reload(), 'refused');
        assert.match(server.stderr(), /reload-bad\.zone:7/);
        const r = await dig(server, ['api.reload.test', 'A']);
        assert.deepEqual(r.answer, ['api.reload.test. 300 IN A 192.0.2.10'], r.text);
        const soa = await dig(server, ['reload.test', 'SOA', '+tcp']);
        assert.match(soa.answer[0], / 1 3600 600 604800 60$/, soa.text);
        // And a later good file is taken.
        await writeFile(file, SMALL_ZONE(3, '192.0.2.33'));
        assert.equal(await server.reload(), 'reloaded');
        assert.deepEqual((await dig(server, ['api.reload.test', 'A'])).answer, ['api.reload.test. 300 IN A 192.0.2.33']);
      } finally {
        await server.stop();
      }
    });

    it('a SIGHUP sent as soon as the listening line is printed reloads, and does not end the server', async () => {
      const file = join(dir, 'early-hup.zone');
      await writeFile(file, SMALL_ZONE(1, '192.0.2.10'));
      const server = await startServeProcess(['--zone-file', file, '--port', '0']);
      try {
        assert.equal(await server.reload(), 'reloaded');
        assert.equal(server.hasExited, false);
        assert.deepEqual((await dig(server, ['api.reload.test', 'A'])).answer, ['api.reload.test. 300 IN A 192.0.2.10']);
      } finally {
        await server.stop();
      }
    });

    it('SIGTERM stops the server with exit code 0, even sent as soon as it listens', async () => {
      const file = join(dir, 'stop.zone');
      await writeFile(file, SMALL_ZONE(1, '192.0.2.10'));
      const server = await startServeProcess(['--zone-file', file, '--port', '0']);
      assert.equal(await server.stop(), 0);
    });
  });

  describe('CHAOS', () => {
    it('version.bind and id.server are answered with --version-string and --identity', async () => {
      const zones = await writeInteropZones();
      try {
        const server = await startServeProcess([
          '--zone-file', zones.interop, '--port', '0', '--version-string', 'resolute-test 1.0', '--identity', 'ns-a.example',
        ]);
        try {
          for (const options of [['+notcp'], ['+tcp']]) {
            const version = await dig(server, ['version.bind', 'TXT', 'CH', ...options]);
            assert.equal(version.status, 'NOERROR', version.text);
            assert.deepEqual(version.answer, ['version.bind. 0 CH TXT "resolute-test 1.0"'], version.text);
            const id = await dig(server, ['ID.SERVER', 'TXT', 'CH', ...options]);
            assert.deepEqual(id.answer, ['ID.SERVER. 0 CH TXT "ns-a.example"'], id.text);
            const other = await dig(server, ['hostname.bind', 'TXT', 'CH', ...options]);
            assert.equal(other.status, 'REFUSED', other.text);
          }
        } finally {
          await server.stop();
        }
      } finally {
        await rm(zones.dir, { recursive: true, force: true });
      }
    });
  });

  describe('addresses and workers', () => {
    it('serves on the IPv6 loopback with --address ::1, over UDP and TCP', { skip: hasIpv6Loopback ? false : 'no ::1 here' }, async () => {
      const file = join(dir, 'v6.zone');
      await writeFile(file, INTEROP_ZONE);
      const server = await startServeProcess(['--zone-file', file, '--port', '0', '--address', '::1']);
      try {
        assert.equal(server.address, '::1');
        for (const options of [['+notcp'], ['+tcp']]) {
          const r = await dig(server, ['api.interop.test', 'AAAA', ...options]);
          assert.deepEqual(r.answer, ['api.interop.test. 30 IN AAAA 2001:db8::10'], r.text);
          assert.match(r.text, /SERVER: ::1#/, r.text);
        }
      } finally {
        await server.stop();
      }
    });

    it('--workers 2 answers on one port: every one of many UDP and TCP queries is answered', async () => {
      const file = join(dir, 'workers.zone');
      await writeFile(file, INTEROP_ZONE);
      const server = await startServeProcess(['--zone-file', file, '--port', '0', '--workers', '2']);
      const port = server.port;
      try {
        assert.match(server.stderr(), /2 workers/);
        const probe = await UdpProbe.open(server);
        try {
          const total = 1_000;
          // In batches, so a burst cannot overrun a socket buffer on a slow machine.
          for (let start = 0; start < total; start += 100) {
            for (let id = start; id < start + 100; id++) {
              await probe.send(serializeMessage(buildQuery('api.interop.test.', RRType.A, { id })));
            }
            await probe.waitFor(() => new Set(probe.replies.map((r) => r.readUInt16BE(0))).size >= start + 100, 10_000);
          }
          const ids = new Set(probe.replies.map((r) => parseMessage(r).id));
          assert.equal(ids.size, total);
          assert.ok(probe.replies.every((r) => parseMessage(r).answers.length === 2));
        } finally {
          probe.close();
        }
        const connections = await Promise.all(Array.from({ length: 20 }, () => TcpProbe.connect(server)));
        try {
          connections.forEach((c, i) => c.write(frame(serializeMessage(buildQuery('mail.interop.test.', RRType.A, { id: i })))));
          const replies = await Promise.all(connections.map((c) => c.waitForFrames(1, 10_000)));
          assert.deepEqual(
            replies.map(([r]) => parseMessage(r).answers.length),
            connections.map(() => 1),
          );
        } finally {
          for (const c of connections) c.close();
        }
      } finally {
        assert.equal(await server.stop(), 0);
      }
      // The workers went with the primary: the port is free again.
      assert.equal(await isUdpPortFree('127.0.0.1', port), true, 'a worker still holds the UDP port');
    });
  });
});
