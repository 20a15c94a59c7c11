import type { Clock } from '../../base/clock.js';
import type { Random } from '../../base/random.js';
import type { ApplyRecordSetsRequest, FencedOutcome, ReadRecordSetsRequest, RecordSetChange, RecordSetsRead } from '../store.js';
import { appliedValue, isFenceOpen, readAppliedEntry, type AppliedEntry } from './applied-records.js';
import { blobPresent, MissingChunkError, readBlob, splitChunks, writeBlob, concatChunks } from './chunked-blob.js';
import type { KeyValue, KvWrite } from './key-value.js';
import { TXN_OPS_MAX } from './key-value.js';
import { CorruptValueError } from './json-value.js';
import { decodeRecordSetChanges, encodeRecordSetChanges } from './record-set-codec.js';
import { blobPrefixOfChunk, generationOfZoneBlob, zoneBlobPrefix, zoneBlobsPrefix } from './store-keys.js';
import { unavailable } from './store-unavailable.js';
import type { ZoneBlob, ZoneState } from './zone-state.js';

/** Deltas above the snapshot before a write folds them into a new snapshot. */
const FOLD_AFTER = 32;
/** Deltas at or below the snapshot kept for readers a few generations behind. */
const DELTAS_KEPT = 16;
const READ_ATTEMPTS = 3;

/**
 * THE built-in provider's fenced write (DESIGN: "set applied generation to g and store its
 * record sets, only if it is still a (and a < g)"):
 *   1. read the zone's applied-generation key; the fence is checked on what it holds;
 *   2. write the changes as a blob under the zone's prefix, named by generation and a write id
 *      (invisible: nothing refers to it yet); every FOLD_AFTER writes, also a snapshot;
 *   3. ONE transaction: the key is unchanged and the blobs are present ⇒ put the new
 *      generation with the new refs. Generation and record sets change together or not at all;
 *   4. delete blobs no ref reaches any more (a reader that loses one mid-read reads again).
 */
export async function applyRecordSets(kv: KeyValue, clock: Clock, random: Random, request: ApplyRecordSetsRequest): Promise<FencedOutcome> {
  const entry = await readAppliedEntry(kv, request);
  if (!isFenceOpen(entry, request.expected, request.generation)) return { kind: 'fenced', current: entry.current };
  const { provider, zone, generation } = request;
  const writeId = (random.int(2 ** 32) >>> 0).toString(16).padStart(8, '0');
  // A zone with no readable history starts one here: readers behind it get the whole zone.
  const state: ZoneState = entry.zoneState ?? { snapshot: null, deltas: [], deltasAfter: generation };
  const changes = [...new Map(request.changes.map((c) => [c.name, c])).values()].sort(byName);
  const deltaRef = await writeBlob(kv, zoneBlobPrefix(provider, zone, 'delta', generation, writeId), splitChunks(encodeRecordSetChanges(changes)));
  const delta: ZoneBlob = { ...deltaRef, generation, isFull: request.isFull === true };
  let snapshot = state.snapshot;
  let deltas = [...state.deltas, delta];
  const written = [delta];
  if (delta.isFull) {
    snapshot = delta;
  } else if (deltas.filter((d) => d.generation > (snapshot?.generation ?? -1n)).length > FOLD_AFTER) {
    const whole = await foldZone(kv, { ...state, deltas });
    const ref = await writeBlob(kv, zoneBlobPrefix(provider, zone, 'snapshot', generation, writeId), splitChunks(encodeRecordSetChanges(whole)));
    snapshot = { ...ref, generation, isFull: true };
    written.push(snapshot);
  }
  let deltasAfter = state.deltasAfter;
  const covered = snapshot === null ? 0 : deltas.filter((d) => d.generation <= snapshot.generation).length;
  if (covered > DELTAS_KEPT) {
    deltasAfter = deltas[covered - DELTAS_KEPT - 1].generation;
    deltas = deltas.slice(covered - DELTAS_KEPT);
  }
  const next: ZoneState = { snapshot, deltas, deltasAfter };
  const isSet = await kv.txn(
    [{ key: entry.key, modRevision: entry.modRevision }, ...written.flatMap(blobPresent)],
    [{ kind: 'put', key: entry.key, value: appliedValue(generation, clock.nowMs(), request.by, next) }],
  );
  if (!isSet) {
    const now = await readAppliedEntry(kv, request);
    if (now.modRevision === entry.modRevision) return unavailable('the record sets were swept while being written', entry.key);
    return { kind: 'fenced', current: now.current };
  }
  if (written.length > 1 || delta.isFull) await sweepZone(kv, provider, zone, generation, entry, next);
  return { kind: 'applied', generation };
}

