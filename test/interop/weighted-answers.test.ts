/**
 * Weighted RRsets (`pick: N`): each response carries N records drawn by weight. A table is built
 * in-process with weights (as a plan will build it), served by startDnsServer on loopback, and
 * asked thousands of times by the real dig; the distribution is checked with a chi-square test.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seededRandom } from '../../src/base/random.js';
import { startDnsServer, type DnsServer } from '../../src/dns/server/dns-server.js';
import { RRType } from '../../src/dns/wire/constants.js';
import { buildQuery, parseMessage, serializeMessage } from '../../src/dns/wire/message.js';
import { rdataToText } from '../../src/dns/wire/rdata-text.js';
import { parseMasterFile } from '../../src/dns/zone/master-file.js';
import { buildZoneTable } from '../../src/dns/zone/table-builder.js';
import type { ServedRRset } from '../../src/dns/zone/zone-table.js';
import { buildZone } from '../../src/dns/zone/zone.js';
import { UdpProbe } from '../../src/testing/raw-dns.js';
import { digBatchAnswers } from '../../src/testing/run-dig.js';

const ZONE = `$ORIGIN weighted.test.
$TTL 300
@    IN SOA ns1 hostmaster 1 3600 600 604800 60
     IN NS  ns1
ns1  IN A   192.0.2.53
one  0 IN A 192.0.2.1
     0 IN A 192.0.2.2
     0 IN A 192.0.2.3
     0 IN A 192.0.2.4
two  0 IN A 198.51.100.1
     0 IN A 198.51.100.2
     0 IN A 198.51.100.3
all  0 IN A 203.0.113.1
     0 IN A 203.0.113.2
`;

const WEIGHTS = [1, 2, 3, 4];
/** chi-square with 3 degrees of freedom: P(X > 21.108) = 1e-4, so a correct sampler passes with P > 0.9999. */
const CHI2_DF3_P9999 = 21.108;
const QUERIES = 2_000;
/** The server's sampler seed: fixed, printed on failure, so a failure replays. */
const SEED = Number(process.env.RESOLUTE_TEST_SEED ?? 20240601);

function weightedTable() {
  const file = parseMasterFile(ZONE, { file: 'weighted.test.zone' });
  const zone = buildZone(file.origin, file.records, 'weighted.test.zone', file.lines);
  const rrsets = new Map<string, ReadonlyMap<number, ServedRRset>>(zone.rrsets);
  const weigh = (name: string, rrset: Partial<ServedRRset>): void => {
    const byType = new Map(rrsets.get(name));
    byType.set(RRType.A, { ...(byType.get(RRType.A) as ServedRRset), ...rrset });
    rrsets.set(name, byType);
  };
  weigh('one.weighted.test.', { weights: WEIGHTS, pick: 1 });
  weigh('two.weighted.test.', { weights: [1, 1, 1], pick: 2 });
  weigh('all.weighted.test.', { weights: [1, 5], pick: 2 });
  return buildZoneTable([{ origin: zone.origin, soa: zone.soa, rrsets }]);
}

describe('weighted answers', () => {
  let server: DnsServer;

  before(async () => {
    server = await startDnsServer({ address: '127.0.0.1', port: 0, table: weightedTable(), random: seededRandom(SEED) });
  });

  after(async () => {
    await server?.close();
  });

  it('pick: 1 draws one record per response, in proportion to the weights (chi-square, 2,000 dig queries)', async () => {
    const answers = await digBatchAnswers(server, Array.from({ length: QUERIES }, () => 'one.weighted.test A'));
    assert.equal(answers.length, QUERIES, 'one record per response');
    const counts = new Map<string, number>();
    for (const line of answers) counts.set(line, (counts.get(line) ?? 0) + 1);
    const total = WEIGHTS.reduce((a, b) => a + b, 0);
    let chi2 = 0;
    const table: string[] = [];
    WEIGHTS.forEach((weight, i) => {
      const line = `one.weighted.test. 0 IN A 192.0.2.${i + 1}`;
      const observed = counts.get(line) ?? 0;
      const expected = (QUERIES * weight) / total;
      chi2 += (observed - expected) ** 2 / expected;
      table.push(`${line}: ${observed} (expected ${expected})`);
    });
    assert.equal([...counts.keys()].filter((line) => !/^one\.weighted\.test\. 0 IN A 192\.0\.2\.[1-4]$/.test(line)).length, 0, [...counts.keys()].join('\n'));
    assert.ok(
      chi2 < CHI2_DF3_P9999,
      `chi-square ${chi2.toFixed(2)} ≥ ${CHI2_DF3_P9999} (seed ${SEED}; replay: RESOLUTE_TEST_SEED=${SEED} node --test dist/test/interop/weighted-answers.test.js)\n${table.join('\n')}`,
    );
  });

  it('pick: 2 of 3 gives two distinct records per response, and every pair shows up', async () => {
    const probe = await UdpProbe.open(server);
    try {
      const n = 300;
      for (let id = 0; id < n; id++) await probe.send(serializeMessage(buildQuery('two.weighted.test.', RRType.A, { id })));
      await probe.waitFor(() => probe.replies.length >= n, 10_000);
      const pairs = new Set<string>();
      for (const reply of probe.replies) {
        const message = parseMessage(reply);
        assert.equal(message.aa, true);
        const addresses = message.answers.map((rr) => rdataToText(rr.type, rr.rdata));
        assert.equal(addresses.length, 2, addresses.join(', '));
        assert.equal(new Set(addresses).size, 2, `two distinct records: ${addresses.join(', ')}`);
        pairs.add([...addresses].sort().join(' '));
      }
      assert.deepEqual([...pairs].sort(), ['198.51.100.1 198.51.100.2', '198.51.100.1 198.51.100.3', '198.51.100.2 198.51.100.3'], `seed ${SEED}`);
    } finally {
      probe.close();
    }
  });

  it('pick not below the RRset size serves every record', async () => {
    const answers = await digBatchAnswers(server, ['all.weighted.test A']);
    assert.deepEqual(answers, ['all.weighted.test. 0 IN A 203.0.113.1', 'all.weighted.test. 0 IN A 203.0.113.2']);
  });
});
