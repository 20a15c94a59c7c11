import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import type { Clock } from '../base/clock.js';
import { exchange, exchangeMany } from './exchange.js';
import { RRClass, RRType } from './wire/constants.js';
import { buildQuery, parseMessage, serializeMessage } from './wire/message.js';
import type { Message } from './wire/message.js';
import { rdataFromText, rdataToText } from './wire/rdata-text.js';

/** The response a server gives to `query`: `www.test. 60 IN A <address>`, optionally altered. */
function answer(query: Message, address = '192.0.2.1', overrides: Partial<Message> = {}): Uint8Array {
  const rr = { name: 'www.test.', type: RRType.A, class: RRClass.IN, ttlSeconds: 60, rdata: rdataFromText(RRType.A, [address], '.') };
  return serializeMessage({ ...query, qr: true, aa: true, answers: [rr], ...overrides });
}

type Reply = (query: Message) => Uint8Array[];

/** A UDP server on loopback, port 0, answering each query with the datagrams `reply` returns. */
async function udpServer(reply: Reply, type: 'udp4' | 'udp6' = 'udp4'): Promise<{ port: number; received: Promise<void>; close(): void }> {
  const socket = dgram.createSocket(type);
  let onReceived = (): void => {};
  const received = new Promise<void>((resolve) => (onReceived = resolve));
  socket.on('message', (bytes, from) => {
    onReceived();
    for (const out of reply(parseMessage(bytes))) socket.send(out, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, type === 'udp4' ? '127.0.0.1' : '::1', resolve));
  return { port: socket.address().port, received, close: () => socket.close() };
}

/** A TCP server that reads `batch` framed queries, then answers them with `reply`, in the order given by `order`. */
async function tcpServer(
  reply: Reply,
  options: { port?: number; batch?: number; order?: (queries: Message[]) => Message[]; split?: boolean } = {},
): Promise<{ port: number; close(): void }> {
  const server = net.createServer((socket) => {
    let pending = Buffer.alloc(0);
    let queries: Message[] = [];
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        queries.push(parseMessage(pending.subarray(2, 2 + pending.readUInt16BE(0))));
        pending = pending.subarray(2 + pending.readUInt16BE(0));
      }
      if (queries.length < (options.batch ?? 1)) return;
      for (const query of (options.order ?? ((q) => q))(queries)) {
        for (const out of reply(query)) {
          const framed = Buffer.concat([Buffer.from([out.length >> 8, out.length & 0xff]), out]);
          if (options.split === true) {
            // One octet first: the client must reassemble frames across reads.
            socket.write(framed.subarray(0, 1));
            socket.write(framed.subarray(1));
          } else {
            socket.write(framed);
          }
        }
      }
      queries = [];
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

/** A clock whose timers fire only when the test says so: timeouts without waiting. */
function manualClock(): Clock & { fire(): void } {
  let timers: (() => void)[] = [];
  return {
    nowMs: () => 0,
    monotonicMs: () => 0,
    sleep: () => Promise.resolve(),
    after: (_ms, callback) => {
      timers.push(callback);
      return () => (timers = timers.filter((t) => t !== callback));
    },
    fire: () => {
      for (const timer of timers) timer();
    },
  };
}

const stops: (() => void)[] = [];
after(() => stops.forEach((stop) => stop()));

function query(id: number): Message {
  return buildQuery('WWW.test.', RRType.A, { id, edns: true });
}

describe('exchange over UDP', () => {
  it('returns the matching response and the bytes received', async () => {
    const server = await udpServer((q) => [answer(q)]);
    stops.push(server.close);
    const result = await exchange(query(1), { address: '127.0.0.1', port: server.port });
    assert.equal(result.transport, 'udp');
    assert.equal(rdataToText(RRType.A, result.response.answers[0].rdata), '192.0.2.1');
    assert.deepEqual(parseMessage(result.bytes), result.response);
  });

  it('accepts a query given as bytes', async () => {
    const server = await udpServer((q) => [answer(q)]);
    stops.push(server.close);
    const result = await exchange(serializeMessage(query(2)), { address: '127.0.0.1', port: server.port }, { transport: 'udp' });
    assert.equal(result.response.id, 2);
  });

  it('ignores responses with another ID or another question until the right one arrives (RFC 5452 §9.1)', async () => {
    const server = await udpServer((q) => [
      answer({ ...q, id: q.id ^ 1 }, '198.51.100.1'),
      answer({ ...q, questions: [{ ...q.questions[0], name: 'other.test.' }] }, '198.51.100.2'),
      answer({ ...q, questions: [{ ...q.questions[0], type: RRType.AAAA }] }, '198.51.100.3'),
      Uint8Array.of(1, 2, 3),
      answer(q),
    ]);
    stops.push(server.close);
    const result = await exchange(query(3), { address: '127.0.0.1', port: server.port });
    assert.equal(rdataToText(RRType.A, result.response.answers[0].rdata), '192.0.2.1');
  });

  it('matches the question without regard to case (RFC 4343)', async () => {
    const server = await udpServer((q) => [answer({ ...q, questions: [{ ...q.questions[0], name: 'www.TEST.' }] })]);
    stops.push(server.close);
    const result = await exchange(query(4), { address: '127.0.0.1', port: server.port });
    assert.equal(result.response.questions[0].name, 'www.TEST.');
  });

  it('times out on the clock, naming the server and what it ignored', async () => {
    const server = await udpServer((q) => [answer({ ...q, id: q.id ^ 1 })]);
    stops.push(server.close);
    const clock = manualClock();
    const pending = exchange(query(5), { address: '127.0.0.1', port: server.port }, { clock, timeoutMs: 1000 });
    await server.received;
    // Let the mismatched response reach the client before the timer fires.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    clock.fire();
    await assert.rejects(pending, (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ERR_DNS_TIMEOUT');
      assert.match(error.message, /no response within 1000 ms/);
      assert.match(error.message, new RegExp(`udp 127\\.0\\.0\\.1:${server.port}`));
      return true;
    });
  });

  it('rejects with the reason when the signal aborts', async () => {
    const server = await udpServer(() => []);
    stops.push(server.close);
    const controller = new AbortController();
    const pending = exchange(query(6), { address: '127.0.0.1', port: server.port }, { signal: controller.signal });
    await server.received;
    controller.abort(new Error('stop'));
    await assert.rejects(pending, /stop/);
  });

  it('works over IPv6', async (t) => {
    const server = await udpServer((q) => [answer(q)], 'udp6').catch(() => undefined);
    if (server === undefined) return t.skip('no IPv6 loopback here');
    stops.push(server.close);
    const result = await exchange(query(7), { address: '::1', port: server.port });
    assert.equal(result.response.id, 7);
  });
});

describe('exchange with truncation', () => {
  it("retries over TCP when the UDP response has TC set ('auto')", async () => {
    const udp = await udpServer((q) => [answer(q, '192.0.2.1', { tc: true, answers: [] })]);
    stops.push(udp.close);
    const tcp = await tcpServer((q) => [answer(q, '192.0.2.99')], { port: udp.port });
    stops.push(tcp.close);
    const result = await exchange(query(8), { address: '127.0.0.1', port: udp.port });
    assert.equal(result.transport, 'tcp');
    assert.equal(rdataToText(RRType.A, result.response.answers[0].rdata), '192.0.2.99');
  });

  it("returns the truncated response as it is with transport 'udp'", async () => {
    const udp = await udpServer((q) => [answer(q, '192.0.2.1', { tc: true, answers: [] })]);
    stops.push(udp.close);
    const result = await exchange(query(9), { address: '127.0.0.1', port: udp.port }, { transport: 'udp' });
    assert.equal(result.response.tc, true);
  });

  it('retries over TCP when a truncated UDP response was cut mid-record', async () => {
    const udp = await udpServer((q) => {
      const full = answer({ ...q, tc: true });
      return [full.subarray(0, full.length - 3)];
    });
    stops.push(udp.close);
    const tcp = await tcpServer((q) => [answer(q, '192.0.2.98')], { port: udp.port });
    stops.push(tcp.close);
    const result = await exchange(query(10), { address: '127.0.0.1', port: udp.port });
    assert.equal(rdataToText(RRType.A, result.response.answers[0].rdata), '192.0.2.98');
  });
});

describe('exchange over TCP', () => {
  it('reassembles a response split across reads', async () => {
    const tcp = await tcpServer((q) => [answer(q)], { split: true });
    stops.push(tcp.close);
    const result = await exchange(query(11), { address: '127.0.0.1', port: tcp.port }, { transport: 'tcp' });
    assert.equal(result.transport, 'tcp');
    assert.equal(result.response.answers.length, 1);
  });

  it('fails with ERR_DNS_EXCHANGE naming the server when the connection is refused', async () => {
    const tcp = await tcpServer(() => []);
    tcp.close();
    await assert.rejects(exchange(query(12), { address: '127.0.0.1', port: tcp.port }, { transport: 'tcp' }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ERR_DNS_EXCHANGE');
      assert.match(error.message, new RegExp(`tcp 127\\.0\\.0\\.1:${tcp.port}`));
      return true;
    });
  });

  it('fails when the server closes the connection without answering', async () => {
    const server = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stops.push(() => server.close());
    const port = (server.address() as net.AddressInfo).port;
    await assert.rejects(exchange(query(13), { address: '127.0.0.1', port }, { transport: 'tcp' }), /closed the connection after 0 of 1/);
  });
});

describe('exchangeMany', () => {
  it('pipelines queries on one connection and matches responses that arrive out of order', async () => {
    // The server answers only once all three queries are in, and in reverse order.
    const tcp = await tcpServer((q) => [answer(q, `192.0.2.${q.id}`)], { batch: 3, order: (qs) => [...qs].reverse() });
    stops.push(tcp.close);
    const results = await exchangeMany([query(21), query(22), query(23)], { address: '127.0.0.1', port: tcp.port });
    assert.deepEqual(results.map((r) => rdataToText(RRType.A, r.response.answers[0].rdata)), ['192.0.2.21', '192.0.2.22', '192.0.2.23']);
    assert.deepEqual(results.map((r) => r.arrival), [2, 1, 0]);
  });

  it('refuses queries that share an ID', async () => {
    await assert.rejects(exchangeMany([query(1), query(1)], { address: '127.0.0.1', port: 53 }), /distinct IDs/);
  });
});
