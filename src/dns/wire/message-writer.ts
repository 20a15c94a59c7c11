import { assert } from '../../base/assert.js';
import { nameToWire, readNameWire } from './name.js';
import { compressibleNames } from './rdata-wire.js';
import type { ResourceRecord } from './record.js';

/**
 * A growable byte writer for DNS messages, with name compression (RFC 1035 §4.1.4).
 *
 * Offsets are offsets IN THE FINAL MESSAGE: a writer that produces a fragment to be placed
 * later (precomputed answer records) is told where its first byte will land (`startOffset`),
 * so the pointers it writes are right once the fragment is copied there.
 *
 * Compression: every name written with `compress: true` is looked up suffix by suffix
 * (case-insensitively: RFC 1035 §2.3.3 names compare without case) and the longest suffix
 * already in the message becomes a pointer; its own suffixes are then remembered. Only offsets
 * below 0x4000 can be pointed at (a pointer has 14 bits). Names written with `compress: false`
 * are neither compressed nor remembered. Inside rdata, names are compressed only for the types
 * compressibleNames() lists (RFC 3597 §4), never SRV's target nor an unknown type's.
 *
 * Precomputing answer records that point at the question, e.g. for `www.example.org. A`:
 *
 *     const qname = 'www.example.org.';
 *     // header (12) + question name + qtype and qclass (4): where the answer section starts.
 *     const writer = new MessageWriter({ startOffset: 12 + nameToWire(qname).length + 4 });
 *     writer.seedName(qname, 12); // "the question name is at offset 12"
 *     for (const rr of answers) writer.record(rr, { compress: true });
 *     const answerBytes = writer.finish(); // owners `www.example.org.` are written as 0xC00C
 *
 * The fragment is valid behind any question for the same name, whatever its case: the
 * pointer then repeats the case the client sent (which DNS 0x20 clients expect).
 */
export class MessageWriter {
  private buf: Uint8Array;
  private length = 0;
  private readonly startOffset: number;
  /** Lower-cased wire suffix (one char per octet) → its offset in the message. */
  private readonly suffixes = new Map<string, number>();
  /** Suffixes remembered by writes (not seeds), in order, so rewind() can forget them. */
  private readonly written: { key: string; offset: number }[] = [];

  constructor(options: { startOffset?: number; initialCapacity?: number } = {}) {
    this.startOffset = options.startOffset ?? 0;
    this.buf = new Uint8Array(options.initialCapacity ?? 512);
  }

  /** The offset in the message of the next byte written. */
  get offset(): number {
    return this.startOffset + this.length;
  }

  u8(value: number): void {
    this.reserve(1);
    this.buf[this.length++] = value;
  }

  u16(value: number): void {
    this.reserve(2);
    this.buf[this.length++] = value >>> 8;
    this.buf[this.length++] = value & 0xff;
  }

  u32(value: number): void {
    this.reserve(4);
    this.buf[this.length++] = value >>> 24;
    this.buf[this.length++] = (value >>> 16) & 0xff;
    this.buf[this.length++] = (value >>> 8) & 0xff;
    this.buf[this.length++] = value & 0xff;
  }

  bytes(octets: Uint8Array): void {
    this.reserve(octets.length);
    this.buf.set(octets, this.length);
    this.length += octets.length;
  }

  /** Overwrites 16 bits already written, at message offset `offset` (counts, rdlength). */
  setU16(offset: number, value: number): void {
    const at = offset - this.startOffset;
    assert(at >= 0 && at + 2 <= this.length, 'setU16 writes inside what was written');
    this.buf[at] = value >>> 8;
    this.buf[at + 1] = value & 0xff;
  }

  /** Writes a presentation-form absolute name (its case kept). */
  name(name: string, options: { compress: boolean }): void {
    this.nameWire(nameToWire(name), options);
  }

