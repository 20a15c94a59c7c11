import type { Clock } from '../../base/clock.js';
import type { Random } from '../../base/random.js';
import type {
  AuditEntry,
  AuditInput,
  CheckerHeartbeat,
  Drain,
  DrainRequest,
  FreezeRead,
  FreezeRequest,
  HealthTransition,
  Heartbeat,
  HeartbeatInput,
  Listed,
  WriteOutcome,
} from '../store.js';
import type { KeyValue, KvEntry } from './key-value.js';
import { CorruptValueError, fromJsonBytes, optionalBigintField, toJsonBytes, type JsonObject } from './json-value.js';
import {
  AUDIT_PREFIX,
  auditKey,
  CHECKERS_PREFIX,
  checkerKey,
  drainKey,
  DRAINS_PREFIX,
  FREEZE_KEY,
  HEALTH_TRANSITIONS_PREFIX,
  healthTransitionKey,
  heartbeatKey,
  HEARTBEATS_PREFIX,
} from './store-keys.js';

/**
 * What roles report for `status`, the dashboard and the verifier: single-key puts, and range
 * reads by prefix. Nothing here is a fence, so there are no compares: the last write wins.
 */
export async function recordHeartbeat(kv: KeyValue, clock: Clock, heartbeat: HeartbeatInput): Promise<WriteOutcome> {
  return put(kv, heartbeatKey(heartbeat.id), { ...heartbeat, atMs: clock.nowMs() });
}

export async function listHeartbeats(kv: KeyValue): Promise<Listed<Heartbeat>> {
  return list(kv, HEARTBEATS_PREFIX, {}, (object, key) => ({ ...(object as unknown as Heartbeat), ...generationOf(object, key) }));
}

export async function appendAudit(kv: KeyValue, clock: Clock, random: Random, entry: AuditInput): Promise<WriteOutcome> {
  const atMs = clock.nowMs();
  return put(kv, auditKey(atMs, uniqueSuffix(random)), { ...entry, atMs });
}

export async function readAudit(kv: KeyValue, limit: number): Promise<Listed<AuditEntry>> {
  return list(kv, AUDIT_PREFIX, { isReversed: true, limit }, (object, key) => ({ ...(object as unknown as AuditEntry), ...generationOf(object, key) }));
}

export async function recordHealthTransition(kv: KeyValue, random: Random, transition: HealthTransition): Promise<WriteOutcome> {
  return put(kv, healthTransitionKey(transition.atMs, uniqueSuffix(random)), transition);
}

export async function readHealthTransitions(kv: KeyValue, sinceMs: number, limit: number): Promise<Listed<HealthTransition>> {
  const listed = await list(kv, HEALTH_TRANSITIONS_PREFIX, { isReversed: true, limit }, (object) => object as unknown as HealthTransition);
  if (listed.kind !== 'listed') return listed;
  return { kind: 'listed', items: listed.items.filter((t) => t.atMs >= sinceMs).reverse() };
}

export async function recordCheckerHeartbeat(kv: KeyValue, heartbeat: CheckerHeartbeat): Promise<WriteOutcome> {
  return put(kv, checkerKey(heartbeat.checkerId), heartbeat);
}

export async function listCheckerHeartbeats(kv: KeyValue): Promise<Listed<CheckerHeartbeat>> {
  return list(kv, CHECKERS_PREFIX, {}, (object) => object as unknown as CheckerHeartbeat);
}

export async function setFreeze(kv: KeyValue, clock: Clock, request: FreezeRequest): Promise<WriteOutcome> {
  return put(kv, FREEZE_KEY, { isFrozen: request.isFrozen, by: request.by, reason: request.reason, atMs: clock.nowMs() });
}

export async function readFreeze(kv: KeyValue): Promise<FreezeRead> {
  const entry = await kv.get(FREEZE_KEY);
  const object = entry === undefined ? undefined : parseOrUndefined(entry);
  if (object === undefined) return { kind: 'found', freeze: { isFrozen: false, by: 'nobody', reason: 'never frozen', atMs: 0 } };
  return {
    kind: 'found',
    freeze: { isFrozen: object.isFrozen === true, by: String(object.by), reason: String(object.reason), atMs: Number(object.atMs) },
  };
}

export async function setDrain(kv: KeyValue, clock: Clock, request: DrainRequest): Promise<WriteOutcome> {
  return put(kv, drainKey(request.target), { target: request.target, isDrained: request.isDrained, by: request.by, reason: request.reason, atMs: clock.nowMs() });
}

export async function listDrains(kv: KeyValue): Promise<Listed<Drain>> {
  return list(kv, DRAINS_PREFIX, {}, (object) => ({
    target: String(object.target),
    isDrained: object.isDrained === true,
    by: String(object.by),
    reason: String(object.reason),
    atMs: Number(object.atMs),
  }));
}

async function put(kv: KeyValue, key: string, value: object): Promise<WriteOutcome> {
  await kv.txn([], [{ kind: 'put', key, value: toJsonBytes(value) }]);
  return { kind: 'written' };
}

async function list<T>(kv: KeyValue, prefix: string, options: { isReversed?: boolean; limit?: number }, parse: (object: JsonObject, key: string) => T): Promise<Listed<T>> {
  const items: T[] = [];
  for (const entry of await kv.range(prefix, options)) {
    const object = parseOrUndefined(entry);
    // A report that cannot be read is left out: reports inform, they never decide.
    if (object !== undefined) items.push(parse(object, entry.key));
  }
  return { kind: 'listed', items };
}

function parseOrUndefined(entry: KvEntry): JsonObject | undefined {
  try {
    return fromJsonBytes(entry.value, entry.key);
  } catch (error) {
    if (error instanceof CorruptValueError) return undefined;
    throw error;
  }
}

function generationOf(object: JsonObject, key: string): { generation?: bigint } {
  try {
    const generation = optionalBigintField(object, 'generation', key);
    return generation === undefined ? {} : { generation };
  } catch {
    return {};
  }
}

/** Two reports in the same millisecond get different keys. */
function uniqueSuffix(random: Random): string {
  return (random.int(2 ** 32) >>> 0).toString(16).padStart(8, '0');
}
