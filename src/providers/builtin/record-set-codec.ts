/**
 * One owner name's served RRsets ⇄ bytes: the value the built-in provider stores per name
 * (store.ts `RecordSetChange.value`, which the store keeps opaque) and the follower's snapshot
 * holds. The store's own codec frames a list of (name, bytes); this one fills the bytes.
 *
 * Layout (big-endian): u8 version (1), u16 RRset count, then per RRset: u16 type, u16 class,
 * u32 TTL, u16 pick (0: every record), u8 has-weights, u16 record count, then per record u16
 * rdata length, the rdata, and an f64 weight when has-weights. Binary and canonical (RRsets by
 * type, records in the given order), so two equal name values are equal bytes and "only what
 * differs" is a byte comparison.
 */
import { ResoluteError } from '../../base/errors.js';
import type { ServedRRset } from '../../dns/zone/zone-table.js';

const VERSION = 1;

export function encodeServedRRsets(rrsets: readonly ServedRRset[]): Uint8Array {
  const sorted = [...rrsets].sort((a, b) => a.type - b.type || a.class - b.class);
  let length = 3;
  for (const rrset of sorted) {
    length += 13;
    for (const rdata of rrset.rdatas) length += 2 + rdata.length + (rrset.weights === undefined ? 0 : 8);
  }
  const bytes = Buffer.alloc(length);
  let offset = bytes.writeUInt8(VERSION, 0);
  offset = bytes.writeUInt16BE(sorted.length, offset);
  for (const rrset of sorted) {
    offset = bytes.writeUInt16BE(rrset.type, offset);
    offset = bytes.writeUInt16BE(rrset.class, offset);
    offset = bytes.writeUInt32BE(rrset.ttlSeconds, offset);
    offset = bytes.writeUInt16BE(rrset.pick ?? 0, offset);
    offset = bytes.writeUInt8(rrset.weights === undefined ? 0 : 1, offset);
    offset = bytes.writeUInt16BE(rrset.rdatas.length, offset);
    rrset.rdatas.forEach((rdata, i) => {
      offset = bytes.writeUInt16BE(rdata.length, offset);
      bytes.set(rdata, offset);
      offset += rdata.length;
      if (rrset.weights !== undefined) offset = bytes.writeDoubleBE(rrset.weights[i], offset);
    });
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * @throws ResoluteError ERR_RECORD_SETS_CORRUPT naming `name` when the bytes do not follow the
 *   layout (a damaged store row or snapshot): the caller reports its source unavailable.
 */
export function decodeServedRRsets(name: string, input: Uint8Array): ServedRRset[] {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const need = (offset: number, count: number): void => {
    if (offset + count > bytes.length) throw corrupt(name, `truncated at byte ${offset}`);
  };
  need(0, 3);
  if (bytes[0] !== VERSION) throw corrupt(name, `unknown record-set encoding version ${bytes[0]}`);
  const count = bytes.readUInt16BE(1);
  let offset = 3;
  const rrsets: ServedRRset[] = [];
  for (let i = 0; i < count; i++) {
    need(offset, 13);
    const type = bytes.readUInt16BE(offset);
    const klass = bytes.readUInt16BE(offset + 2);
    const ttlSeconds = bytes.readUInt32BE(offset + 4);
    const pick = bytes.readUInt16BE(offset + 8);
    const hasWeights = bytes[offset + 10] === 1;
    const records = bytes.readUInt16BE(offset + 11);
    offset += 13;
    const rdatas: Uint8Array[] = [];
    const weights: number[] = [];
    for (let r = 0; r < records; r++) {
      need(offset, 2);
      const rdataLength = bytes.readUInt16BE(offset);
      offset += 2;
      need(offset, rdataLength + (hasWeights ? 8 : 0));
      rdatas.push(Uint8Array.prototype.slice.call(bytes, offset, offset + rdataLength));
      offset += rdataLength;
      if (hasWeights) {
        weights.push(bytes.readDoubleBE(offset));
        offset += 8;
      }
    }
    rrsets.push(
      Object.freeze({
        name,
        type,
        class: klass,
        ttlSeconds,
        rdatas: Object.freeze(rdatas),
        ...(hasWeights ? { weights: Object.freeze(weights) } : {}),
        ...(pick === 0 ? {} : { pick }),
      }),
    );
  }
  if (offset !== bytes.length) throw corrupt(name, `${bytes.length - offset} octets after the last RRset`);
  return rrsets;
}

function corrupt(name: string, reason: string): ResoluteError {
  return new ResoluteError('ERR_RECORD_SETS_CORRUPT', `the stored record sets of ${name} cannot be decoded: ${reason}`, {
    hint: 'the next apply of the newest plan rewrites them; run reconcile to repair now',
  });
}
