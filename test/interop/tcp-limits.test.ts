/**
 * DNS over TCP on the real `resolute serve` (RFC 7766): pipelined queries on one connection,
 * the idle timeout, the caps on concurrent connections (in all and per client address), and the
 * cap on the declared length.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../src/base/clock.js';
import { RRType, typeName } from '../../src/dns/wire/constants.js';
import { buildQuery, parseMessage, serializeMessage } from '../../src/dns/wire/message.js';
import { rdataToText } from '../../src/dns/wire/rdata-text.js';
import { writeInteropZones } from '../../src/testing/interop-zones.js';
import { frame, TcpProbe } from '../../src/testing/raw-dns.js';
import { dig } from '../../src/testing/run-dig.js';
import { startServeProcess, stopAllServeProcesses, type ServeProcess } from '../../src/testing/serve-process.js';

const IDLE_MS = 400;
const CONNECTIONS_MAX = 3;
const PER_CLIENT_MAX = 2;

function query(name: string, type: number, id: number): Uint8Array {
  return serializeMessage(buildQuery(name, type, { id }));
}

/** The answer section of a framed reply, in presentation format. */
function answersOf(reply: Uint8Array): string[] {
  return parseMessage(reply).answers.map((rr) => `${rr.name} ${rr.ttlSeconds} IN ${typeName(rr.type)} ${rdataToText(rr.type, rr.rdata)}`);
}

/** Polls `condition` every 20 ms until it holds, or fails after `timeoutMs`. */
async function eventually(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = systemClock.monotonicMs() + timeoutMs;
  while (!(await condition())) {
    if (systemClock.monotonicMs() > deadline) assert.fail(`not within ${timeoutMs} ms: ${what}`);
    await systemClock.sleep(20);
  }
}

/** Whether a fresh connection (from `localAddress`, when given) is accepted and answers one query. */
async function answersOnNewConnection(server: ServeProcess, localAddress?: string): Promise<boolean> {
  const probe = await TcpProbe.connect(server, 5_000, localAddress);
  try {
    probe.write(frame(query('mail.interop.test.', RRType.A, 7)));
    await probe.waitForFrames(1, 3_000);
    return true;
  } catch {
    return false;
  } finally {
    probe.close();
  }
}

