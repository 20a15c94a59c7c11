import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ResoluteErrorList } from '../../base/errors.js';
import { typeCode, typeName } from '../wire/constants.js';
import { rdataToText } from '../wire/rdata-text.js';
import type { ResourceRecord } from '../wire/record.js';
import { loadZoneFile, parseMasterFile, type MasterFileOptions } from './master-file.js';
import { buildZone } from './zone.js';

const FILE = 'demo.test.zone';

/** A record as dig prints it, so expectations read as zone-file lines. */
function present(record: ResourceRecord): string {
  const rrclass = record.class === 1 ? 'IN' : `CLASS${record.class}`;
  return `${record.name} ${record.ttlSeconds} ${rrclass} ${typeName(record.type)} ${rdataToText(record.type, record.rdata)}`;
}

function parse(text: string, options: Partial<MasterFileOptions> = {}): string[] {
  return parseMasterFile(text, { file: FILE, ...options }).records.map(present);
}

/** The errors a text produces, as `where: reason`. */
function errorsOf(text: string, options: Partial<MasterFileOptions> = {}): string[] {
  try {
    parseMasterFile(text, { file: FILE, ...options });
  } catch (error) {
    assert.ok(error instanceof ResoluteErrorList, `expected a ResoluteErrorList, got ${String(error)}`);
    for (const e of error.errors) {
      assert.equal(e.code, 'ERR_ZONE_FILE');
      assert.ok(e.hint !== undefined && e.hint.length > 0, `error without a hint: ${e.message}`);
    }
    return error.errors.map((e) => `${e.where}: ${e.reason}`);
  }
  assert.fail('expected the text to be refused');
}

const HEAD = '$ORIGIN demo.test.\n$TTL 300\n';

