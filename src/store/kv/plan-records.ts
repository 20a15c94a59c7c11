import { assert } from '../../base/assert.js';
import type { Clock } from '../../base/clock.js';
import type { DeleteOutcome, HeaderRead, Listed, PlanHeader, PlanRead, PublishOutcome, PublishPlanRequest, StoredPlan, Unavailable } from '../store.js';
import { blobPresent, digestOf, MissingChunkError, readBlob, writeBlob, type BlobRef } from './chunked-blob.js';
import type { KeyValue, KvEntry, KvWrite } from './key-value.js';
import { TXN_OPS_MAX } from './key-value.js';
import { bigintField, CorruptValueError, fromJsonBytes, nullableBigintField, numberField, objectField, stringField, toJsonBytes } from './json-value.js';
import { blobPrefixOfChunk, createdAtOfChunksPrefix, PLAN_CHUNKS_PREFIX, PLAN_HEAD_KEY, PLAN_INDEX_PREFIX, planChunksPrefix, planIndexKey } from './store-keys.js';
import { unavailable } from './store-unavailable.js';

/** A header as stored: where its chunks are, too. */
interface StoredHeader extends PlanHeader {
  readonly prefix: string;
}

/** Chunks nobody references are swept once this old: older than any upload still in flight. */
const ORPHAN_AGE_MS = 10 * 60_000;
const CHUNK_BYTES_MAX = 1024 * 1024;

/**
 * Plans (DESIGN: the safety protocol). Publish: (1) read the newest-generation key; a parent
 * that is not the newest is a conflict; (2) write the chunks under their own prefix, invisible;
 * (3) ONE transaction: the newest-generation key is unchanged and the chunks are present ⇒ put
 * it (the header: generation, chunk count, digest) and the generation's index key. A crash
 * before (3) leaves only unreferenced chunks, which cleanup sweeps.
 */
export async function publishPlan(kv: KeyValue, request: PublishPlanRequest): Promise<PublishOutcome> {
  const { plan } = request;
  assert(plan.digest === digestOf(plan.chunks), 'a published plan carries the digest of its chunks');
  for (const chunk of plan.chunks) assert(chunk.length <= CHUNK_BYTES_MAX, 'plan chunks are at most 1 MiB (etcd refuses requests over 1.5 MiB)');
  for (let attempt = 0; ; attempt++) {
    const head = await kv.get(PLAN_HEAD_KEY);
    const newest = head === undefined ? null : headerOrUnavailable(head);
    if (newest !== null && 'kind' in newest) return newest;
    if ((newest?.generation ?? null) !== request.parentGeneration) return { kind: 'conflict', newest: newest === null ? null : publicHeader(newest) };
    const floor = request.minGeneration ?? 1n;
    const next = (newest?.generation ?? 0n) + 1n;
    const generation = next > floor ? next : floor;
    const ref = await writeBlob(kv, planChunksPrefix(request.createdAtMs, plan.digest), plan.chunks, plan.digest);
    const header: StoredHeader = {
      generation,
      parentGeneration: request.parentGeneration,
      createdAtMs: request.createdAtMs,
      schemaVersion: { major: plan.schemaVersion.major, minor: plan.schemaVersion.minor },
      chunkCount: ref.chunkCount,
      byteLength: ref.byteLength,
      digest: ref.digest,
      prefix: ref.prefix,
    };
    const value = toJsonBytes(header);
    const isPublished = await kv.txn(
      [{ key: PLAN_HEAD_KEY, modRevision: head?.modRevision ?? 0n }, ...blobPresent(ref)],
      [
        { kind: 'put', key: PLAN_HEAD_KEY, value },
        { kind: 'put', key: planIndexKey(generation), value },
      ],
    );
    if (isPublished) return { kind: 'published', generation };
    const now = await kv.get(PLAN_HEAD_KEY);
    if (now?.modRevision !== head?.modRevision) {
      const moved = now === undefined ? null : headerOrUnavailable(now);
      if (moved !== null && 'kind' in moved) return moved;
      return { kind: 'conflict', newest: moved === null ? null : publicHeader(moved) };
    }
    // The head did not move, so a sweep took our chunks between (2) and (3): upload again, once.
    if (attempt >= 1) return unavailable('the plan chunks were swept while being published', ref.prefix);
  }
}

export async function readNewestHeader(kv: KeyValue): Promise<HeaderRead> {
  const head = await kv.get(PLAN_HEAD_KEY);
  if (head === undefined) return { kind: 'none' };
  const header = headerOrUnavailable(head);
  return 'kind' in header ? header : { kind: 'found', header: publicHeader(header) };
}

export async function readNewestPlan(kv: KeyValue): Promise<PlanRead> {
  const head = await kv.get(PLAN_HEAD_KEY);
  if (head === undefined) return { kind: 'none' };
  const header = headerOrUnavailable(head);
  if ('kind' in header) return header;
  try {
    return { kind: 'found', plan: await readChunks(kv, header) };
  } catch (error) {
    // The newest plan is never deleted: a missing chunk is damage, never "no plan".
    if (error instanceof MissingChunkError) return unavailable(`the newest plan (generation ${header.generation}) cannot be read whole: ${error.reason}`, error.prefix);
    throw error;
  }
}

export async function readPlan(kv: KeyValue, generation: bigint): Promise<PlanRead> {
  const entry = await kv.get(planIndexKey(generation));
  if (entry === undefined) return { kind: 'none' };
  const header = headerOrUnavailable(entry);
  if ('kind' in header) return header;
  try {
    return { kind: 'found', plan: await readChunks(kv, header) };
  } catch (error) {
    if (!(error instanceof MissingChunkError)) throw error;
    // Deleted by cleanup while we read it: the plan is gone, whole. Otherwise it is damage.
    if ((await kv.get(planIndexKey(generation))) === undefined) return { kind: 'none' };
    return unavailable(`plan ${generation} cannot be read whole: ${error.reason}`, error.prefix);
  }
}