describe('resolute serve over TCP', () => {
  let idleServer: ServeProcess;
  let cappedServer: ServeProcess;
  let perClientServer: ServeProcess;
  let dir: string;

  before(async () => {
    const zones = await writeInteropZones();
    dir = zones.dir;
    [idleServer, cappedServer, perClientServer] = await Promise.all([
      startServeProcess(['--zone-file', zones.interop, '--port', '0', '--tcp-idle-ms', String(IDLE_MS)]),
      startServeProcess(['--zone-file', zones.interop, '--port', '0', '--tcp-connections-max', String(CONNECTIONS_MAX)]),
      startServeProcess(['--zone-file', zones.interop, '--port', '0', '--tcp-connections-per-client-max', String(PER_CLIENT_MAX)]),
    ]);
  });

  after(async () => {
    await stopAllServeProcesses();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('several queries pipelined in one write on one connection are all answered, in order', async () => {
    const probe = await TcpProbe.connect(cappedServer);
    try {
      const names = ['api', 'mail', 'ns1', 'ns2', 'www', 'real.apps', 'x.apps', 'nope', 'big', 'info'];
      const queries = names.map((name, i) => frame(query(`${name}.interop.test.`, name === 'big' || name === 'info' ? RRType.TXT : RRType.A, 100 + i)));
      probe.write(Buffer.concat(queries));
      const replies = await probe.waitForFrames(names.length, 10_000);
      assert.deepEqual(
        replies.map((r) => parseMessage(r).id),
        names.map((_, i) => 100 + i),
      );
      assert.deepEqual(answersOf(replies[0]), ['api.interop.test. 30 IN A 192.0.2.10', 'api.interop.test. 30 IN A 192.0.2.11']);
      assert.equal(parseMessage(replies[7]).rcode, 3, 'nope is NXDOMAIN');
      assert.equal(parseMessage(replies[8]).answers.length, 40, 'the large TXT RRset comes whole over TCP');
      assert.equal(parseMessage(replies[8]).tc, false);
    } finally {
      probe.close();
    }
  });

  it('queries split across many small writes are reassembled and answered', async () => {
    const probe = await TcpProbe.connect(cappedServer);
    try {
      const bytes = Buffer.concat([frame(query('api.interop.test.', RRType.AAAA, 1)), frame(query('mail.interop.test.', RRType.A, 2))]);
      for (let i = 0; i < bytes.length; i += 3) {
        probe.write(bytes.subarray(i, i + 3));
        await systemClock.sleep(1);
      }
      const replies = await probe.waitForFrames(2, 5_000);
      assert.deepEqual(answersOf(replies[0]), ['api.interop.test. 30 IN AAAA 2001:db8::10']);
      assert.deepEqual(answersOf(replies[1]), ['mail.interop.test. 300 IN A 192.0.2.25']);
    } finally {
      probe.close();
    }
  });

  it('an idle connection is closed after --tcp-idle-ms', async () => {
    const probe = await TcpProbe.connect(idleServer);
    const started = systemClock.monotonicMs();
    try {
      await probe.waitForClose(IDLE_MS * 3 + 3_000);
      const elapsed = systemClock.monotonicMs() - started;
      assert.ok(elapsed >= IDLE_MS * 0.8, `closed after ${elapsed} ms, before the idle timeout of ${IDLE_MS} ms`);
    } finally {
      probe.close();
    }
  });

  it('a connection that keeps asking is not closed as idle', async () => {
    const probe = await TcpProbe.connect(idleServer);
    try {
      // Six queries IDLE_MS/2 apart: the connection lives 3 × IDLE_MS while never idle for IDLE_MS.
      for (let i = 0; i < 6; i++) {
        probe.write(frame(query('api.interop.test.', RRType.A, i)));
        await probe.waitForFrames(i + 1, 3_000);
        await systemClock.sleep(IDLE_MS / 2);
      }
      assert.equal(probe.isClosed, false);
    } finally {
      probe.close();
    }
  });

  it('a declared length with fewer octets behind it is closed by the idle timeout, and others are served meanwhile', async () => {
    const stalled = await TcpProbe.connect(idleServer);
    try {
      stalled.write(Uint8Array.from([0x01, 0x00, 1, 2, 3, 4, 5])); // 256 announced, 5 sent
      assert.equal(await answersOnNewConnection(idleServer), true);
      await stalled.waitForClose(IDLE_MS * 3 + 3_000);
      assert.deepEqual(stalled.frames, []);
    } finally {
      stalled.close();
    }
  });

  it('a declared length above the cap closes the connection', async () => {
    const probe = await TcpProbe.connect(cappedServer);
    try {
      probe.write(Uint8Array.from([0x40, 0x01, 0, 0, 0, 0])); // 16,385 announced: above the 16,384 cap
      await probe.waitForClose(5_000);
      assert.deepEqual(probe.frames, []);
    } finally {
      probe.close();
    }
  });

  it('a length of 65535 followed by less does not crash the server, and it still answers others', async () => {
    const probe = await TcpProbe.connect(cappedServer);
    try {
      probe.write(Buffer.concat([Buffer.from([0xff, 0xff]), Buffer.alloc(1_000, 0x41)]));
      await probe.waitForClose(5_000);
    } finally {
      probe.close();
    }
    assert.equal(cappedServer.hasExited, false);
    assert.equal(await answersOnNewConnection(cappedServer), true);
    const r = await dig(cappedServer, ['api.interop.test', 'A']);
    assert.equal(r.answer.length, 2, r.text);
  });

  it('a declared length shorter than a header closes the connection', async () => {
    const probe = await TcpProbe.connect(cappedServer);
    try {
      probe.write(Uint8Array.from([0, 3, 1, 2, 3]));
      await probe.waitForClose(5_000);
      assert.deepEqual(probe.frames, []);
    } finally {
      probe.close();
    }
  });

  it('connections beyond --tcp-connections-max are refused, and accepted again once one closes', async () => {
    // Earlier tests' connections may still be closing on the server side: wait until a new one works.
    await eventually(() => answersOnNewConnection(cappedServer), 5_000, 'a connection is accepted');
    const held: TcpProbe[] = [];
    try {
      for (let i = 0; i < CONNECTIONS_MAX; i++) {
        const probe = await TcpProbe.connect(cappedServer);
        held.push(probe);
        probe.write(frame(query('api.interop.test.', RRType.A, i)));
        await probe.waitForFrames(1, 5_000);
      }
      const extra = await TcpProbe.connect(cappedServer);
      try {
        extra.write(frame(query('api.interop.test.', RRType.A, 99)));
        await extra.waitForClose(5_000);
        assert.deepEqual(extra.frames, [], 'the connection over the cap got no answer');
      } finally {
        extra.close();
      }
      // UDP is not affected by the TCP cap.
      const udp = await dig(cappedServer, ['api.interop.test', 'A', '+notcp']);
      assert.equal(udp.answer.length, 2, udp.text);
      held.pop()?.close();
      await eventually(() => answersOnNewConnection(cappedServer), 5_000, 'a connection is accepted again once one closed');
    } finally {
      for (const probe of held) probe.close();
    }
  });

  it('connections from one client beyond --tcp-connections-per-client-max are refused while another client is served', async () => {
    const held: TcpProbe[] = [];
    try {
      for (let i = 0; i < PER_CLIENT_MAX; i++) {
        const probe = await TcpProbe.connect(perClientServer, 5_000, '127.0.0.1');
        held.push(probe);
        probe.write(frame(query('api.interop.test.', RRType.A, i)));
        await probe.waitForFrames(1, 5_000);
      }
      const extra = await TcpProbe.connect(perClientServer, 5_000, '127.0.0.1');
      try {
        extra.write(frame(query('api.interop.test.', RRType.A, 99)));
        await extra.waitForClose(5_000);
        assert.deepEqual(extra.frames, [], 'the connection over the per-client cap got no answer');
      } finally {
        extra.close();
      }
      // Another loopback address is another client: it is served while 127.0.0.1 is at its cap.
      const other = await TcpProbe.connect(perClientServer, 5_000, '127.0.0.2');
      try {
        other.write(frame(query('api.interop.test.', RRType.A, 100)));
        const [reply] = await other.waitForFrames(1, 5_000);
        assert.deepEqual(answersOf(reply), ['api.interop.test. 30 IN A 192.0.2.10', 'api.interop.test. 30 IN A 192.0.2.11']);
      } finally {
        other.close();
      }
      for (const probe of held) assert.equal(probe.isClosed, false, 'the admitted connections stay open');
    } finally {
      for (const probe of held) probe.close();
    }
    // Once the held connections are gone, 127.0.0.1 is admitted again.
    await eventually(() => answersOnNewConnection(perClientServer, '127.0.0.1'), 5_000, '127.0.0.1 is admitted again');
  });
});
