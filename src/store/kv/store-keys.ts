/**
 * The key layout, in one place (src/store/README.md draws it). Keys are ASCII and sort as
 * bytes; numbers are zero-padded so that order is numeric order; names chosen by users
 * (providers, zones, leases, ids) are percent-encoded, so no name can reach into another
 * prefix.
 */
const pad20 = (n: bigint): string => n.toString().padStart(20, '0');
const pad15 = (n: number): string => String(Math.max(0, Math.trunc(n))).padStart(15, '0');
const part = (name: string): string => encodeURIComponent(name);

export const PLAN_HEAD_KEY = 'plans/head';
export const PLAN_INDEX_PREFIX = 'plans/gen/';
export const PLAN_CHUNKS_PREFIX = 'plans/chunks/';
export const APPLIED_PREFIX = 'applied/';
export const HEARTBEATS_PREFIX = 'heartbeats/';
export const AUDIT_PREFIX = 'audit/';
export const HEALTH_TRANSITIONS_PREFIX = 'health/transitions/';
export const CHECKERS_PREFIX = 'health/checkers/';
export const FREEZE_KEY = 'planner/freeze';
export const DRAINS_PREFIX = 'planner/drains/';

export const planIndexKey = (generation: bigint): string => `${PLAN_INDEX_PREFIX}${pad20(generation)}`;

/** Content-addressed, with the creation time first so a sweep can spare uploads in flight. */
export const planChunksPrefix = (createdAtMs: number, digest: string): string => `${PLAN_CHUNKS_PREFIX}${pad15(createdAtMs)}-${digest}/`;

export function createdAtOfChunksPrefix(prefix: string): number {
  return Number(prefix.slice(PLAN_CHUNKS_PREFIX.length, PLAN_CHUNKS_PREFIX.length + 15));
}

/** Provider-wide: `applied/<provider>/`; per zone: `applied/<provider>/<zone>`. */
export const appliedKey = (provider: string, zone: string | undefined): string => `${APPLIED_PREFIX}${part(provider)}/${zone === undefined ? '' : part(zone)}`;

export function parseAppliedKey(key: string): { provider: string; zone: string | null } {
  const [provider, zone] = key.slice(APPLIED_PREFIX.length).split('/');
  return { provider: decodeURIComponent(provider), zone: zone === '' || zone === undefined ? null : decodeURIComponent(zone) };
}

export const zoneBlobsPrefix = (provider: string, zone: string): string => `zones/${part(provider)}/${part(zone)}/`;

/** One write's record sets (`delta`) or a fold of them (`snapshot`), by generation and writer. */
export const zoneBlobPrefix = (provider: string, zone: string, kind: 'delta' | 'snapshot', generation: bigint, writeId: string): string =>
  `${zoneBlobsPrefix(provider, zone)}${pad20(generation)}-${kind}-${writeId}/`;

export function generationOfZoneBlob(blobPrefix: string, zonePrefix: string): bigint {
  return BigInt(blobPrefix.slice(zonePrefix.length, zonePrefix.length + 20));
}

export const leaseKey = (name: string): string => `leases/${part(name)}`;
export const heartbeatKey = (id: string): string => `${HEARTBEATS_PREFIX}${part(id)}`;
export const auditKey = (atMs: number, id: string): string => `${AUDIT_PREFIX}${pad15(atMs)}-${id}`;
export const healthTransitionKey = (atMs: number, id: string): string => `${HEALTH_TRANSITIONS_PREFIX}${pad15(atMs)}-${id}`;
export const drainKey = (target: string): string => `${DRAINS_PREFIX}${part(target)}`;
export const checkerKey = (checkerId: string): string => `${CHECKERS_PREFIX}${part(checkerId)}`;

/** The blob prefix a chunk key belongs to: everything up to and including the last '/'. */
export function blobPrefixOfChunk(key: string): string {
  return key.slice(0, key.lastIndexOf('/') + 1);
}
