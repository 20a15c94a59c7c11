import type { RecordSetChange } from '../store.js';
import { CorruptValueError } from './json-value.js';

/**
 * A list of record-set changes as bytes: per entry, u16 name length, the name (UTF-8), i32
 * value length (-1: the name is deleted), the value. Binary because a zone of 100,000 names is
 * rewritten in full on a repair, and base64 in JSON would add a third.
 */
export function encodeRecordSetChanges(changes: readonly RecordSetChange[]): Uint8Array {
  const names = changes.map((c) => Buffer.from(c.name, 'utf8'));
  let length = 4;
  for (let i = 0; i < changes.length; i++) length += 2 + names[i].length + 4 + (changes[i].value?.length ?? 0);
  const bytes = Buffer.allocUnsafe(length);
  let offset = bytes.writeUInt32BE(changes.length, 0);
  for (let i = 0; i < changes.length; i++) {
    offset = bytes.writeUInt16BE(names[i].length, offset);
    offset += names[i].copy(bytes, offset);
    const value = changes[i].value;
    offset = bytes.writeInt32BE(value === null ? -1 : value.length, offset);
    if (value !== null) {
      bytes.set(value, offset);
      offset += value.length;
    }
  }
  return bytes;
}

export function decodeRecordSetChanges(input: Uint8Array, where: string): RecordSetChange[] {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const fail = (offset: number): never => {
    throw new CorruptValueError(`record sets truncated at byte ${offset} (${where})`);
  };
  if (bytes.length < 4) fail(0);
  const count = bytes.readUInt32BE(0);
  const changes: RecordSetChange[] = [];
  let offset = 4;
  for (let i = 0; i < count; i++) {
    if (offset + 2 > bytes.length) fail(offset);
    const nameLength = bytes.readUInt16BE(offset);
    offset += 2;
    if (offset + nameLength + 4 > bytes.length) fail(offset);
    const name = bytes.toString('utf8', offset, offset + nameLength);
    offset += nameLength;
    const valueLength = bytes.readInt32BE(offset);
    offset += 4;
    if (valueLength < 0) {
      changes.push({ name, value: null });
      continue;
    }
    if (offset + valueLength > bytes.length) fail(offset);
    changes.push({ name, value: Uint8Array.prototype.slice.call(bytes, offset, offset + valueLength) });
    offset += valueLength;
  }
  return changes;
}