describe('parseMasterFile', () => {
  it('reads relative, absolute and @ owners against $ORIGIN', () => {
    assert.deepEqual(parse(`${HEAD}@ A 192.0.2.1\napi A 192.0.2.2\nweb.other.test. A 192.0.2.3\na.b A 192.0.2.4\n`), [
      'demo.test. 300 IN A 192.0.2.1',
      'api.demo.test. 300 IN A 192.0.2.2',
      'web.other.test. 300 IN A 192.0.2.3',
      'a.b.demo.test. 300 IN A 192.0.2.4',
    ]);
  });

  it('reads a relative $ORIGIN relative to the one before', () => {
    assert.deepEqual(parse('$ORIGIN demo.test.\n$ORIGIN eu\n$TTL 60\nx A 192.0.2.1\n@ A 192.0.2.2\n'), [
      'x.eu.demo.test. 60 IN A 192.0.2.1',
      'eu.demo.test. 60 IN A 192.0.2.2',
    ]);
  });

  it('gives the same owner text after a new $ORIGIN its new meaning', () => {
    assert.deepEqual(parse('$TTL 60\n$ORIGIN a.test.\nx A 192.0.2.1\n$ORIGIN b.test.\nx A 192.0.2.2\n'), [
      'x.a.test. 60 IN A 192.0.2.1',
      'x.b.test. 60 IN A 192.0.2.2',
    ]);
  });

  it('relates names to the origin option before any $ORIGIN', () => {
    assert.deepEqual(parse('$TTL 60\napi A 192.0.2.1\n', { origin: 'demo.test' }), ['api.demo.test. 60 IN A 192.0.2.1']);
  });

  it('gives a record with a blank owner the previous owner', () => {
    assert.deepEqual(parse(`${HEAD}api A 192.0.2.1\n  A 192.0.2.2\n\tAAAA 2001:db8::1\n`), [
      'api.demo.test. 300 IN A 192.0.2.1',
      'api.demo.test. 300 IN A 192.0.2.2',
      'api.demo.test. 300 IN AAAA 2001:db8::1',
    ]);
  });

  it('takes TTL and class in either order, both optional', () => {
    assert.deepEqual(parse(`${HEAD}a 60 IN A 192.0.2.1\nb IN 60 A 192.0.2.2\nc IN A 192.0.2.3\nd 60 A 192.0.2.4\ne A 192.0.2.5\n`), [
      'a.demo.test. 60 IN A 192.0.2.1',
      'b.demo.test. 60 IN A 192.0.2.2',
      'c.demo.test. 300 IN A 192.0.2.3',
      'd.demo.test. 60 IN A 192.0.2.4',
      'e.demo.test. 300 IN A 192.0.2.5',
    ]);
  });

  it('reads TTLs in BIND units, in any case', () => {
    const text = '$ORIGIN demo.test.\n$TTL 1h30m\na A 192.0.2.1\nb 2d A 192.0.2.2\nc 1W A 192.0.2.3\nd 1h1m1s A 192.0.2.4\n';
    assert.deepEqual(parse(text), [
      'a.demo.test. 5400 IN A 192.0.2.1',
      'b.demo.test. 172800 IN A 192.0.2.2',
      'c.demo.test. 604800 IN A 192.0.2.3',
      'd.demo.test. 3661 IN A 192.0.2.4',
    ]);
  });

  it('without $TTL, gives a record the last TTL written (RFC 1035 §5.1), or the default option', () => {
    assert.deepEqual(parse('$ORIGIN demo.test.\na 60 A 192.0.2.1\nb A 192.0.2.2\n'), [
      'a.demo.test. 60 IN A 192.0.2.1',
      'b.demo.test. 60 IN A 192.0.2.2',
    ]);
    assert.deepEqual(parse('$ORIGIN demo.test.\nb A 192.0.2.2\n$TTL 7\nc A 192.0.2.3\n', { defaultTtlSeconds: 42 }), [
      'b.demo.test. 42 IN A 192.0.2.2',
      'c.demo.test. 7 IN A 192.0.2.3',
    ]);
  });

  it('reads a record over several lines in parentheses, with comments inside', () => {
    const text = `${HEAD}@ IN SOA ns1 hostmaster ( ; the SOA\n  2024010101 ; serial\n  3600 600\n  1w   ; expire\n  5 )\n`;
    assert.deepEqual(parse(text), ['demo.test. 300 IN SOA ns1.demo.test. hostmaster.demo.test. 2024010101 3600 600 604800 5']);
  });

  it('ends a field at a comment but not at a semicolon inside quotes', () => {
    assert.deepEqual(parse(`${HEAD}t TXT "a;b" c;d\n; a whole-line comment\n`), ['t.demo.test. 300 IN TXT "a;b" "c"']);
  });

  it('reads quoted strings with spaces and escapes', () => {
    const text = `${HEAD}t TXT "say \\"hi\\"" "back\\\\slash" "\\065\\066" "two words" ""\n`;
    assert.deepEqual(parse(text), ['t.demo.test. 300 IN TXT "say \\"hi\\"" "back\\\\slash" "AB" "two words" ""']);
  });

  it('takes text outside ASCII as UTF-8', () => {
    assert.deepEqual(parse(`${HEAD}café TXT "café"\n`), ['caf\\195\\169.demo.test. 300 IN TXT "caf\\195\\169"']);
  });

  it('reads escaped characters in names', () => {
    assert.deepEqual(parse(`${HEAD}a\\.b A 192.0.2.1\n\\065BC A 192.0.2.2\nsp\\ ace A 192.0.2.3\nAPI.Demo.Test. A 192.0.2.4\n`), [
      'a\\.b.demo.test. 300 IN A 192.0.2.1',
      'abc.demo.test. 300 IN A 192.0.2.2',
      'sp\\032ace.demo.test. 300 IN A 192.0.2.3',
      'api.demo.test. 300 IN A 192.0.2.4',
    ]);
  });

  it('reads names in rdata relative to the origin', () => {
    assert.deepEqual(parse(`${HEAD}www CNAME api\n@ MX 10 mail\n_sip._tcp SRV 10 60 5060 @\n`), [
      'www.demo.test. 300 IN CNAME api.demo.test.',
      'demo.test. 300 IN MX 10 mail.demo.test.',
      '_sip._tcp.demo.test. 300 IN SRV 10 60 5060 demo.test.',
    ]);
  });

  it('reads RFC 3597 generic types, classes and rdata', () => {
    assert.deepEqual(parse(`${HEAD}x TYPE65534 \\# 4 0A000001\ny CLASS1 TYPE1 192.0.2.1\nz A \\# 4 C0000202\n`), [
      'x.demo.test. 300 IN TYPE65534 \\# 4 0A000001',
      'y.demo.test. 300 IN A 192.0.2.1',
      'z.demo.test. 300 IN A 192.0.2.2',
    ]);
  });

  it('reads Windows line endings', () => {
    assert.deepEqual(parse('$ORIGIN demo.test.\r\n$TTL 60\r\napi A 192.0.2.1\r\n  TXT "x"\r\n'), [
      'api.demo.test. 60 IN A 192.0.2.1',
      'api.demo.test. 60 IN TXT "x"',
    ]);
  });

  it('keeps the line of every record for later errors', () => {
    const file = parseMasterFile(`${HEAD}\n; comment\napi A 192.0.2.1\n@ SOA ns1 hm (\n1 2 3 4 5 )\n`, { file: FILE });
    assert.deepEqual(file.lines, [5, 6]);
  });

  it('takes the origin from the option, else the first $ORIGIN, else the SOA owner', () => {
    const soa = 'SOA ns1.x.test. hm.x.test. 1 2 3 4 5';
    assert.equal(parseMasterFile(`$TTL 1\nx.test. ${soa}\n`, { file: FILE, origin: 'X.test.' }).origin, 'x.test.');
    assert.equal(parseMasterFile(`$ORIGIN x.test.\n$ORIGIN sub\n$TTL 1\n@ ${soa}\n`, { file: FILE }).origin, 'x.test.');
    assert.equal(parseMasterFile(`$TTL 1\nx.test. ${soa}\n`, { file: FILE }).origin, 'x.test.');
  });

  it('refuses $INCLUDE, $GENERATE and unknown directives, naming the line', () => {
    assert.deepEqual(errorsOf(`${HEAD}$INCLUDE other.zone\n$GENERATE 1-9 h$ A 192.0.2.$\n$FOO x\n`), [
      'demo.test.zone:3: $INCLUDE is not supported: a zone is read from one file, so what is served is exactly what is in it',
      'demo.test.zone:4: $GENERATE (a BIND extension) is not supported',
      'demo.test.zone:5: unknown directive $FOO',
    ]);
  });

  it('refuses bad TTLs', () => {
    assert.deepEqual(errorsOf(`${HEAD}a 1x A 192.0.2.1\nb 1h30 A 192.0.2.1\nc 4294967295 A 192.0.2.1\nd 1 2 A 192.0.2.1\n$TTL soon\n`), [
      'demo.test.zone:3: bad TTL 1x',
      'demo.test.zone:4: bad TTL 1h30',
      'demo.test.zone:5: TTL 4294967295 is above 2147483647 seconds (RFC 2181 §8)',
      'demo.test.zone:6: two TTLs (1 and 2)',
      'demo.test.zone:7: bad TTL soon',
    ]);
  });

  it('refuses a record without any TTL', () => {
    assert.deepEqual(errorsOf('$ORIGIN demo.test.\napi A 192.0.2.1\n'), [
      'demo.test.zone:2: record for api.demo.test. has no TTL and no $TTL is set',
    ]);
  });

  it('refuses unknown types and types that cannot be in a zone', () => {
    assert.deepEqual(errorsOf(`${HEAD}a FOO 1\nb AXFR x\nc IN IN A 192.0.2.1\nd 60\n`), [
      'demo.test.zone:3: unknown type FOO',
      'demo.test.zone:4: type AXFR cannot appear in a zone (RFC 6895 §3.1)',
      'demo.test.zone:5: two classes (IN and IN)',
      'demo.test.zone:6: record for d.demo.test. has no type',
    ]);
  });

  it('refuses bad rdata, saying what the rdata should look like', () => {
    const errors = errorsOf(`${HEAD}a A 1.2.3\nb MX mail\n`);
    assert.equal(errors.length, 2);
    assert.match(errors[0], /^demo\.test\.zone:3: bad A rdata "1\.2\.3": .*not an IPv4 address/);
    assert.match(errors[1], /^demo\.test\.zone:4: bad MX rdata "mail": /);
    assert.throws(
      () => parseMasterFile(`${HEAD}a A 1.2.3\n`, { file: FILE }),
      (error: ResoluteErrorList) => /`A 192\.0\.2\.1`/.test(error.errors[0].hint ?? ''),
    );
  });

  it('refuses bad names', () => {
    const long = 'x'.repeat(64);
    const errors = errorsOf(`${HEAD}${long} A 192.0.2.1\n  A 192.0.2.2\na..b A 192.0.2.3\n`);
    assert.equal(errors.length, 2, 'the blank-owner record after a bad owner is not reported again');
    assert.match(errors[0], /^demo\.test\.zone:3: bad name x{64}: .*63/);
    assert.match(errors[1], /^demo\.test\.zone:5: bad name a\.\.b: /);
  });

  it('reports a bad owner on each of its lines', () => {
    const errors = errorsOf(`${HEAD}a..b A 192.0.2.1\na..b A 192.0.2.2\n`);
    assert.deepEqual(errors.map((e) => e.split(': ')[0]), ['demo.test.zone:3', 'demo.test.zone:4']);
  });

  it('ignores a byte order mark', () => {
    assert.deepEqual(parse(`\ufeff${HEAD}api A 192.0.2.1\n`), ['api.demo.test. 300 IN A 192.0.2.1']);
  });

  it('refuses relative names and @ when no origin is known', () => {
    assert.deepEqual(errorsOf('$TTL 1\napi A 192.0.2.1\n@ A 192.0.2.1\n'), [
      'demo.test.zone:2: relative name api and no origin is set',
      'demo.test.zone:3: @ stands for the origin, and no origin is set',
    ]);
  });

  it('refuses a first record with a blank owner', () => {
    assert.deepEqual(errorsOf(`${HEAD}  A 192.0.2.1\n`), ['demo.test.zone:3: the first record has no owner name']);
  });

  it('refuses unbalanced quotes and parentheses, naming the line', () => {
    assert.deepEqual(errorsOf(`${HEAD}t TXT "open\nok A 192.0.2.1\nx A 192.0.2.1 )\n@ SOA ns1 hm ( 1 2\n3 4 5\n`), [
      'demo.test.zone:3: a quoted string is not closed on its line',
      'demo.test.zone:5: ")" without a "(" before it',
      'demo.test.zone:6: "(" is never closed',
    ]);
  });

  it('reports every error of a file at once, up to 100', () => {
    const text = HEAD + 'a A 1.2.3\n'.repeat(150);
    const errors = errorsOf(text);
    assert.equal(errors.length, 101);
    assert.equal(errors[0], 'demo.test.zone:3: bad A rdata "1.2.3": A address: "1.2.3" is not an IPv4 address');
    assert.equal(errors[99].split(':')[1], '102');
    assert.equal(errors[100], 'demo.test.zone: stopped after 100 errors, on line 103');
    assert.equal(errorsOf(HEAD + 'a A 1.2.3\n'.repeat(100)).length, 100, 'exactly 100 errors are all shown');
  });
});

