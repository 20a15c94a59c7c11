import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import dgram from 'node:dgram';
import fc from 'fast-check';
import { systemClock } from '../../base/clock.js';
import { channels } from '../../base/events.js';
import { seededRandom } from '../../base/random.js';
import { EdnsOption, Opcode, RRClass, RRType } from '../wire/constants.js';
import { buildQuery, parseMessage, serializeMessage, type QueryOptions } from '../wire/message.js';
import { parseMasterFile } from '../zone/master-file.js';
import { buildZoneTable } from '../zone/table-builder.js';
import { buildZone } from '../zone/zone.js';
import { answerQuery, type AnswerState } from './answer.js';
import { answerUnusual } from './answer-unusual.js';
import { startDnsServer, type DnsServer } from './dns-server.js';
import { Transport } from './transport.js';

/**
 * Properties of THE query path, on random bytes and on random mutations of valid queries, both
 * through `answerQuery` directly and through a running server over UDP:
 *  - it never throws;
 *  - a packet with QR set never gets a reply (RFC 1035 §4.1.1: never answer a response);
 *  - every reply parses, has QR set and the query's ID, and fits the transport (UDP: 1232
 *    octets at most, 512 without OPT);
 *  - a well-formed query gets the same bytes from the fast path and the slow path;
 *  - afterwards, the server still answers a normal query, and published no query-path error.
 *
 * Bounded in time. A failure prints its seed and the command that replays it:
 * FC_SEED=<seed> FC_PATH=<path> node --test dist/src/dns/server/answer.property.test.js
 */

const FILE = 'dist/src/dns/server/answer.property.test.js';
const TIME_LIMIT_MS = 2_000;

const ZONE = `$ORIGIN prop.test.
$TTL 300
@      3600 IN SOA ns1 hostmaster 1 3600 600 604800 60
       3600 IN NS  ns1
            IN MX  10 mail
            IN CAA 0 issue "ca.example"
ns1         IN A   192.0.2.53
mail        IN A   192.0.2.25
api      30 IN A   192.0.2.10
         30 IN A   192.0.2.11
         30 IN AAAA 2001:db8::10
www         IN CNAME api
ext         IN CNAME elsewhere.example.
loop1       IN CNAME loop2
loop2       IN CNAME loop1
*.wild      IN A   192.0.2.80
_s._tcp     IN SRV 1 2 3 api
txt         IN TXT "a b c" "d"
sub         IN NS  ns.sub
ns.sub      IN A   192.0.2.153
a.b.c       IN A   192.0.2.1
opaque      IN TYPE65534 \\# 2 abcd
`;

function tableOf(text: string) {
  const file = parseMasterFile(text, { file: 'prop.test.zone' });
  return buildZoneTable([buildZone(file.origin, file.records, 'prop.test.zone', file.lines)]);
}

const NAMES = [
  'prop.test.', 'api.prop.test.', 'API.Prop.TEST.', 'www.prop.test.', 'ext.prop.test.', 'loop1.prop.test.', 'x.wild.prop.test.',
  'a.b.wild.prop.test.', '_s._tcp.prop.test.', 'txt.prop.test.', 'sub.prop.test.', 'deep.sub.prop.test.', 'ns.sub.prop.test.',
  'b.c.prop.test.', 'nope.prop.test.', 'example.com.', '.', 'opaque.prop.test.', 'version.bind.',
];
const TYPES = [RRType.A, RRType.AAAA, RRType.NS, RRType.SOA, RRType.CNAME, RRType.MX, RRType.TXT, RRType.SRV, RRType.CAA, RRType.DS, RRType.ANY, 65534, 99];
const EDNS: readonly QueryOptions['edns'][] = [
  false,
  true,
  { udpSize: 512 },
  { udpSize: 4096, dnssecOk: true },
  { options: [{ code: EdnsOption.COOKIE, data: new Uint8Array(8).fill(7) }] },
  { options: [{ code: 65001, data: Uint8Array.of(0xab, 0xcd) }] },
];

