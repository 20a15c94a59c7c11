import { createHash } from 'node:crypto';
import { ResoluteError } from '../base/errors.js';
import { EndpointTable } from './endpoint-table.js';
import { isSameEndpoint, type Plan, type PlanDraft, type PlanEndpoint, type PlanReason, type PlanRecord, type PlanZone } from './plan.js';

/**
 * A plan as bytes for the store, and back (pure: no I/O). The store never decodes plans, so a
 * store of one release can hold the plans of another during a rolling upgrade.
 *
 * Format (UTF-8 text, one JSON value per line, endpoints sorted by name so equal plans encode
 * to equal bytes):
 *   line 0: {"format":"resolute-plan","schema":[major,minor],"parentGeneration":"41"|null,
 *            "createdAtMs":…,"zones":[…],"reasons":[…],"unsettledNames":[…],"endpointCount":n}
 *   then one line per endpoint: [name, zone, type, ttlSeconds, policy, activeRegion,
 *            isFailOpen, [[address, target, weight, role, sinceMs], …]]
 * Versioning: a minor version only adds (object fields, trailing tuple elements), which older
 * readers ignore; anything else is a new major, which older readers refuse (ERR_PLAN_SCHEMA)
 * instead of guessing. Generations are decimal strings: they are 64-bit.
 */
export const PLAN_SCHEMA_VERSION = Object.freeze({ major: 1, minor: 0 });

/** Well under etcd's 1.5 MiB request limit; four chunks fit in one store transaction. */
export const PLAN_CHUNK_BYTES = 256 * 1024;

const FORMAT = 'resolute-plan';

/** Same shape as the store's EncodedPlan (plan/ does not import store/). */
export interface EncodedPlanBytes {
  readonly schemaVersion: { readonly major: number; readonly minor: number };
  readonly chunks: readonly Uint8Array[];
  /** Lower-case hex sha-256 over the chunks in order. */
  readonly digest: string;
}

export function encodePlan(draft: PlanDraft, options: { readonly chunkBytes?: number } = {}): EncodedPlanBytes {
  const endpoints = [...draft.endpoints.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header = {
    format: FORMAT,
    schema: [PLAN_SCHEMA_VERSION.major, PLAN_SCHEMA_VERSION.minor],
    parentGeneration: draft.parentGeneration === null ? null : draft.parentGeneration.toString(),
    createdAtMs: draft.createdAtMs,
    zones: draft.zones,
    reasons: draft.reasons,
    unsettledNames: draft.unsettledNames,
    endpointCount: endpoints.length,
  };
  const lines = [JSON.stringify(header)];
  for (const e of endpoints) {
    const records = e.records.map((r) => [r.address, r.target, r.weight, r.role, r.sinceMs]);
    lines.push(JSON.stringify([e.name, e.zone, e.type, e.ttlSeconds, e.policy, e.activeRegion, e.isFailOpen, records]));
  }
  const bytes = new TextEncoder().encode(lines.join('\n'));
  const chunkBytes = options.chunkBytes ?? PLAN_CHUNK_BYTES;
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkBytes) chunks.push(bytes.subarray(offset, Math.min(bytes.length, offset + chunkBytes)));
  return { schemaVersion: PLAN_SCHEMA_VERSION, chunks, digest: digestOf(chunks) };
}

/**
 * The stored plan `generation`, decoded and frozen. With `previous` (a plan already decoded,
 * usually the one before), endpoints equal to its own are its very objects and its unchanged
 * buckets are shared, so diffing the two costs the size of the change (diff-plans.ts).
 */
