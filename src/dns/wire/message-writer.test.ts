import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RRClass, RRType } from './constants.js';
import { MessageWriter } from './message-writer.js';
import { nameFromWire, nameToWire } from './name.js';
import { rdataFromText } from './rdata-text.js';
import type { ResourceRecord } from './record.js';

function record(name: string, type: keyof typeof RRType, fields: string[], ttlSeconds = 300): ResourceRecord {
  const code = RRType[type];
  return { name, type: code, class: RRClass.IN, ttlSeconds, rdata: rdataFromText(code, fields, '.') };
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

describe('MessageWriter', () => {
  it('writes integers big-endian and grows past its initial capacity', () => {
    const writer = new MessageWriter({ initialCapacity: 2 });
    writer.u8(1);
    writer.u16(0x0203);
    writer.u32(0x04050607);
    writer.bytes(Uint8Array.of(8));
    assert.equal(hex(writer.finish()), '0102030405060708');
    assert.equal(writer.offset, 8);
  });

  it('compresses a repeated suffix into a pointer, ignoring case', () => {
    const writer = new MessageWriter({ startOffset: 12 });
    writer.name('www.Example.org.', { compress: true });
    writer.name('mail.example.ORG.', { compress: true });
    writer.name('example.org.', { compress: true });
    const bytes = writer.finish();
    // www.Example.org. is 17 octets at 12; mail + pointer to 16; then a bare pointer to 16.
    assert.equal(hex(bytes.subarray(17)), '046d61696cc010c010');
  });

  it('writes names uncompressed, and does not remember them, when compress is false', () => {
    const writer = new MessageWriter({ startOffset: 12 });
    writer.name('example.org.', { compress: false });
    writer.name('example.org.', { compress: true });
    writer.name('example.org.', { compress: true });
    assert.equal(hex(writer.finish()), `${hex(nameToWire('example.org.')).repeat(2)}c019`);
  });

  it('points precomputed answers at a seeded question name (0xC00C)', () => {
    const qname = 'www.example.org.';
    const writer = new MessageWriter({ startOffset: 12 + nameToWire(qname).length + 4 });
    writer.seedName(qname, 12);
    writer.record(record('www.example.org.', 'CNAME', ['web.example.org.']), { compress: true });
    const bytes = writer.finish();
    assert.equal(hex(bytes.subarray(0, 2)), 'c00c');
    // The CNAME target is "web" + a pointer to example.org. inside the question (offset 16).
    assert.equal(hex(bytes.subarray(10)), '0006' + '03776562c010');
  });

  it('never points at offsets of 0x4000 or more', () => {
    const writer = new MessageWriter({ startOffset: 0x4000 });
    writer.name('example.org.', { compress: true });
    writer.name('example.org.', { compress: true });
    assert.equal(writer.finish().length, 2 * 13);
  });

  it('compresses names inside MX and SOA rdata but never inside SRV rdata', () => {
    const writer = new MessageWriter({ startOffset: 12 });
    writer.name('example.org.', { compress: true });
    writer.record(record('example.org.', 'MX', ['10', 'mail.example.org.']), { compress: true });
    writer.record(record('example.org.', 'SRV', ['0', '0', '25', 'mail.example.org.']), { compress: true });
    const bytes = writer.finish();
    const mx = bytes.subarray(13);
    // owner ptr, type, class, ttl, rdlength 9: preference, "mail", ptr to 12
    assert.equal(hex(mx.subarray(0, 21)), 'c00c000f00010000012c0009000a046d61696cc00c');
    const srv = mx.subarray(21);
    assert.equal(hex(srv.subarray(10)), '0018' + '000000000019' + hex(nameToWire('mail.example.org.')));
  });

  it('rewind drops the bytes and the names written after the mark', () => {
    const writer = new MessageWriter({ startOffset: 12 });
    writer.name('a.test.', { compress: true });
    const mark = writer.offset;
    writer.name('b.example.', { compress: true });
    writer.rewind(mark);
    writer.name('c.example.', { compress: true });
    const bytes = Uint8Array.from([...new Array<number>(12).fill(0), ...writer.finish()]);
    assert.equal(nameFromWire(bytes, mark).name, 'c.example.');
    assert.equal(writer.offset, mark + 11);
  });
});