/** A well-formed query: any name of the zone or around it, any type, with or without EDNS. */
const validQuery = fc
  .record({
    id: fc.integer({ min: 0, max: 0xffff }),
    name: fc.constantFrom(...NAMES),
    type: fc.constantFrom(...TYPES),
    klass: fc.constantFrom(RRClass.IN, RRClass.IN, RRClass.IN, RRClass.CH, RRClass.ANY),
    rd: fc.boolean(),
    edns: fc.constantFrom(...EDNS),
  })
  .map(({ id, name, type, klass, rd, edns }) => serializeMessage(buildQuery(name, type, { id, rd, class: klass, edns })));

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'append'; bytes: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  // Header fields (flags, counts) deserve more attention than the rest.
  fc.record({ kind: fc.constant('set' as const), at: fc.integer({ min: 2, max: 11 }), value: fc.constantFrom(0, 1, 2, 3, 0x80, 0xff, 0x28) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 24 }) }),
  // A compression pointer somewhere: loops, forward pointers, pointers into the header.
  fc.record({ kind: fc.constant('insert' as const), at: fc.integer({ min: 12, max: 40 }), bytes: fc.integer({ min: 0, max: 60 }).map((to) => Uint8Array.of(0xc0, to)) }),
);

function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = Uint8Array.from(bytes);
  for (const m of mutations) {
    if (m.kind === 'append') {
      out = Uint8Array.from([...out, ...m.bytes]);
      continue;
    }
    if (out.length === 0) continue;
    const at = m.at % out.length;
    if (m.kind === 'flip') out[at] ^= 1 << m.bit;
    else if (m.kind === 'set') out[at] = m.value;
    else if (m.kind === 'truncate') out = out.subarray(0, at);
    else out = Uint8Array.from([...out.subarray(0, at), ...m.bytes, ...out.subarray(at)]);
  }
  return out;
}

/** Random bytes, valid queries, and valid queries mutated 1 to 4 times. */
const packet = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 64 }),
  validQuery,
  fc.tuple(validQuery, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([query, mutations]) => mutate(query, mutations)),
);

function check<T>(property: fc.IProperty<T>, timeLimitMs = TIME_LIMIT_MS): void {
  const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
  const path = process.env.FC_PATH;
  const details = fc.check(property, {
    numRuns: 1_000_000,
    interruptAfterTimeLimit: timeLimitMs,
    markInterruptAsFailure: false,
    ...(seed === undefined ? {} : { seed }),
    ...(path === undefined ? {} : { path }),
  });
  if (details.failed) {
    const replay = `FC_SEED=${details.seed} FC_PATH=${details.counterexamplePath ?? ''} node --test ${FILE}`;
    throw new Error(`${fc.defaultReportMessage(details) ?? 'property failed'}\nreplay: ${replay}`);
  }
  assert.ok(details.numRuns > 100, `only ${details.numRuns} runs in ${timeLimitMs} ms`);
}

const isResponse = (query: Uint8Array): boolean => query.length >= 3 && (query[2] & 0x80) !== 0;

/** What every reply to `query` must satisfy, on `transport`. */
function checkReply(query: Uint8Array, reply: Uint8Array, transport: Transport): void {
  assert.ok(!isResponse(query), 'a packet with QR set got a reply');
  assert.ok(query.length >= 12, `a ${query.length}-octet packet got a reply`);
  const message = parseMessage(reply);
  assert.equal(message.qr, true, 'QR set in the reply');
  assert.equal(message.id, (query[0] << 8) | query[1], "the reply carries the query's ID");
  assert.equal(message.ra, false, 'RA never set');
  if (transport === Transport.UDP) {
    assert.ok(reply.length <= 1232, `UDP reply of ${reply.length} octets`);
    if (message.edns === undefined) assert.ok(reply.length <= 512, `UDP reply without OPT of ${reply.length} octets`);
  }
}

describe('the query path on random and mutated packets', () => {
  const state: AnswerState = {
    table: tableOf(ZONE),
    limits: { udpPayloadMax: 1232, random: seededRandom(1) },
    chaos: new Map([['version.bind.', 'prop 1.0']]),
  };

  it('answerQuery never throws, never answers a response, and every reply parses with the query ID (UDP and TCP)', () => {
    const counts = { replies: 0, silent: 0 };
    check(
      fc.property(packet, fc.constantFrom(Transport.UDP, Transport.TCP), (query, transport) => {
        const reply = answerQuery(query, state, transport);
        if (reply === null) {
          counts.silent++;
          return;
        }
        counts.replies++;
        checkReply(query, reply, transport);
      }),
    );
    assert.ok(counts.replies > 0 && counts.silent > 0, `replies ${counts.replies}, silent ${counts.silent}`);
  });

  it('a packet with QR set never gets a reply, however malformed', () => {
    check(
      fc.property(packet, (query) => {
        if (query.length < 3) return;
        const response = Uint8Array.from(query);
        response[2] |= 0x80;
        assert.equal(answerQuery(response, state, Transport.UDP), null);
        assert.equal(answerQuery(response, state, Transport.TCP), null);
      }),
      1_000,
    );
  });

  it('a well-formed query gets the same bytes from the fast path and from the slow path', () => {
    check(
      fc.property(validQuery, fc.constantFrom(Transport.UDP, Transport.TCP), (query, transport) => {
        const message = parseMessage(query);
        const question = message.questions[0];
        // The slow path alone answers meta types, other classes and CHAOS; compare the rest.
        if (question.class !== RRClass.IN || question.type === RRType.ANY || message.opcode !== Opcode.QUERY) return;
        const fast = answerQuery(query, state, transport);
        const slow = answerUnusual(query, state, transport);
        assert.deepEqual(Buffer.from(slow ?? []).toString('hex'), Buffer.from(fast ?? []).toString('hex'));
      }),
      1_000,
    );
  });
});