  /** Writes an uncompressed wire-form name, compressing it when asked. */
  nameWire(wire: Uint8Array, options: { compress: boolean }): void {
    if (!options.compress) {
      this.bytes(wire);
      return;
    }
    for (let pos = 0; wire[pos] !== 0; pos += 1 + wire[pos]) {
      const key = suffixKey(wire, pos);
      const target = this.suffixes.get(key);
      if (target !== undefined) {
        this.u16(0xc000 | target);
        return;
      }
      this.remember(key, this.offset);
      this.bytes(wire.subarray(pos, pos + 1 + wire[pos]));
    }
    this.u8(0);
  }

  /**
   * Declares that the message holds `name` at `offset` (outside this writer, e.g. the question
   * at 12), so later names can point at it and its suffixes.
   */
  seedName(name: string, offset: number): void {
    const wire = nameToWire(name);
    for (let pos = 0; wire[pos] !== 0; pos += 1 + wire[pos]) {
      const key = suffixKey(wire, pos);
      if (offset + pos < 0x4000 && !this.suffixes.has(key)) this.suffixes.set(key, offset + pos);
    }
  }

  /** Remembers the suffixes of a name this writer writes at `offset`, so rewind() forgets them. */
  private seedWire(wire: Uint8Array, offset: number): void {
    for (let pos = 0; wire[pos] !== 0; pos += 1 + wire[pos]) this.remember(suffixKey(wire, pos), offset + pos);
  }

  /**
   * A question entry (RFC 1035 §4.1.2). The name is written whole, with the case it was asked
   * in, and remembered, so records can point at it. It is not compressed itself: compression
   * matches without case, and a pointer would replace this name's case with another's.
   */
  question(name: string, type: number, klass: number): void {
    const wire = nameToWire(name);
    this.seedWire(wire, this.offset);
    this.bytes(wire);
    this.u16(type);
    this.u16(klass);
  }

  /**
   * A resource record (RFC 1035 §4.1.3): owner, type, class, TTL, rdlength, rdata. With
   * `compress`, the owner and the names inside rdata of RFC 1035 types are compressed.
   */
  record(rr: ResourceRecord, options: { compress: boolean }): void {
    this.name(rr.name, options);
    this.u16(rr.type);
    this.u16(rr.class);
    this.u32(rr.ttlSeconds);
    const rdlengthAt = this.offset;
    this.u16(0);
    const layout = options.compress && rr.rdata.length > 0 ? compressibleNames(rr.type) : undefined;
    if (layout === undefined) {
      this.bytes(rr.rdata);
    } else {
      this.bytes(rr.rdata.subarray(0, layout.before));
      let pos = layout.before;
      for (let i = 0; i < layout.names; i++) {
        const { wire, end } = readNameWire(rr.rdata, pos, { allowPointers: false });
        this.nameWire(wire, options);
        pos = end;
      }
      this.bytes(rr.rdata.subarray(pos));
    }
    const rdlength = this.offset - rdlengthAt - 2;
    assert(rdlength <= 0xffff, 'rdata fits in 65535 octets');
    this.setU16(rdlengthAt, rdlength);
  }

  /**
   * Drops everything from message offset `offset` on, and forgets the names written there, so
   * a caller can try to add an RRset and take it back when it does not fit.
   */
  rewind(offset: number): void {
    assert(offset >= this.startOffset && offset <= this.offset, 'rewind stays inside what was written');
    while (this.written.length > 0 && this.written[this.written.length - 1].offset >= offset) {
      const { key } = this.written.pop() as { key: string };
      this.suffixes.delete(key);
    }
    this.length = offset - this.startOffset;
  }

  /** A copy of the bytes written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }

  private remember(key: string, offset: number): void {
    // RFC 1035 §4.1.4: a pointer holds a 14-bit offset.
    if (offset >= 0x4000 || this.suffixes.has(key)) return;
    this.suffixes.set(key, offset);
    this.written.push({ key, offset });
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.length + extra));
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
  }
}

/** The name from wire[pos] on, lower-cased, one char per octet: a map key for compression. */
function suffixKey(wire: Uint8Array, pos: number): string {
  let key = '';
  for (let i = pos; i < wire.length; i++) {
    const octet = wire[i];
    key += String.fromCharCode(octet >= 0x41 && octet <= 0x5a ? octet + 0x20 : octet);
  }
  return key;
}
