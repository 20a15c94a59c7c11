import type { Clock } from '../../base/clock.js';
import type { Lease, LeaseOutcome, LeaseRead, LeaseRequest, ReleaseOutcome, Unavailable } from '../store.js';
import type { KeyValue, KvEntry } from './key-value.js';
import { CorruptValueError, fromJsonBytes, numberField, stringField, toJsonBytes } from './json-value.js';
import { leaseKey } from './store-keys.js';

/**
 * Leases elect one active planner (DESIGN: safety never depends on them). Expiry is by the
 * store's clock; every change is a compare-and-set on the lease's key, so two contenders
 * cannot both win, and only the holder renews or releases.
 */
export async function acquireLease(kv: KeyValue, clock: Clock, request: LeaseRequest): Promise<LeaseOutcome> {
  const read = await readEntry(kv, request.name);
  if ('kind' in read) return read;
  const nowMs = clock.nowMs();
  const { entry, lease } = read;
  const isOurs = lease?.holder === request.holder && lease.expiresAtMs > nowMs;
  if (lease !== undefined && lease.expiresAtMs > nowMs && !isOurs) return { kind: 'taken', lease };
  const next: Lease = { name: request.name, holder: request.holder, acquiredAtMs: isOurs ? lease.acquiredAtMs : nowMs, expiresAtMs: nowMs + request.ttlMs };
  return put(kv, entry, next);
}

export async function renewLease(kv: KeyValue, clock: Clock, request: LeaseRequest): Promise<LeaseOutcome> {
  const read = await readEntry(kv, request.name);
  if ('kind' in read) return read;
  const { entry, lease } = read;
  if (lease === undefined || lease.holder !== request.holder) return { kind: 'taken', lease: lease ?? null };
  // Expired but untaken: nobody else acted on it, so the holder may carry on.
  return put(kv, entry, { ...lease, expiresAtMs: clock.nowMs() + request.ttlMs });
}

export async function releaseLease(kv: KeyValue, request: { readonly name: string; readonly holder: string }): Promise<ReleaseOutcome> {
  const read = await readEntry(kv, request.name);
  if ('kind' in read) return read;
  const { entry, lease } = read;
  if (entry === undefined || lease?.holder !== request.holder) return { kind: 'not-holder' };
  const isDeleted = await kv.txn([{ key: entry.key, modRevision: entry.modRevision }], [{ kind: 'delete', key: entry.key }]);
  return isDeleted ? { kind: 'released' } : { kind: 'not-holder' };
}

export async function readLease(kv: KeyValue, clock: Clock, name: string): Promise<LeaseRead> {
  const read = await readEntry(kv, name);
  if ('kind' in read) return read;
  if (read.lease === undefined) return { kind: 'none' };
  return { kind: 'found', lease: read.lease, isExpired: read.lease.expiresAtMs <= clock.nowMs() };
}

async function put(kv: KeyValue, entry: KvEntry | undefined, lease: Lease): Promise<LeaseOutcome> {
  const key = leaseKey(lease.name);
  const isPut = await kv.txn([{ key, modRevision: entry?.modRevision ?? 0n }], [{ kind: 'put', key, value: toJsonBytes(lease) }]);
  if (isPut) return { kind: 'held', lease };
  const now = await readEntry(kv, lease.name);
  return 'kind' in now ? now : { kind: 'taken', lease: now.lease ?? null };
}

async function readEntry(kv: KeyValue, name: string): Promise<{ entry?: KvEntry; lease?: Lease } | Unavailable> {
  const entry = await kv.get(leaseKey(name));
  if (entry === undefined) return {};
  try {
    const object = fromJsonBytes(entry.value, entry.key);
    const lease: Lease = {
      name,
      holder: stringField(object, 'holder', entry.key),
      acquiredAtMs: numberField(object, 'acquiredAtMs', entry.key),
      expiresAtMs: numberField(object, 'expiresAtMs', entry.key),
    };
    return { entry, lease };
  } catch (error) {
    // An unreadable lease is treated as expired: leases never carry safety, so taking it is harmless.
    if (error instanceof CorruptValueError) return { entry };
    throw error;
  }
}

