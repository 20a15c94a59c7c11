/**
 * A corpus of malformed packets sent raw to the real `resolute serve`, over UDP and TCP: each
 * gets FORMERR or nothing, as the RFCs say, the server never crashes, never logs a query-path
 * error, never answers a response (QR set), and still answers a normal query afterwards.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { Rcode, RRType } from '../../src/dns/wire/constants.js';
import { buildQuery, parseMessage, serializeMessage } from '../../src/dns/wire/message.js';
import { writeInteropZones } from '../../src/testing/interop-zones.js';
import { frame, TcpProbe, UdpProbe } from '../../src/testing/raw-dns.js';
import { dig } from '../../src/testing/run-dig.js';
import { startServeProcess, stopAllServeProcesses, type ServeProcess } from '../../src/testing/serve-process.js';

type Expected = 'formerr' | 'none' | 'formerr-or-none';

interface Malformed {
  readonly name: string;
  readonly packet: Uint8Array;
  readonly expected: Expected;
}

function queryBytes(name: string, type: number, options: Parameters<typeof buildQuery>[2] = { id: 0 }): Uint8Array {
  return serializeMessage(buildQuery(name, type, options));
}

/** A 12-octet header: ID, flags, then QD/AN/NS/AR counts. */
function header(id: number, flags: number, qd: number, an = 0, ns = 0, ar = 0): number[] {
  return [id >> 8, id & 0xff, flags >> 8, flags & 0xff, 0, qd, 0, an, 0, ns, 0, ar];
}

const TYPE_A_CLASS_IN = [0, 1, 0, 1];
const label = (text: string): number[] => [text.length, ...Buffer.from(text)];

function withCounts(bytes: Uint8Array, counts: { qd?: number; an?: number; ns?: number; ar?: number }): Uint8Array {
  const out = Uint8Array.from(bytes);
  if (counts.qd !== undefined) out[5] = counts.qd;
  if (counts.an !== undefined) out[7] = counts.an;
  if (counts.ns !== undefined) out[9] = counts.ns;
  if (counts.ar !== undefined) out[11] = counts.ar;
  return out;
}

/** An OPT record: root owner, UDP size, TTL (ext-rcode, version, flags), rdata. */
function opt(owner: number[] = [0], rdata: number[] = [], version = 0): number[] {
  return [...owner, 0, 41, 0x04, 0xd0, 0, version, 0, 0, rdata.length >> 8, rdata.length & 0xff, ...rdata];
}

