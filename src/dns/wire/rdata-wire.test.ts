import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RRType } from './constants.js';
import { compressibleNames, rdataFromWire } from './rdata-wire.js';
import { rdataToText } from './rdata-text.js';
import { WireFormatError } from './wire-format-error.js';

/** `body` behind a zeroed 12-octet header. */
function message(...body: number[]): Uint8Array {
  return Uint8Array.from([...new Array<number>(12).fill(0), ...body]);
}

const ascii = (text: string): number[] => [...Buffer.from(text)];

function wireError(fn: () => unknown, offset: number, reason: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof WireFormatError, String(error));
    assert.equal(error.offset, offset);
    assert.match(error.reason, reason);
    return true;
  });
}

describe('rdata read from a message', () => {
  it('decompresses and lower-cases the names of RFC 1035 types', () => {
    // 12: Example.Org.   25: MX rdata: 10, "MAIL" + pointer to 12
    const buf = message(7, ...ascii('Example'), 3, ...ascii('Org'), 0, 0, 10, 4, ...ascii('MAIL'), 0xc0, 12);
    const rdata = rdataFromWire(RRType.MX, buf, 25, 9);
    assert.equal(rdataToText(RRType.MX, rdata), '10 mail.example.org.');
  });

  it('decompresses SRV targets, as RFC 3597 §4 asks of receivers', () => {
    const buf = message(4, ...ascii('test'), 0, 0, 1, 0, 2, 0, 3, 3, ...ascii('sip'), 0xc0, 12);
    assert.equal(rdataToText(RRType.SRV, rdataFromWire(RRType.SRV, buf, 18, 12)), '1 2 3 sip.test.');
  });

  it('copies unknown types as they are, pointers included (RFC 3597 §4)', () => {
    const buf = message(0xc0, 12);
    assert.deepEqual([...rdataFromWire(65280, buf, 12, 2)], [0xc0, 12]);
  });

  it('checks the length of A and AAAA', () => {
    wireError(() => rdataFromWire(RRType.A, message(1, 2, 3), 12, 3), 12, /A rdata is 3 octets, not 4/);
    wireError(() => rdataFromWire(RRType.AAAA, message(...new Array<number>(4).fill(0)), 12, 4), 12, /AAAA rdata is 4 octets, not 16/);
  });

  it('checks that an SOA is two names and 20 octets', () => {
    const soa = (timers: number): Uint8Array => message(1, 0x61, 0, 1, 0x62, 0, ...new Array<number>(timers).fill(0));
    assert.equal(rdataFromWire(RRType.SOA, soa(20), 12, 26).length, 26);
    wireError(() => rdataFromWire(RRType.SOA, soa(19), 12, 25), 18, /19 octets after its names, not 20/);
    wireError(() => rdataFromWire(RRType.SOA, soa(21), 12, 27), 18, /21 octets after its names, not 20/);
  });

  it('refuses a name that runs past its rdata into the next record', () => {
    // CNAME rdlength 2 but the name is 3 octets long.
    wireError(() => rdataFromWire(RRType.CNAME, message(1, 0x61, 0, 0), 12, 2), 14, /past the end/);
  });

  it('refuses rdata longer than what is left of the message', () => {
    wireError(() => rdataFromWire(RRType.A, message(1, 2, 3), 12, 4), 12, /runs past the end/);
  });

  it('checks that TXT is one or more character-strings filling the rdata', () => {
    wireError(() => rdataFromWire(RRType.TXT, message(), 12, 0), 12, /TXT rdata is empty/);
    wireError(() => rdataFromWire(RRType.TXT, message(1, 0x61, 3, 0x61), 12, 4), 14, /runs past its rdata/);
  });

  it('checks the CAA tag', () => {
    wireError(() => rdataFromWire(RRType.CAA, message(0, 0, 0x61), 12, 3), 13, /CAA tag is empty/);
    wireError(() => rdataFromWire(RRType.CAA, message(0, 5, 0x61), 12, 3), 13, /CAA tag runs past/);
  });

  it('accepts empty rdata of any type when asked (RFC 2136 class ANY and NONE)', () => {
    assert.equal(rdataFromWire(RRType.A, message(), 12, 0, { allowEmpty: true }).length, 0);
  });
});

describe('compressibleNames', () => {
  it('lists only RFC 1035 types: never SRV nor an unknown type', () => {
    assert.deepEqual(compressibleNames(RRType.MX), { before: 2, names: 1 });
    assert.deepEqual(compressibleNames(RRType.SOA), { before: 0, names: 2 });
    assert.deepEqual(compressibleNames(RRType.CNAME), { before: 0, names: 1 });
    assert.equal(compressibleNames(RRType.SRV), undefined);
    assert.equal(compressibleNames(RRType.TXT), undefined);
    assert.equal(compressibleNames(65280), undefined);
  });
});
