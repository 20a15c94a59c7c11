import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../base/clock.js';
import { seededRandom } from '../../base/random.js';
import { tableFromText } from '../../testing/zone-server.js';
import { exchange } from '../exchange.js';
import { startDnsServer, type DnsServer } from '../server/dns-server.js';
import { Rcode, RRClass, RRType } from '../wire/constants.js';
import { buildQuery } from '../wire/message.js';
import type { ResourceRecord } from '../wire/record.js';
import { parseTsigKey } from '../wire/tsig-key.js';
import { rdataFromText } from '../wire/rdata-text.js';
import { updateZoneTable } from '../zone/table-builder.js';
import type { ZoneTable } from '../zone/zone-table.js';
import { requestZoneTransfer } from './transfer-client.js';
import { condenseDiffs, diffOfChanges, diffZoneTables, type ZoneDiff } from './zone-diff.js';
import { ZoneJournal } from './zone-journal.js';
import { ZoneTransfers } from './zone-transfers.js';

const key = parseTsigKey(`unit-key:hmac-sha256:${Buffer.from('unit test key of thirty-two octs').toString('base64')}`, 'test');
const zone = (serial: number, extra: string): string =>
  `$ORIGIN unit.test.\n$TTL 60\n@ IN SOA ns1 hostmaster ${serial} 3600 600 1209600 60\n IN NS ns1\nns1 IN A 192.0.2.53\n${extra}`;

const text = (r: ResourceRecord): string => `${r.name} ${r.type} ${Buffer.from(r.rdata).toString('hex')}`;

describe('the zone journal', () => {
  it('answers a known serial with one condensed diff, the current serial with the SOA, and anything else with unknown', () => {
    const journal = new ZoneJournal(3);
    const tables = [1, 2, 3, 4].map((s) => tableFromText(zone(s, s === 1 ? 'a IN A 192.0.2.1\n' : s === 2 ? 'b IN A 192.0.2.2\n' : `b IN A 192.0.2.2\nc${s} IN A 192.0.2.${s}\n`)));
    for (let i = 1; i < tables.length; i++) journal.record(diffZoneTables(tables[i - 1], tables[i], 'unit.test.') as ZoneDiff);
    assert.equal(journal.since('unit.test.', 4, 4).kind, 'current');
    assert.equal(journal.since('unit.test.', 5, 4).kind, 'current', 'a newer client serial is answered with the SOA');
    assert.equal(journal.since('unit.test.', 0, 4).kind, 'unknown');
    const answer = journal.since('unit.test.', 1, 4);
    assert.equal(answer.kind, 'diff');
    if (answer.kind !== 'diff') return;
    // a removed, b added, c3 added then removed (gone from the condensed diff), c4 added.
    assert.deepEqual(answer.diff.removed.map((r) => r.name), ['a.unit.test.']);
    assert.deepEqual(answer.diff.added.map((r) => r.name).sort(), ['b.unit.test.', 'c4.unit.test.']);
    const small = new ZoneJournal(1);
    small.record(diffZoneTables(tables[0], tables[1], 'unit.test.') as ZoneDiff);
    small.record(diffZoneTables(tables[1], tables[2], 'unit.test.') as ZoneDiff);
    assert.equal(small.since('unit.test.', 1, 3).kind, 'unknown', 'older than the journal');
  });

  it('the diff of the changes given to updateZoneTable equals the diff of the two tables', () => {
    const before = tableFromText(zone(1, 'a IN A 192.0.2.1\nb IN TXT "x"\n'));
    const rdata = rdataFromText(RRType.A, ['192.0.2.9'], 'unit.test.');
    const changes = new Map([
      ['a.unit.test.', new Map([[RRType.A, { name: 'a.unit.test.', type: RRType.A, class: RRClass.IN, ttlSeconds: 60, rdatas: [rdata] }]])],
      ['b.unit.test.', null],
    ]);
    const soaRdata = rdataFromText(RRType.SOA, ['ns1', 'hostmaster', '2', '3600', '600', '1209600', '60'], 'unit.test.');
    const soa = { name: 'unit.test.', type: RRType.SOA, class: RRClass.IN, ttlSeconds: 60, rdatas: [soaRdata] };
    const fromChanges = diffOfChanges(before, 'unit.test.', changes, { name: 'unit.test.', type: RRType.SOA, class: RRClass.IN, ttlSeconds: 60, rdata: soaRdata }) as ZoneDiff;
    const after = updateZoneTable(before, 'unit.test.', changes, { soa });
    const fromTables = diffZoneTables(before, after, 'unit.test.') as ZoneDiff;
    assert.deepEqual(fromChanges.removed.map(text).sort(), fromTables.removed.map(text).sort());
    assert.deepEqual(fromChanges.added.map(text).sort(), fromTables.added.map(text).sort());
    assert.deepEqual(condenseDiffs([fromTables]), fromTables);
  });
});

describe('transfers from the in-process server', () => {
  let server: DnsServer;
  let journal: ZoneJournal;
  let tables: ZoneTable[];

  before(async () => {
    const bulk = Array.from({ length: 400 }, (_, i) => `n${i} IN TXT "${'t'.repeat(60)}"`).join('\n');
    tables = [tableFromText(zone(1, `${bulk}\n`)), tableFromText(zone(2, `${bulk}\nnew IN A 192.0.2.7\n`), 1n)];
    journal = new ZoneJournal();
    const transfers = new ZoneTransfers({ clock: systemClock, keys: [key], journal, aclOf: () => ({ networks: ['127.0.0.1'], key }) });
    server = await startDnsServer({ address: '127.0.0.1', port: 0, table: tables[0], random: seededRandom(3), transfers });
    journal.record(diffZoneTables(tables[0], tables[1], 'unit.test.') as ZoneDiff);
    server.setTable(tables[1]);
  });

  after(async () => {
    await server?.close();
  });

  const transfer = (options: { ixfrFromSerial?: number; withKey?: boolean } = {}) =>
    requestZoneTransfer({
      server,
      zone: 'unit.test.',
      clock: systemClock,
      random: seededRandom(9),
      key: options.withKey === false ? undefined : key,
      ixfrFromSerial: options.ixfrFromSerial,
    });

  it('an AXFR streams the whole zone in several signed messages, the SOA first and last', async () => {
    const result = await transfer();
    assert.equal(result.kind, 'axfr');
    if (result.kind !== 'axfr') return;
    assert.ok(result.messages >= 2, `${result.messages} message(s)`);
    assert.equal(result.records.length, 400 + 3);
  });

  it('an IXFR from the previous serial is the one change; from the current serial, the SOA alone', async () => {
    const ixfr = await transfer({ ixfrFromSerial: 1 });
    assert.equal(ixfr.kind, 'ixfr');
    if (ixfr.kind === 'ixfr') assert.deepEqual(ixfr.diffs[0].added.map((r) => r.name), ['new.unit.test.']);
    assert.equal((await transfer({ ixfrFromSerial: 2 })).kind, 'current');
  });

  it('an unsigned AXFR is REFUSED when the ACL names a key; IXFR over UDP gets the single SOA', async () => {
    assert.deepEqual(await transfer({ withKey: false }), { kind: 'refused', rcode: Rcode.REFUSED, tsigError: undefined });
    const query = { ...buildQuery('unit.test.', RRType.IXFR, { id: 5 }) };
    const { response } = await exchange(query, server, { transport: 'udp', timeoutMs: 2000 });
    assert.equal(response.rcode, Rcode.NOERROR);
    assert.deepEqual(response.answers.map((r) => r.type), [RRType.SOA]);
  });
});