export function decodePlan(encoded: EncodedPlanBytes, generation: bigint, options: { readonly previous?: Plan } = {}): Plan {
  refuseNewerMajor(encoded.schemaVersion.major, `generation ${generation}`);
  if (digestOf(encoded.chunks) !== encoded.digest) {
    throw new ResoluteError('ERR_PLAN_DIGEST', `plan bytes do not match their digest ${encoded.digest.slice(0, 12)}…`, {
      where: `generation ${generation}`,
      hint: 'the stored copy is damaged or incomplete: treat the store as unavailable and read again',
    });
  }
  const lines = new TextDecoder().decode(concat(encoded.chunks)).split('\n');
  const header = parseLine(lines[0], generation, 0) as Record<string, unknown>;
  if (header === null || typeof header !== 'object' || header.format !== FORMAT || !Array.isArray(header.schema)) {
    throw new ResoluteError('ERR_PLAN_SCHEMA', 'these bytes are not a Resolute plan', { where: `generation ${generation}`, hint: 'the store holds something else under this key' });
  }
  refuseNewerMajor(Number(header.schema[0]), `generation ${generation}`);
  const endpoints: PlanEndpoint[] = [];
  for (let i = 1; i < lines.length; i++) endpoints.push(decodeEndpoint(parseLine(lines[i], generation, i) as unknown[]));
  if (endpoints.length !== header.endpointCount) throw badPlan(`${endpoints.length} endpoints, the header says ${String(header.endpointCount)}`, generation);
  return Object.freeze({
    generation,
    parentGeneration: header.parentGeneration === null ? null : BigInt(String(header.parentGeneration)),
    createdAtMs: Number(header.createdAtMs),
    zones: deepFreeze(header.zones as PlanZone[]),
    endpoints: tableOf(endpoints, options.previous),
    reasons: deepFreeze(header.reasons as PlanReason[]),
    unsettledNames: deepFreeze(header.unsettledNames as string[]),
  });
}

function refuseNewerMajor(major: number, where: string): void {
  if (major > PLAN_SCHEMA_VERSION.major) {
    throw new ResoluteError('ERR_PLAN_SCHEMA', `plan schema version ${major}.x is newer than this release knows (${PLAN_SCHEMA_VERSION.major}.${PLAN_SCHEMA_VERSION.minor})`, {
      where,
      hint: 'a rolling upgrade is in progress: upgrade this process before it applies plans',
    });
  }
}

function decodeEndpoint(tuple: unknown[]): PlanEndpoint {
  const [name, zone, type, ttlSeconds, policy, activeRegion, isFailOpen, records] = tuple as [string, string, PlanEndpoint['type'], number, PlanEndpoint['policy'], string | null, boolean, unknown[][]];
  const decoded: PlanRecord[] = records.map(([address, target, weight, role, sinceMs]) =>
    Object.freeze({ address: address as string, target: target as string, weight: weight as number, role: role as PlanRecord['role'], sinceMs: sinceMs as number }),
  );
  return Object.freeze({ name, zone, type, ttlSeconds, policy, activeRegion, isFailOpen, records: Object.freeze(decoded) });
}

function tableOf(endpoints: PlanEndpoint[], previous: Plan | undefined): EndpointTable {
  if (previous === undefined) return EndpointTable.from(endpoints);
  const changed = endpoints.filter((e) => {
    const before = previous.endpoints.get(e.name);
    return before === undefined || !isSameEndpoint(before, e);
  });
  const names = new Set(endpoints.map((e) => e.name));
  const removed = [...previous.endpoints.values()].filter((e) => !names.has(e.name)).map((e) => e.name);
  return previous.endpoints.with(changed, removed);
}

function parseLine(line: string, generation: bigint, index: number): unknown {
  try {
    return JSON.parse(line);
  } catch (error) {
    throw badPlan(`line ${index} is not JSON: ${(error as Error).message}`, generation);
  }
}

function badPlan(reason: string, generation: bigint): ResoluteError {
  return new ResoluteError('ERR_PLAN_SCHEMA', `plan does not follow its schema: ${reason}`, { where: `generation ${generation}`, hint: 'the plan was written by an incompatible release' });
}

function digestOf(chunks: readonly Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest('hex');
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