function corpus(): Malformed[] {
  const valid = queryBytes('api.interop.test.', RRType.A);
  const question = [...label('api'), ...label('interop'), ...label('test'), 0, ...TYPE_A_CLASS_IN];
  const long63 = 'x'.repeat(63);
  return [
    { name: 'an empty datagram', packet: new Uint8Array(0), expected: 'none' },
    { name: 'a truncated header (5 octets)', packet: valid.subarray(0, 5), expected: 'formerr-or-none' },
    { name: 'a header of 11 octets', packet: valid.subarray(0, 11), expected: 'formerr-or-none' },
    { name: 'a header of zeros (QDCOUNT 0)', packet: new Uint8Array(12), expected: 'formerr' },
    { name: 'QDCOUNT 0 with flags of a query', packet: Uint8Array.from(header(0, 0x0100, 0)), expected: 'formerr' },
    { name: 'QDCOUNT 1 and no question', packet: Uint8Array.from(header(0, 0, 1)), expected: 'formerr' },
    { name: 'a question cut before its type', packet: valid.subarray(0, valid.length - 3), expected: 'formerr' },
    { name: 'a question name cut before its root label', packet: valid.subarray(0, 20), expected: 'formerr' },
    {
      name: 'QDCOUNT 2',
      packet: Uint8Array.from([...header(0, 0, 2), ...question, ...question]),
      expected: 'formerr',
    },
    {
      name: 'QDCOUNT 2, the second question a pointer to the first',
      packet: Uint8Array.from([...header(0, 0, 2), ...question, 0xc0, 12, ...TYPE_A_CLASS_IN]),
      expected: 'formerr',
    },
    { name: 'ARCOUNT 3 and no records', packet: withCounts(valid, { ar: 3 }), expected: 'formerr' },
    { name: 'ANCOUNT 1 and no record', packet: withCounts(valid, { an: 1 }), expected: 'formerr' },
    { name: 'NSCOUNT 2 and no record', packet: withCounts(valid, { ns: 2 }), expected: 'formerr' },
    { name: 'trailing garbage after the question', packet: Uint8Array.from([...valid, 1, 2, 3]), expected: 'formerr' },
    { name: 'one trailing octet after the question', packet: Uint8Array.from([...valid, 0]), expected: 'formerr' },
    {
      name: 'a label of 64 octets',
      packet: Uint8Array.from([...header(0, 0, 1), 64, ...Buffer.from('a'.repeat(64)), 0, ...TYPE_A_CLASS_IN]),
      expected: 'formerr',
    },
    {
      name: 'a label of type 0x80 (reserved)',
      packet: Uint8Array.from([...header(0, 0, 1), 0x80, ...Buffer.from('a'.repeat(10)), 0, ...TYPE_A_CLASS_IN]),
      expected: 'formerr',
    },
    {
      name: 'a name longer than 255 octets',
      packet: Uint8Array.from([...header(0, 0, 1), ...[1, 2, 3, 4, 5].flatMap(() => label(long63)), 0, ...TYPE_A_CLASS_IN]),
      expected: 'formerr',
    },
    {
      name: 'a compression pointer to itself',
      packet: Uint8Array.from([...header(0, 0, 1), 0xc0, 12, ...TYPE_A_CLASS_IN]),
      expected: 'formerr',
    },
    {
      name: 'a compression pointer loop through a label',
      packet: Uint8Array.from([...header(0, 0, 1), ...label('www'), 0xc0, 12, ...TYPE_A_CLASS_IN]),
      expected: 'formerr',
    },
    {
      name: 'a forward compression pointer',
      packet: Uint8Array.from([...header(0, 0, 1), ...label('www'), 0xc0, 22, ...TYPE_A_CLASS_IN, ...label('x'), 0]),
      expected: 'formerr',
    },
    {
      name: 'a compression pointer in the question into the header',
      packet: Uint8Array.from([...header(0, 0, 1), ...label('www'), 0xc0, 4, ...TYPE_A_CLASS_IN]),
      expected: 'formerr',
    },
    {
      name: 'a compression pointer past the end',
      packet: Uint8Array.from([...header(0, 0, 1), 0xc0, 200, ...TYPE_A_CLASS_IN]),
      expected: 'formerr',
    },
    { name: 'an unknown class (99)', packet: queryBytes('api.interop.test.', RRType.A, { id: 0, class: 99 }), expected: 'formerr' },
    { name: 'a question whose type is OPT', packet: queryBytes('api.interop.test.', RRType.OPT), expected: 'formerr' },
    {
      name: 'a second OPT record',
      packet: Uint8Array.from([...header(0, 0, 1, 0, 0, 2), ...question, ...opt(), ...opt()]),
      expected: 'formerr',
    },
    {
      name: 'an OPT owned by another name than the root',
      packet: Uint8Array.from([...header(0, 0, 1, 0, 0, 1), ...question, ...opt([...label('x'), 0])]),
      expected: 'formerr',
    },
    {
      name: 'an OPT in the answer section',
      packet: Uint8Array.from([...header(0, 0, 1, 1, 0, 0), ...question, ...opt()]),
      expected: 'formerr',
    },
    {
      name: 'an EDNS option that overruns the OPT rdata',
      packet: Uint8Array.from([...header(0, 0, 1, 0, 0, 1), ...question, ...opt([0], [0xfd, 0xe9, 0, 9, 1, 2])]),
      expected: 'formerr',
    },
    {
      name: 'an OPT whose rdata length overruns the message',
      packet: Uint8Array.from([...header(0, 0, 1, 0, 0, 1), ...question, 0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 40, 1]),
      expected: 'formerr',
    },
    { name: 'a query with QR set (a response)', packet: Uint8Array.from([...header(0, 0x8000, 1), ...question]), expected: 'none' },
    {
      name: 'a malformed response (QR set, counts that lie)',
      packet: Uint8Array.from([...header(0, 0x8400, 3, 5, 0, 9), 0xc0, 12]),
      expected: 'none',
    },
    { name: 'a bare response header (QR set, 12 octets)', packet: Uint8Array.from(header(0, 0x8000, 0)), expected: 'none' },
    {
      name: 'a response with opcode UPDATE and a bad name',
      packet: Uint8Array.from([...header(0, 0xa800, 1), 0xc0, 12, ...TYPE_A_CLASS_IN]),
      expected: 'none',
    },
  ];
}

/** Gives a packet the ID `id` (when it is long enough to have one). */
function withId(packet: Uint8Array, id: number): Uint8Array {
  const out = Uint8Array.from(packet);
  if (out.length >= 2) {
    out[0] = id >> 8;
    out[1] = id & 0xff;
  }
  return out;
}

/** Checks a reply to a malformed packet: it parses, it is a response with the query's ID, FORMERR. */
function assertFormerr(reply: Buffer, id: number, what: string): void {
  const message = parseMessage(reply);
  assert.equal(message.qr, true, `${what}: QR set in the reply`);
  assert.equal(message.id, id, `${what}: the reply carries the query's ID`);
  assert.equal(message.rcode, Rcode.FORMERR, `${what}: FORMERR, got rcode ${message.rcode}`);
}

