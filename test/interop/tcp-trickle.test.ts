/**
 * RFC 7766 §6.2.3: a connection is idle when no complete query arrives, not when no byte does.
 * A client that trickles bytes must lose its connection after the idle time all the same.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { seededRandom } from '../../src/base/random.js';
import { startDnsServer, type DnsServer } from '../../src/dns/server/dns-server.js';
import { tableFromText } from '../../src/testing/zone-server.js';

const zoneText = ['$ORIGIN t.test.', '@ 60 IN SOA ns1 hostmaster 1 3600 600 1209600 5', '@ 60 IN NS ns1', 'ns1 60 IN A 192.0.2.1'].join('\n');
let server: DnsServer | undefined;
after(async () => server?.close());

test('a client trickling one byte at a time is cut off after the idle time', async () => {
  server = await startDnsServer({ address: '127.0.0.1', port: 0, table: tableFromText(zoneText), random: seededRandom(1), tcp: { idleMs: 300 } });
  const socket = net.connect(server.port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const started = performance.now();
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now() - started)));
  // A length prefix announcing 100 octets, then one octet every 50 ms: never a whole query.
  socket.write(Buffer.from([0, 100]));
  const trickle = setInterval(() => socket.write(Buffer.from([0])), 50);
  const elapsedMs = await closed;
  clearInterval(trickle);
  assert.ok(elapsedMs < 300 * 3, `closed after ${elapsedMs.toFixed(0)} ms, idle time 300 ms`);
  assert.ok(elapsedMs >= 250, `closed after ${elapsedMs.toFixed(0)} ms, before the idle time`);
});
