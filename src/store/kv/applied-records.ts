import { assert } from '../../base/assert.js';
import type { Clock } from '../../base/clock.js';
import type { AppliedGeneration, AppliedKey, AppliedRead, ExpectedGeneration, FencedOutcome, Listed, SetAppliedRequest } from '../store.js';
import type { KeyValue, KvEntry } from './key-value.js';
import { bigintField, CorruptValueError, fromJsonBytes, numberField, stringField, toJsonBytes, type JsonObject } from './json-value.js';
import { APPLIED_PREFIX, appliedKey, parseAppliedKey } from './store-keys.js';
import { parseZoneState, type ZoneState } from './zone-state.js';

/** An applied-generation key as read: its value, parsed, or why it could not be. */
export interface AppliedEntry {
  readonly key: string;
  /** 0n: the key does not exist. */
  readonly modRevision: bigint;
  readonly current: ExpectedGeneration;
  readonly applied?: AppliedGeneration;
  /** The built-in provider's record sets at this generation (zone keys only). */
  readonly zoneState?: ZoneState;
  readonly corruptDetail?: string;
}

export async function readAppliedEntry(kv: KeyValue, key: AppliedKey): Promise<AppliedEntry> {
  const k = appliedKey(key.provider, key.zone);
  const entry = await kv.get(k);
  if (entry === undefined) return { key: k, modRevision: 0n, current: null };
  try {
    const { applied, zoneState } = parseApplied(entry);
    return { key: k, modRevision: entry.modRevision, current: applied.generation, applied, ...(zoneState === undefined ? {} : { zoneState }) };
  } catch (error) {
    if (error instanceof CorruptValueError) return { key: k, modRevision: entry.modRevision, current: 'corrupt', corruptDetail: error.detail };
    throw error;
  }
}

export async function readApplied(kv: KeyValue, key: AppliedKey): Promise<AppliedRead> {
  const entry = await readAppliedEntry(kv, key);
  if (entry.current === null) return { kind: 'none' };
  if (entry.current === 'corrupt') return { kind: 'corrupt', detail: entry.corruptDetail ?? 'unreadable' };
  assert(entry.applied !== undefined, 'a readable applied entry has its generation');
  return { kind: 'found', applied: entry.applied };
}

export async function listApplied(kv: KeyValue): Promise<Listed<AppliedGeneration>> {
  const items: AppliedGeneration[] = [];
  for (const entry of await kv.range(APPLIED_PREFIX)) {
    try {
      items.push(parseApplied(entry).applied);
    } catch (error) {
      // A corrupt row is left out: readApplied reports it to the one who must repair it.
      if (!(error instanceof CorruptValueError)) throw error;
    }
  }
  return { kind: 'listed', items };
}

/** The fence (DESIGN): the stored generation is still what the writer read, and below the new one. */
export function isFenceOpen(entry: AppliedEntry, expected: ExpectedGeneration, generation: bigint): boolean {
  if (entry.current !== expected) return false;
  return typeof entry.current !== 'bigint' || entry.current < generation;
}

export async function setApplied(kv: KeyValue, clock: Clock, request: SetAppliedRequest): Promise<FencedOutcome> {
  const entry = await readAppliedEntry(kv, request);
  if (!isFenceOpen(entry, request.expected, request.generation)) return { kind: 'fenced', current: entry.current };
  // A provider-wide set keeps the zone's record sets: they are still what is served.
  const value = appliedValue(request.generation, clock.nowMs(), request.by, entry.zoneState);
  const isSet = await kv.txn([{ key: entry.key, modRevision: entry.modRevision }], [{ kind: 'put', key: entry.key, value }]);
  if (isSet) return { kind: 'applied', generation: request.generation };
  return { kind: 'fenced', current: (await readAppliedEntry(kv, request)).current };
}

export function appliedValue(generation: bigint, atMs: number, by: string, zoneState: ZoneState | undefined): Uint8Array {
  return toJsonBytes({ generation, atMs, by, ...(zoneState === undefined ? {} : { recordSets: zoneState }) });
}

function parseApplied(entry: KvEntry): { applied: AppliedGeneration; zoneState?: ZoneState } {
  const object: JsonObject = fromJsonBytes(entry.value, entry.key);
  const { provider, zone } = parseAppliedKey(entry.key);
  const applied: AppliedGeneration = {
    provider,
    zone,
    generation: bigintField(object, 'generation', entry.key),
    atMs: numberField(object, 'atMs', entry.key),
    by: stringField(object, 'by', entry.key),
  };
  if (object.recordSets === undefined) return { applied };
  return { applied, zoneState: parseZoneState(object.recordSets, entry.key) };
}