describe('malformed packets sent to resolute serve', () => {
  let server: ServeProcess;
  let dir: string;

  before(async () => {
    const zones = await writeInteropZones();
    dir = zones.dir;
    server = await startServeProcess(['--zone-file', zones.interop, '--port', '0', '--tcp-idle-ms', '2000']);
  });

  after(async () => {
    await stopAllServeProcesses();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  describe('over UDP', () => {
    let probe: UdpProbe;
    before(async () => {
      probe = await UdpProbe.open(server);
    });
    after(() => probe?.close());

    let nextId = 0x1000;
    for (const c of corpus()) {
      it(`${c.name}: ${c.expected === 'none' ? 'no reply at all' : c.expected === 'formerr' ? 'FORMERR' : 'FORMERR or no reply'}`, async () => {
        const id = nextId++;
        const sentinelId = nextId++;
        const before = probe.replies.length;
        await probe.send(withId(c.packet, id));
        // The server answers datagrams in order on one socket: once the sentinel's answer is
        // here, any reply to the malformed packet would be here too. No fixed sleep needed.
        await probe.send(queryBytes('api.interop.test.', RRType.A, { id: sentinelId }));
        const sentinel = await probe.waitFor((reply) => reply.readUInt16BE(0) === sentinelId, 5_000);
        assert.equal(parseMessage(sentinel).answers.length, 2, 'the server still answers a normal query');
        const replies = probe.replies.slice(before).filter((reply) => reply.length < 2 || reply.readUInt16BE(0) !== sentinelId);
        if (c.expected === 'none') {
          assert.deepEqual(replies, [], `${c.name}: no reply expected`);
        } else if (c.expected === 'formerr') {
          assert.equal(replies.length, 1, `${c.name}: exactly one reply expected`);
          assertFormerr(replies[0], id, c.name);
        } else {
          assert.ok(replies.length <= 1, `${c.name}: at most one reply`);
          if (replies.length === 1) assertFormerr(replies[0], id, c.name);
        }
      });
    }

    it('a burst of the whole corpus ten times over leaves the server answering', async () => {
      const packets = corpus();
      for (let round = 0; round < 10; round++) {
        for (const c of packets) await probe.send(withId(c.packet, 0x7000 + round));
      }
      const id = 0x7fff;
      await probe.send(queryBytes('www.interop.test.', RRType.A, { id }));
      const reply = await probe.waitFor((r) => r.readUInt16BE(0) === id, 5_000);
      assert.equal(parseMessage(reply).answers.length, 4);
    });
  });

  describe('over TCP', () => {
    const tcpCases = corpus().filter((c) => c.packet.length >= 12);
    for (const c of tcpCases) {
      it(`${c.name}: ${c.expected === 'none' ? 'no reply, and the next query on the connection is answered' : 'FORMERR or the connection closed'}`, async () => {
        const probe = await TcpProbe.connect(server);
        try {
          const id = 0x2222;
          const nextId = 0x3333;
          probe.write(Buffer.concat([frame(withId(c.packet, id)), frame(queryBytes('api.interop.test.', RRType.A, { id: nextId }))]));
          if (c.expected === 'none') {
            const [reply] = await probe.waitForFrames(1, 5_000);
            assert.equal(reply.readUInt16BE(0), nextId, 'the only reply is to the next, valid query');
            return;
          }
          // FORMERR comes first; the connection may then stay open (and answer the next query)
          // or be closed: both are fine, a crash or a hang is not.
          await Promise.race([probe.waitForFrames(2, 5_000), probe.waitForClose(5_000)]).catch(() => undefined);
          assert.ok(probe.frames.length >= 1 || probe.isClosed, `${c.name}: a reply or a close within 5 s`);
          if (probe.frames.length >= 1) assertFormerr(probe.frames[0], id, c.name);
          if (probe.frames.length >= 2) assert.equal(probe.frames[1].readUInt16BE(0), nextId);
        } finally {
          probe.close();
        }
      });
    }
  });

  it('after every malformed packet the server still answers dig, and logged no query-path error', async () => {
    const r = await dig(server, ['api.interop.test', 'A']);
    assert.equal(r.status, 'NOERROR', r.text);
    assert.equal(r.answer.length, 2, r.text);
    const tcp = await dig(server, ['api.interop.test', 'A', '+tcp']);
    assert.equal(tcp.answer.length, 2, tcp.text);
    assert.equal(server.hasExited, false);
    assert.doesNotMatch(server.stderr(), /(udp|tcp) error/, `the server logged a query-path error:\n${server.stderr()}`);
  });
});

