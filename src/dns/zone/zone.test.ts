import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResoluteErrorList } from '../../base/errors.js';
import { typeCode, typeName } from '../wire/constants.js';
import { rdataToText } from '../wire/rdata-text.js';
import { parseMasterFile } from './master-file.js';
import { buildZone, type Zone } from './zone.js';

const FILE = 'demo.test.zone';
const APEX = [
  '$ORIGIN demo.test.',
  '$TTL 300',
  '@ SOA ns1 hostmaster 1 3600 600 86400 5',
  '@ NS ns1',
  'ns1 A 192.0.2.53',
].join('\n');

/** Parses with the parser (so errors can name lines), then builds. */
function build(text: string, origin?: string): Zone {
  const file = parseMasterFile(text, origin === undefined ? { file: FILE } : { file: FILE, origin });
  return buildZone(file.origin, file.records, FILE, file.lines);
}

function errorsOf(text: string, origin?: string): string[] {
  try {
    build(text, origin);
  } catch (error) {
    assert.ok(error instanceof ResoluteErrorList, `expected a ResoluteErrorList, got ${String(error)}`);
    for (const e of error.errors) {
      assert.equal(e.code, 'ERR_ZONE_INVALID');
      assert.ok(e.hint !== undefined && e.hint.length > 0, `error without a hint: ${e.message}`);
    }
    return error.errors.map((e) => `${e.where}: ${e.reason}`);
  }
  assert.fail('expected the zone to be refused');
}

/** The records of one RRset in presentation format. */
function rrset(zone: Zone, name: string, type: string): string[] {
  const set = zone.rrsets.get(name)?.get(typeCode(type) as number);
  if (set === undefined) return [];
  return set.rdatas.map((rdata) => `${name} ${set.ttlSeconds} IN ${typeName(set.type)} ${rdataToText(set.type, rdata)}`);
}