describe('loadZoneFile', () => {
  it('loads the demo zone', async () => {
    const zone = await loadZoneFile(new URL('../../../../examples/demo.test.zone', import.meta.url).pathname);
    assert.equal(zone.origin, 'demo.test.');
    const at = (name: string, type: string): string[] => {
      const rrset = zone.rrsets.get(name)?.get(typeCode(type) as number);
      assert.ok(rrset !== undefined, `no ${type} at ${name}`);
      return rrset.rdatas.map((rdata) => `${name} ${rrset.ttlSeconds} IN ${typeName(rrset.type)} ${rdataToText(rrset.type, rdata)}`);
    };
    assert.deepEqual(at('demo.test.', 'SOA'), ['demo.test. 3600 IN SOA ns1.demo.test. hostmaster.demo.test. 2024010101 3600 600 604800 5']);
    assert.deepEqual(at('demo.test.', 'NS'), ['demo.test. 3600 IN NS ns1.demo.test.', 'demo.test. 3600 IN NS ns2.demo.test.']);
    assert.deepEqual(at('api.demo.test.', 'A'), ['api.demo.test. 30 IN A 192.0.2.10', 'api.demo.test. 30 IN A 192.0.2.11']);
    assert.deepEqual(at('www.demo.test.', 'CNAME'), ['www.demo.test. 300 IN CNAME api.demo.test.']);
    assert.deepEqual(at('demo.test.', 'TXT'), ['demo.test. 300 IN TXT "v=spf1 mx -all"']);
    assert.deepEqual(at('info.demo.test.', 'TXT'), ['info.demo.test. 300 IN TXT "Resolute demo zone" "see https://example.org/resolute"']);
    assert.deepEqual(at('demo.test.', 'CAA'), ['demo.test. 300 IN CAA 0 issue "letsencrypt.org"']);
    assert.deepEqual(at('_sip._tcp.demo.test.', 'SRV'), ['_sip._tcp.demo.test. 300 IN SRV 10 60 5060 api.demo.test.']);
    assert.deepEqual(at('*.apps.demo.test.', 'A'), ['*.apps.demo.test. 300 IN A 192.0.2.80']);
    assert.deepEqual(at('sub.demo.test.', 'NS'), ['sub.demo.test. 86400 IN NS ns.sub.demo.test.']);
    assert.deepEqual(at('ns.sub.demo.test.', 'A'), ['ns.sub.demo.test. 86400 IN A 192.0.2.153']);
    assert.deepEqual(at('ns2.demo.test.', 'AAAA'), ['ns2.demo.test. 3600 IN AAAA 2001:db8::53']);
    assert.deepEqual(at('10.rev.demo.test.', 'PTR'), ['10.rev.demo.test. 300 IN PTR api.demo.test.']);
    assert.deepEqual(at('opaque.demo.test.', 'TYPE65534'), ['opaque.demo.test. 300 IN TYPE65534 \\# 4 0A000001']);
  });

  it('refuses a file that does not exist, naming the path', async () => {
    const path = join(tmpdir(), 'resolute-no-such-dir', 'missing.zone');
    await assert.rejects(loadZoneFile(path, 'demo.test.'), (error: unknown) => {
      assert.ok(error instanceof ResoluteErrorList);
      assert.equal(error.errors[0].code, 'ERR_ZONE_FILE');
      assert.equal(error.errors[0].where, path);
      assert.match(error.message, /does not exist/);
      return true;
    });
  });

  it('refuses a file that is not UTF-8, naming the line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'resolute-zone-'));
    try {
      const path = join(dir, 'latin1.zone');
      await writeFile(path, Buffer.from('$ORIGIN demo.test.\n$TTL 60\nt TXT "caf\xe9"\n', 'latin1'));
      await assert.rejects(loadZoneFile(path), (error: unknown) => {
        assert.ok(error instanceof ResoluteErrorList);
        assert.equal(error.errors[0].message, `ERR_ZONE_FILE: the zone file is not UTF-8 text (${path}:3); ` +
          'save it as UTF-8, or write octets outside ASCII as \\DDD (RFC 1035 §5.1)');
        return true;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports syntax errors before semantic ones, with the file path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'resolute-zone-'));
    try {
      const path = join(dir, 'bad.zone');
      await writeFile(path, '$ORIGIN demo.test.\n$TTL 60\napi A 1.2.3\n');
      await assert.rejects(loadZoneFile(path), (error: unknown) => {
        assert.ok(error instanceof ResoluteErrorList);
        assert.deepEqual(error.errors.map((e) => `${e.code} ${e.where}`), [`ERR_ZONE_FILE ${path}:3`]);
        return true;
      });
      await writeFile(path, '$ORIGIN demo.test.\n$TTL 60\napi A 192.0.2.1\n');
      await assert.rejects(loadZoneFile(path), (error: unknown) => {
        assert.ok(error instanceof ResoluteErrorList);
        assert.deepEqual(error.errors.map((e) => e.code), ['ERR_ZONE_INVALID', 'ERR_ZONE_INVALID']);
        return true;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('README', () => {
  it('has zone examples that load as zones', async () => {
    const readme = await readFile(new URL('../../../../src/dns/zone/README.md', import.meta.url), 'utf8');
    const examples = [...readme.matchAll(/```zone\n([\s\S]*?)```/g)].map((match) => match[1]);
    assert.ok(examples.length > 0);
    for (const text of examples) {
      const file = parseMasterFile(text, { file: 'README.md' });
      const zone = buildZone(file.origin, file.records, 'README.md', file.lines);
      assert.ok(zone.recordCount > 0);
    }
  });
});
