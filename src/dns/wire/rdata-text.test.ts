import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RRType, typeCode } from './constants.js';
import { rdataFromText, rdataToText } from './rdata-text.js';

const ORIGIN = 'example.org.';

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** `MX 10 mail` → the rdata of that type, read from whitespace-separated fields (no quotes). */
function fromText(line: string): Uint8Array {
  const [type, ...fields] = line.split(' ');
  return rdataFromText(typeCode(type) as number, fields, ORIGIN);
}

function rdataError(fn: () => unknown, reason: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.equal((error as { code?: string }).code, 'ERR_RDATA_INVALID');
    assert.match((error as Error).message, reason);
    return true;
  });
}

describe('rdata in presentation form', () => {
  // [type, fields as the tokenizer gives them, wire (hex), text as dig prints it]
  const cases: [string, string[], string, string][] = [
    ['A', ['192.0.2.10'], 'c000020a', '192.0.2.10'],
    ['AAAA', ['2001:DB8::1'], '20010db8000000000000000000000001', '2001:db8::1'],
    ['AAAA', ['::ffff:192.0.2.1'], '00000000000000000000ffffc0000201', '::ffff:192.0.2.1'],
    ['NS', ['NS1'], '036e7331076578616d706c65036f726700', 'ns1.example.org.'],
    ['CNAME', ['@'], '076578616d706c65036f726700', 'example.org.'],
    ['PTR', ['host.test.'], '04686f7374047465737400', 'host.test.'],
    [
      'SOA',
      ['ns1', 'hostmaster', '2024010101', '1h', '900', '2w', '300'],
      '036e7331076578616d706c65036f726700' +
        '0a686f73746d6173746572076578616d706c65036f726700' +
        '78a3f175' + '00000e10' + '00000384' + '00127500' + '0000012c',
      'ns1.example.org. hostmaster.example.org. 2024010101 3600 900 1209600 300',
    ],
    ['MX', ['10', 'mail'], '000a046d61696c076578616d706c65036f726700', '10 mail.example.org.'],
    ['SRV', ['0', '5', '5060', 'sip.test.'], '0000000513c403736970047465737400', '0 5 5060 sip.test.'],
    ['SRV', ['0', '0', '0', '.'], '00000000000000', '0 0 0 .'],
    ['TXT', ['hello world'], '0b68656c6c6f20776f726c64', '"hello world"'],
    ['TXT', ['a', '', 'b'], '0161000162', '"a" "" "b"'],
    ['TXT', ['say \\"hi\\"', 'back\\\\slash', 'tab\\009'], '08736179202268692' + '20a6261636b5c736c61736804746162' + '09', '"say \\"hi\\"" "back\\\\slash" "tab\\009"'],
    ['TXT', ['caf\\195\\169'], '05636166c3a9', '"caf\\195\\169"'],
    ['TXT', ['café'], '05636166c3a9', '"caf\\195\\169"'],
    ['CAA', ['0', 'issue', 'letsencrypt.org'], '000569737375656c657473656e63727970742e6f7267', '0 issue "letsencrypt.org"'],
    ['CAA', ['128', 'iodef', 'mailto:a@b.test'], '8005696f6465666d61696c746f3a6140622e74657374', '128 iodef "mailto:a@b.test"'],
    ['CAA', ['0', 'issue', ';'], '00056973737565' + '3b', '0 issue ";"'],
    ['DS', ['60485', '5', '1', '2BB183AF5F22588179A53B0A', '98631fad1a292118'], 'ec4505012bb183af5f22588179a53b0a98631fad1a292118', '60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118'],
    ['TYPE65534', ['\\#', '3', 'ABcd', 'ef'], 'abcdef', '\\# 3 ABCDEF'],
    ['TYPE65534', ['\\#', '0'], '', '\\# 0'],
  ];

  for (const [type, fields, wire, text] of cases) {
    it(`reads ${type} ${fields.join(' ')} and prints it as dig does`, () => {
      const code = typeCode(type) as number;
      const rdata = rdataFromText(code, fields, ORIGIN);
      assert.equal(hex(rdata), wire);
      assert.equal(rdataToText(code, rdata), text);
    });
  }

  it('reads back every printed form to the same bytes', () => {
    for (const [type, fields, wire] of cases) {
      const code = typeCode(type) as number;
      const printed = rdataToText(code, rdataFromText(code, fields, ORIGIN));
      // Split the printed form as a tokenizer would: quoted strings lose their quotes only.
      const tokens = [...printed.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
      assert.equal(hex(rdataFromText(code, tokens, ORIGIN)), wire, printed);
    }
  });

  it('accepts the RFC 3597 generic form for known types and checks their layout', () => {
    assert.equal(hex(fromText('A \\# 4 c000020a')), 'c000020a');
    assert.equal(hex(fromText('MX \\# 5 000a 01 41 00')), '000a016100');
    rdataError(() => fromText('A \\# 3 c00002'), /A rdata is 3 octets, not 4/);
    rdataError(() => fromText('NS \\# 2 c00c'), /must not be compressed/);
  });

  it('refuses generic forms whose length and data disagree', () => {
    rdataError(() => fromText('TYPE999 \\# 2 abcdef'), /length says 2 octets, the hex holds 3/);
    rdataError(() => fromText('TYPE999 \\# 2 abc'), /hex digits/);
    rdataError(() => fromText('TYPE999 \\#'), /expected \\# <length> <hex>/);
  });

  it('refuses types without a presentation form here, pointing at the generic form', () => {
    rdataError(() => fromText('TYPE999 abc'), /write it as \\# <length> <hex>/);
  });

  it('names the field that is wrong', () => {
    rdataError(() => fromText('A 192.0.2.256'), /A address: "192.0.2.256" is not an IPv4 address/);
    rdataError(() => fromText('A 192.0.02.1'), /not an IPv4 address/);
    rdataError(() => fromText('A 1 2'), /A needs 1 field \(address\), got 2/);
    rdataError(() => fromText('AAAA 1::2::3'), /not an IPv6 address/);
    rdataError(() => fromText('MX 65536 mail'), /MX preference: "65536" is not a number from 0 to 65535/);
    rdataError(() => fromText('MX 10 a..b'), /MX exchange: name "a..b": empty label/);
    rdataError(() => fromText('SOA a b 1 2 3 4'), /SOA needs 7 fields/);
    rdataError(() => fromText('SOA a b 4294967296 1 1 1 1'), /SOA serial/);
    rdataError(() => fromText('SOA a b 1 1x 1 1 1'), /SOA refresh: "1x" is not a time/);
    rdataError(() => fromText('CAA 0 is-sue x'), /CAA tag/);
    rdataError(() => fromText('DS 1 2 3'), /DS needs 4 fields or more/);
    rdataError(() => fromText('DS 1 2 3 abc'), /DS digest: "abc" is not an even number of hex digits/);
    rdataError(() => rdataFromText(RRType.TXT, [], ORIGIN), /at least one character-string/);
    rdataError(() => rdataFromText(RRType.TXT, ['a'.repeat(256)], ORIGIN), /256 octets; split it/);
    rdataError(() => rdataFromText(RRType.TXT, ['bad\\'], ORIGIN), /backslash ends/);
  });

  it('accepts a 255-octet character-string', () => {
    assert.equal(rdataFromText(RRType.TXT, ['a'.repeat(255)], ORIGIN).length, 256);
  });

  it('prints rdata that does not fit its type in the generic form', () => {
    assert.equal(rdataToText(RRType.A, Uint8Array.of(1, 2, 3)), '\\# 3 010203');
    assert.equal(rdataToText(RRType.A, new Uint8Array(0)), '\\# 0');
    assert.equal(rdataToText(RRType.TXT, Uint8Array.of(5, 0x61)), '\\# 2 0561');
  });
});
