import { createHash } from 'node:crypto';
import type { KeyValue, KvCompare, KvWrite } from './key-value.js';
import { TXN_BYTES_MAX, TXN_OPS_MAX } from './key-value.js';
import { storeUnavailableError } from './store-unavailable.js';

/**
 * Large values (plans, a zone's record sets) as chunks under their own key prefix. A blob is
 * invisible until a compare-and-set on a small key publishes its `BlobRef`; until then it is
 * only bytes nobody reads. Chunks are immutable once written, so a reader needs no snapshot:
 * each chunk is one single-key read, and the digest proves the whole (DESIGN: plans in chunks).
 */
export interface BlobRef {
  /** Key prefix of the chunks, ending with '/'. Chunk i is `${prefix}${pad6(i)}`. */
  readonly prefix: string;
  readonly chunkCount: number;
  readonly byteLength: number;
  readonly digest: string;
}

/** 256 KiB: well under etcd's 1.5 MiB request limit, and four of them fit in one transaction. */
export const CHUNK_BYTES = 256 * 1024;

export function chunkKey(prefix: string, index: number): string {
  return `${prefix}${String(index).padStart(6, '0')}`;
}

export function digestOf(chunks: readonly Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest('hex');
}

export function splitChunks(bytes: Uint8Array, chunkBytes = CHUNK_BYTES): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkBytes) chunks.push(bytes.subarray(offset, Math.min(bytes.length, offset + chunkBytes)));
  return chunks;
}

/** Writes the chunks in as few transactions as etcd's limits allow; returns the reference to publish. */
export async function writeBlob(kv: KeyValue, prefix: string, chunks: readonly Uint8Array[], digest = digestOf(chunks)): Promise<BlobRef> {
  let batch: KvWrite[] = [];
  let batchBytes = 0;
  let byteLength = 0;
  for (let i = 0; i < chunks.length; i++) {
    if (batch.length > 0 && (batch.length >= TXN_OPS_MAX || batchBytes + chunks[i].length > TXN_BYTES_MAX)) {
      await kv.txn([], batch);
      batch = [];
      batchBytes = 0;
    }
    batch.push({ kind: 'put', key: chunkKey(prefix, i), value: chunks[i] });
    batchBytes += chunks[i].length;
    byteLength += chunks[i].length;
  }
  if (batch.length > 0) await kv.txn([], batch);
  return { prefix, chunkCount: chunks.length, byteLength, digest };
}

/**
 * The compare that makes publishing a blob safe against a concurrent sweep of unreferenced
 * chunks: chunks are written first to last and deleted all at once (one delete-prefix), so
 * chunk 0 being present at the instant of the publishing transaction means all of them are.
 */
export function blobPresent(ref: BlobRef): KvCompare[] {
  return ref.chunkCount === 0 ? [] : [{ key: chunkKey(ref.prefix, 0), isPresent: true }];
}

/** Reads every chunk and checks count and digest; a missing or damaged chunk makes the store unavailable. */
export async function readBlob(kv: KeyValue, ref: BlobRef): Promise<Uint8Array[]> {
  const chunks = await Promise.all(Array.from({ length: ref.chunkCount }, (_, i) => kv.get(chunkKey(ref.prefix, i))));
  const values: Uint8Array[] = [];
  for (let i = 0; i < chunks.length; i++) {
    const entry = chunks[i];
    if (entry === undefined) throw new MissingChunkError(`chunk ${i} of ${ref.chunkCount} is missing`, ref.prefix);
    values.push(entry.value);
  }
  if (digestOf(values) !== ref.digest) throw storeUnavailableError(`the chunks do not match their digest ${ref.digest.slice(0, 12)}…`, ref.prefix);
  return values;
}

/** A chunk is gone: deleted by cleanup since its reference was read (retry), or lost (unavailable). */
export class MissingChunkError extends Error {
  constructor(
    readonly reason: string,
    readonly prefix: string,
  ) {
    super(`${reason} (${prefix})`);
    this.name = 'MissingChunkError';
  }
}

export function concatChunks(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}