export async function listPlans(kv: KeyValue): Promise<Listed<PlanHeader>> {
  const listed = await listStoredHeaders(kv);
  return 'kind' in listed ? listed : { kind: 'listed', items: listed.map(publicHeader) };
}

export async function readPlansSince(kv: KeyValue, sinceMs: number): Promise<Listed<StoredPlan>> {
  const listed = await listStoredHeaders(kv);
  if ('kind' in listed) return listed;
  const plans: StoredPlan[] = [];
  for (const header of listed) {
    if (header.createdAtMs < sinceMs) continue;
    const read = await readPlan(kv, header.generation);
    if (read.kind === 'unavailable') return read;
    if (read.kind === 'found') plans.push(read.plan);
  }
  return { kind: 'listed', items: plans };
}

/**
 * Cleanup: index keys below `below` and below the newest go first (the plan disappears
 * whole), then their chunks; then chunks no header references and older than any upload in
 * flight. Never the newest; a crash half-way leaves only unreferenced chunks.
 */
export async function deletePlans(kv: KeyValue, clock: Clock, below: bigint): Promise<DeleteOutcome> {
  const head = await kv.get(PLAN_HEAD_KEY);
  if (head === undefined) return { kind: 'deleted', generations: [] };
  const newest = headerOrUnavailable(head);
  if ('kind' in newest) return newest;
  const listed = await listStoredHeaders(kv);
  if ('kind' in listed) return listed;
  const bound = below < newest.generation ? below : newest.generation;
  const doomed = listed.filter((h) => h.generation < bound);
  const kept = new Set(listed.filter((h) => h.generation >= bound).map((h) => h.prefix));
  kept.add(newest.prefix);
  const deleted: bigint[] = [];
  for (let i = 0; i < doomed.length; i += TXN_OPS_MAX / 2) {
    const batch = doomed.slice(i, i + TXN_OPS_MAX / 2);
    const writes: KvWrite[] = [];
    for (const header of batch) writes.push({ kind: 'delete', key: planIndexKey(header.generation) });
    for (const header of batch) if (!kept.has(header.prefix)) writes.push({ kind: 'delete-prefix', prefix: header.prefix });
    await kv.txn([], writes);
    deleted.push(...batch.map((h) => h.generation));
  }
  await sweepOrphanChunks(kv, clock, kept);
  return { kind: 'deleted', generations: deleted };
}

async function sweepOrphanChunks(kv: KeyValue, clock: Clock, referenced: ReadonlySet<string>): Promise<void> {
  const chunkKeys = await kv.range(PLAN_CHUNKS_PREFIX, { isKeysOnly: true });
  const orphans = new Set<string>();
  const oldestKeptMs = clock.nowMs() - ORPHAN_AGE_MS;
  for (const { key } of chunkKeys) {
    const prefix = blobPrefixOfChunk(key);
    if (!referenced.has(prefix) && createdAtOfChunksPrefix(prefix) < oldestKeptMs) orphans.add(prefix);
  }
  const prefixes = [...orphans];
  for (let i = 0; i < prefixes.length; i += TXN_OPS_MAX) {
    await kv.txn([], prefixes.slice(i, i + TXN_OPS_MAX).map((prefix) => ({ kind: 'delete-prefix', prefix }) as const));
  }
}

async function listStoredHeaders(kv: KeyValue): Promise<StoredHeader[] | Unavailable> {
  const entries = await kv.range(PLAN_INDEX_PREFIX);
  const headers: StoredHeader[] = [];
  for (const entry of entries) {
    const header = headerOrUnavailable(entry);
    if ('kind' in header) return header;
    headers.push(header);
  }
  return headers;
}

async function readChunks(kv: KeyValue, header: StoredHeader): Promise<StoredPlan> {
  const ref: BlobRef = { prefix: header.prefix, chunkCount: header.chunkCount, byteLength: header.byteLength, digest: header.digest };
  const chunks = await readBlob(kv, ref);
  return { header: publicHeader(header), plan: { schemaVersion: header.schemaVersion, chunks, digest: header.digest } };
}

function headerOrUnavailable(entry: KvEntry): StoredHeader | Unavailable {
  try {
    return parseHeader(entry);
  } catch (error) {
    if (error instanceof CorruptValueError) return unavailable(`a plan header cannot be read: ${error.detail}`, entry.key);
    throw error;
  }
}

function parseHeader(entry: KvEntry): StoredHeader {
  const object = fromJsonBytes(entry.value, entry.key);
  const schema = objectField(object, 'schemaVersion', entry.key);
  return {
    generation: bigintField(object, 'generation', entry.key),
    parentGeneration: nullableBigintField(object, 'parentGeneration', entry.key),
    createdAtMs: numberField(object, 'createdAtMs', entry.key),
    schemaVersion: { major: numberField(schema, 'major', entry.key), minor: numberField(schema, 'minor', entry.key) },
    chunkCount: numberField(object, 'chunkCount', entry.key),
    byteLength: numberField(object, 'byteLength', entry.key),
    digest: stringField(object, 'digest', entry.key),
    prefix: stringField(object, 'prefix', entry.key),
  };
}

function publicHeader(header: StoredHeader): PlanHeader {
  const { prefix: _prefix, ...rest } = header;
  return rest;
}