describe('buildZone', () => {
  it('groups the records by owner, then by type', () => {
    const zone = build(`${APEX}\napi A 192.0.2.10\napi A 192.0.2.11\napi AAAA 2001:db8::10\n`);
    assert.equal(zone.origin, 'demo.test.');
    assert.deepEqual(rrset(zone, 'api.demo.test.', 'A'), ['api.demo.test. 300 IN A 192.0.2.10', 'api.demo.test. 300 IN A 192.0.2.11']);
    assert.deepEqual(rrset(zone, 'api.demo.test.', 'AAAA'), ['api.demo.test. 300 IN AAAA 2001:db8::10']);
    assert.deepEqual([...zone.rrsets.keys()], ['demo.test.', 'ns1.demo.test.', 'api.demo.test.']);
    assert.equal(zone.soa, zone.rrsets.get('demo.test.')?.get(6));
    assert.equal(zone.recordCount, 6);
  });

  it('collapses duplicate records', () => {
    const zone = build(`${APEX}\napi A 192.0.2.10\napi A 192.0.2.10\nAPI.demo.test. A 192.0.2.10\n`);
    assert.deepEqual(rrset(zone, 'api.demo.test.', 'A'), ['api.demo.test. 300 IN A 192.0.2.10']);
    assert.equal(zone.recordCount, 4);
  });

  it('gives every record of an RRset the smallest of its TTLs (RFC 2181 §5.2)', () => {
    const zone = build(`${APEX}\napi 60 A 192.0.2.10\napi 30 A 192.0.2.11\napi 90 A 192.0.2.12\n`);
    assert.deepEqual(rrset(zone, 'api.demo.test.', 'A'), [
      'api.demo.test. 30 IN A 192.0.2.10',
      'api.demo.test. 30 IN A 192.0.2.11',
      'api.demo.test. 30 IN A 192.0.2.12',
    ]);
  });

  it('freezes what it builds', () => {
    const zone = build(`${APEX}\n`);
    assert.ok(Object.isFrozen(zone));
    assert.ok(Object.isFrozen(zone.soa));
    assert.ok(Object.isFrozen(zone.soa.rdatas));
  });

  it('allows a CNAME beside DNSSEC records only', () => {
    const zone = build(`${APEX}\nwww CNAME api\nwww TYPE47 \\# 6 0361706900 00\n`);
    assert.deepEqual(rrset(zone, 'www.demo.test.', 'CNAME'), ['www.demo.test. 300 IN CNAME api.demo.test.']);
  });

  it('refuses a zone without an SOA', () => {
    assert.deepEqual(errorsOf('$ORIGIN demo.test.\n$TTL 60\n@ NS ns1\n'), [
      'demo.test.zone: no SOA record at the zone apex demo.test.; a zone starts with one (RFC 1035 §5.2)',
    ]);
  });

  it('refuses an SOA below the apex, naming its line', () => {
    assert.deepEqual(errorsOf('$ORIGIN demo.test.\n$TTL 60\n@ NS ns1\nsub SOA ns1 hm 1 2 3 4 5\n'), [
      'demo.test.zone:4: SOA record at sub.demo.test., not at the zone apex demo.test.',
      'demo.test.zone: no SOA record at the zone apex demo.test.; a zone starts with one (RFC 1035 §5.2)',
    ]);
  });

  it('refuses two SOA records, naming the second', () => {
    assert.deepEqual(errorsOf(`${APEX}\n@ SOA ns1 hostmaster 2 3600 600 86400 5\n`), [
      'demo.test.zone:6: 2 different SOA records at demo.test.; a zone has exactly one (RFC 1035 §5.2)',
    ]);
  });

  it('refuses a zone without NS records at the apex', () => {
    assert.deepEqual(errorsOf('$ORIGIN demo.test.\n$TTL 60\n@ SOA ns1 hm 1 2 3 4 5\n'), [
      'demo.test.zone: no NS records at the zone apex demo.test.; a zone names its servers (RFC 1035 §5.2)',
    ]);
  });

  it('refuses a record outside its origin, naming its line', () => {
    assert.deepEqual(errorsOf(`${APEX}\nwww.other.test. A 192.0.2.1\nx\\.demo.test. A 192.0.2.2\ntest. A 192.0.2.3\n`), [
      'demo.test.zone:6: record outside its origin: www.other.test. A is not at or below demo.test.',
      'demo.test.zone:7: record outside its origin: x\\.demo.test. A is not at or below demo.test.',
      'demo.test.zone:8: record outside its origin: test. A is not at or below demo.test.',
    ]);
  });

  it('refuses a CNAME beside other data (RFC 1034 §3.6.2)', () => {
    assert.deepEqual(errorsOf(`${APEX}\nwww A 192.0.2.1\nwww CNAME api\nwww MX 10 mail\n`), [
      'demo.test.zone:7: CNAME beside other data at www.demo.test. (A, MX); an alias cannot have other records (RFC 1034 §3.6.2, RFC 2181 §10.1)',
    ]);
  });

  it('refuses two CNAMEs at one owner (RFC 2181 §10.1)', () => {
    assert.deepEqual(errorsOf(`${APEX}\nwww CNAME api\nwww CNAME web\n`), [
      'demo.test.zone:7: 2 CNAME records at www.demo.test.; an alias has exactly one target (RFC 2181 §10.1)',
    ]);
  });

  it('refuses a CNAME at the apex, where the SOA and NS are', () => {
    const errors = errorsOf(`${APEX}\n@ CNAME api\n`);
    assert.deepEqual(errors, [
      'demo.test.zone:6: CNAME beside other data at demo.test. (SOA, NS); an alias cannot have other records (RFC 1034 §3.6.2, RFC 2181 §10.1)',
    ]);
  });

  it('refuses records of another class than IN', () => {
    assert.deepEqual(errorsOf(`${APEX}\nv CH TXT "1.0"\n`), [
      'demo.test.zone:6: v.demo.test. TXT has class CH; a zone served here holds class IN only',
    ]);
  });

  it('reports every problem at once', () => {
    assert.equal(errorsOf('$ORIGIN demo.test.\n$TTL 60\nwww A 192.0.2.1\nwww CNAME api\nx.other. A 192.0.2.1\n').length, 4);
  });

  it('lists at most 100 problems, and says how many more there are', () => {
    const errors = errorsOf(APEX + '\nx.other. A 192.0.2.1'.repeat(150));
    assert.equal(errors.length, 101);
    assert.equal(errors[100], 'demo.test.zone: stopped after 100 errors (50 more)');
  });

  it('names only the file when records come without lines', () => {
    const file = parseMasterFile('$ORIGIN demo.test.\n$TTL 60\nx.other. A 192.0.2.1\n', { file: FILE });
    assert.throws(
      () => buildZone('demo.test.', file.records, 'plan 7'),
      (error: ResoluteErrorList) => error.errors[0].where === 'plan 7',
    );
  });
});