export async function readRecordSets(kv: KeyValue, request: ReadRecordSetsRequest): Promise<RecordSetsRead> {
  for (let attempt = 1; ; attempt++) {
    const entry = await readAppliedEntry(kv, request);
    if (entry.current === null) return { kind: 'none' };
    if (entry.current === 'corrupt') return unavailable(`the zone's applied generation cannot be read: ${entry.corruptDetail}`, entry.key);
    if (entry.zoneState === undefined) return { kind: 'none' };
    try {
      return await readState(kv, entry.current, entry.zoneState, request.sinceGeneration);
    } catch (error) {
      if (error instanceof CorruptValueError) return unavailable(error.detail, entry.key);
      if (!(error instanceof MissingChunkError)) throw error;
      // A newer write swept what we were reading: read the newer state instead.
      if (attempt >= READ_ATTEMPTS) return unavailable(`the record sets cannot be read whole: ${error.reason}`, error.prefix);
    }
  }
}

async function readState(kv: KeyValue, generation: bigint, state: ZoneState, since: bigint | undefined): Promise<RecordSetsRead> {
  if (since !== undefined && since >= state.deltasAfter && since <= generation) {
    const newer = state.deltas.filter((d) => d.generation > since);
    if (!newer.some((d) => d.isFull)) {
      // One delta is already one change per name, sorted (applyRecordSets writes it so): no merge.
      if (newer.length === 1) return { kind: 'found', generation, isFull: false, changes: await readChanges(kv, newer[0]) };
      const changed = new Map<string, RecordSetChange>();
      for (const delta of newer) for (const change of await readChanges(kv, delta)) changed.set(change.name, change);
      return { kind: 'found', generation, isFull: false, changes: [...changed.values()].sort(byName) };
    }
  }
  return { kind: 'found', generation, isFull: true, changes: await foldZone(kv, state) };
}

/** The whole zone: the snapshot, then every delta above it, deletions applied. */
async function foldZone(kv: KeyValue, state: ZoneState): Promise<RecordSetChange[]> {
  const names = new Map<string, RecordSetChange>();
  const base = state.snapshot;
  if (base !== null) for (const change of await readChanges(kv, base)) names.set(change.name, change);
  for (const delta of state.deltas) {
    if (base !== null && delta.generation <= base.generation) continue;
    if (delta.isFull) names.clear();
    for (const change of await readChanges(kv, delta)) names.set(change.name, change);
  }
  return [...names.values()].filter((c) => c.value !== null).sort(byName);
}

async function readChanges(kv: KeyValue, blob: ZoneBlob): Promise<RecordSetChange[]> {
  return decodeRecordSetChanges(concatChunks(await readBlob(kv, blob)), blob.prefix);
}

/**
 * After a fold: blobs the previous state referred to and the new one does not, and any blob at
 * or below the new generation that nothing refers to (a fenced-out or crashed write). A write
 * above the generation may still be in flight, so those are spared.
 */
async function sweepZone(kv: KeyValue, provider: string, zone: string, generation: bigint, previous: AppliedEntry, next: ZoneState): Promise<void> {
  const zonePrefix = zoneBlobsPrefix(provider, zone);
  const referenced = new Set([...(next.snapshot === null ? [] : [next.snapshot.prefix]), ...next.deltas.map((d) => d.prefix)]);
  const doomed = new Set<string>();
  for (const blob of [...(previous.zoneState?.snapshot ? [previous.zoneState.snapshot] : []), ...(previous.zoneState?.deltas ?? [])]) {
    if (!referenced.has(blob.prefix)) doomed.add(blob.prefix);
  }
  for (const { key } of await kv.range(zonePrefix, { isKeysOnly: true })) {
    const prefix = blobPrefixOfChunk(key);
    if (!referenced.has(prefix) && generationOfZoneBlob(prefix, zonePrefix) <= generation) doomed.add(prefix);
  }
  const prefixes = [...doomed];
  for (let i = 0; i < prefixes.length; i += TXN_OPS_MAX) {
    await kv.txn([], prefixes.slice(i, i + TXN_OPS_MAX).map((prefix): KvWrite => ({ kind: 'delete-prefix', prefix })));
  }
}

const byName = (a: RecordSetChange, b: RecordSetChange): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
