import type { BlobRef } from './chunked-blob.js';
import { bigintField, booleanField, CorruptValueError, numberField, stringField, type JsonObject } from './json-value.js';

/** One write's record sets (a delta) or a fold of every write up to it (a snapshot). */
export interface ZoneBlob extends BlobRef {
  readonly generation: bigint;
  /** The blob holds the whole zone (a snapshot, or a write with `isFull`). */
  readonly isFull: boolean;
}

/**
 * What a zone's applied-generation key says about its record sets: the zone at its generation
 * is the snapshot plus every delta after it. The deltas kept also reach back past the snapshot,
 * to `deltasAfter`, so a DNS process a few generations behind reads only what changed (O(k))
 * instead of the zone. Everything here is small (refs, not record sets), so the fenced write
 * stays one compare-and-set on one key however large the zone.
 */
export interface ZoneState {
  readonly snapshot: ZoneBlob | null;
  /** Ascending by generation; every delta above the snapshot's generation is here. */
  readonly deltas: readonly ZoneBlob[];
  /** The deltas hold every change with a generation above this one. */
  readonly deltasAfter: bigint;
}

export function parseZoneState(value: unknown, key: string): ZoneState {
  if (typeof value !== 'object' || value === null) throw new CorruptValueError(`${key}: recordSets is not an object`);
  const object = value as JsonObject;
  const deltas = object.deltas;
  if (!Array.isArray(deltas)) throw new CorruptValueError(`${key}: recordSets.deltas is not a list`);
  return {
    snapshot: object.snapshot === null ? null : parseBlob(object.snapshot, key),
    deltas: deltas.map((d) => parseBlob(d, key)),
    deltasAfter: bigintField(object, 'deltasAfter', key),
  };
}

function parseBlob(value: unknown, key: string): ZoneBlob {
  if (typeof value !== 'object' || value === null) throw new CorruptValueError(`${key}: a record-set blob is not an object`);
  const object = value as JsonObject;
  return {
    generation: bigintField(object, 'generation', key),
    isFull: booleanField(object, 'isFull', key),
    prefix: stringField(object, 'prefix', key),
    chunkCount: numberField(object, 'chunkCount', key),
    byteLength: numberField(object, 'byteLength', key),
    digest: stringField(object, 'digest', key),
  };
}