describe('a running server on random and mutated packets over UDP', () => {
  let server: DnsServer;
  const errors: unknown[] = [];
  const onError = (event: unknown): void => {
    errors.push(event);
  };

  before(async () => {
    channels.dnsServerError.subscribe(onError);
    server = await startDnsServer({ address: '127.0.0.1', port: 0, table: tableOf(ZONE), random: seededRandom(2) });
  });

  after(async () => {
    channels.dnsServerError.unsubscribe(onError);
    await server?.close();
  });

  it('every reply parses with QR and the ID of a packet that had QR clear, and the server still answers', async () => {
    const seed = process.env.FC_SEED === undefined ? systemClock.nowMs() % 2 ** 31 : Number(process.env.FC_SEED);
    const socket = dgram.createSocket('udp4');
    const replies: Buffer[] = [];
    socket.on('message', (reply) => replies.push(reply));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    socket.setRecvBufferSize(4 * 1024 * 1024);
    const send = (bytes: Uint8Array): Promise<void> =>
      new Promise((resolve, reject) => socket.send(bytes, server.port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    const waitForId = async (id: number, timeoutMs: number): Promise<Buffer> => {
      const deadline = systemClock.monotonicMs() + timeoutMs;
      for (;;) {
        const found = replies.find((r) => r.length >= 2 && r.readUInt16BE(0) === id);
        if (found !== undefined) return found;
        if (systemClock.monotonicMs() > deadline) throw new Error(`no reply to ID ${id} within ${timeoutMs} ms (seed ${seed})`);
        await systemClock.sleep(1);
      }
    };
    try {
      const started = systemClock.monotonicMs();
      let sent = 0;
      let batch = 0;
      // Batches of 200 with distinct IDs, each closed by a sentinel query whose answer says the
      // server has handled the whole batch (one socket, answered in order).
      while (systemClock.monotonicMs() - started < 4_000) {
        const packets = fc.sample(packet, { numRuns: 200, seed: seed + batch });
        const sentById = new Map<number, Uint8Array>();
        replies.length = 0;
        for (const [i, p] of packets.entries()) {
          const bytes = Uint8Array.from(p);
          const id = 1 + i;
          if (bytes.length >= 2) {
            bytes[0] = id >> 8;
            bytes[1] = id & 0xff;
            sentById.set(id, bytes);
          }
          await send(bytes);
        }
        const sentinelId = 0xfff0;
        await send(serializeMessage(buildQuery('api.prop.test.', RRType.A, { id: sentinelId })));
        const sentinel = await waitForId(sentinelId, 5_000);
        assert.equal(parseMessage(sentinel).answers.length, 2, `the server still answers (seed ${seed}, batch ${batch})`);
        const seen = new Set<number>();
        for (const reply of replies) {
          const id = reply.readUInt16BE(0);
          if (id === sentinelId) continue;
          const query = sentById.get(id);
          assert.ok(query !== undefined, `a reply with ID ${id} matches no packet sent (seed ${seed}, batch ${batch})`);
          assert.ok(!seen.has(id), `two replies to ID ${id} (seed ${seed}, batch ${batch})`);
          seen.add(id);
          try {
            checkReply(query, reply, Transport.UDP);
          } catch (error) {
            throw new Error(`packet ${Buffer.from(query).toString('hex')} (seed ${seed}, batch ${batch}): ${String(error)}`);
          }
        }
        sent += packets.length;
        batch++;
      }
      assert.ok(sent >= 200, `${sent} packets sent`);
      assert.deepEqual(errors, [], `the query path published errors (seed ${seed})`);
    } finally {
      socket.close();
    }
  });
});
