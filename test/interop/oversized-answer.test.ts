/**
 * An RRset whose answer is larger than a TCP message can be (a legal zone may hold one) is
 * sent truncated over TCP too, and the server goes on answering: the 16-bit length prefix of
 * RFC 1035 §4.2.2 cannot frame it.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { exchange } from '../../src/dns/exchange.js';
import { RRType } from '../../src/dns/wire/constants.js';
import { buildQuery } from '../../src/dns/wire/message.js';
import { startZoneServer, type ZoneServer } from '../../src/testing/zone-server.js';

const txt = `"${'x'.repeat(240)}"`;
const zoneText = [
  '$ORIGIN big.test.',
  '$TTL 60',
  '@ IN SOA ns1 hostmaster 1 3600 600 1209600 5',
  '@ IN NS ns1',
  'ns1 IN A 192.0.2.1',
  ...Array.from({ length: 300 }, (_, i) => `huge IN TXT ${txt} "${i}"`),
].join('\n');

let server: ZoneServer | undefined;
after(async () => server?.stop());

test('an answer too large for a TCP message is sent with TC set over TCP, and the server keeps answering', async () => {
  server = await startZoneServer(zoneText);
  const at = { address: server.address, port: server.port };
  const big = await exchange(buildQuery('huge.big.test.', RRType.TXT, { id: 7, edns: true }), at, { transport: 'tcp', timeoutMs: 5000 });
  assert.equal(big.response.tc, true);
  assert.equal(big.response.answers.length, 0);
  const udp = await exchange(buildQuery('huge.big.test.', RRType.TXT, { id: 8, edns: true }), at, { transport: 'udp', timeoutMs: 5000 });
  assert.equal(udp.response.tc, true);
  const small = await exchange(buildQuery('ns1.big.test.', RRType.A, { id: 9 }), at, { transport: 'tcp', timeoutMs: 5000 });
  assert.deepEqual(small.response.answers.map((rr) => rr.name), ['ns1.big.test.']);
});
