import { unreachable } from '../base/assert.js';
import type { Clock } from '../base/clock.js';
import type { ResoluteError } from '../base/errors.js';
import { channels } from '../base/events.js';
import type { Plan } from '../plan/plan.js';
import type { Fence, FenceRead, Provider, ZoneRecords } from '../providers/provider.js';
import type { PlanHeader, Store } from '../store/store.js';
import { callProvider, DEFAULT_PROVIDER_TIMEOUT_MS } from './call-provider.js';
import { zoneLabel, type EnactContext, type ZoneKey } from './enact-context.js';
import { fenceText } from './fence-text.js';
import type { NewestPlanReader } from './newest-plan.js';
import { DEFAULT_BACKOFF, ProviderBackoff, type BackoffOptions } from './provider-backoff.js';
import { ZoneRecordsCache } from './zone-records-cache.js';
import { recordApplied, type RecordedApplied } from './record-applied.js';

/** What happened to one zone of one provider in one step. */
export type ZoneOutcome = ZoneKey &
  (
    | { readonly kind: 'applied'; readonly generation: bigint; readonly from: Fence; readonly recorded: RecordedApplied['kind'] }
    /** The provider already holds this generation (or a newer one that is not above the newest plan). */
    | { readonly kind: 'current'; readonly generation: bigint }
    /** Refused by the provider, and a newer plan exists: this plan is dropped (the 2025 enactor's missing step). */
    | { readonly kind: 'superseded'; readonly generation: bigint; readonly newest: bigint }
    /** Refused by the provider and not resolved within the step's attempts; re-decided next step. */
    | { readonly kind: 'fenced'; readonly generation: bigint; readonly current: Fence }
    /** The provider holds a generation ABOVE the newest plan: the next generation must jump above it. */
    | { readonly kind: 'ahead'; readonly generation: bigint; readonly providerGeneration: bigint }
    | { readonly kind: 'unavailable'; readonly cause: ResoluteError; readonly retryInMs: number }
    /** Still waiting after an earlier failure (backoff): not tried this step. */
    | { readonly kind: 'waiting' }
    /** The newest plan has no such zone: nothing is written (the provider keeps what it serves). */
    | { readonly kind: 'not-in-plan'; readonly generation: bigint }
  );

/** What enactZone needs besides the zone: the enactor's seams and state. */
export interface ZoneEnactEnv {
  readonly clock: Clock;
  readonly store: Store;
  readonly id: string;
  readonly backoff: ProviderBackoff;
  readonly providerTimeoutMs: number;
  readonly records: (plan: Plan, zone: string) => ZoneRecords | undefined;
  /** The newest plan header now (after a refusal: is my plan still the newest?). */
  readonly newestHeader: () => Promise<PlanHeader | 'none' | 'unavailable'>;
  readonly beforeApply?: (zone: ZoneKey, generation: bigint) => Promise<void>;
  /** TEST-ONLY planted bug (enact-context.ts). */
  readonly testOnlyFenceFromStore?: boolean;
}

/** The env of an enactor or reconcile: its own backoff and records cache, the options' seams. */
export function zoneEnactEnv(
  options: EnactContext & { readonly providerTimeoutMs?: number; readonly backoff?: BackoffOptions; readonly beforeApply?: ZoneEnactEnv['beforeApply'] },
  reader: NewestPlanReader,
): ZoneEnactEnv {
  const cache = new ZoneRecordsCache(options.zoneRecordsOf);
  return {
    clock: options.clock,
    store: options.store,
    id: options.id,
    backoff: new ProviderBackoff(options.clock, options.random, options.backoff ?? DEFAULT_BACKOFF),
    providerTimeoutMs: options.providerTimeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS,
    records: (plan, zone) => cache.get(plan, zone),
    newestHeader: () => reader.newestHeader(),
    ...(options.beforeApply === undefined ? {} : { beforeApply: options.beforeApply }),
    ...(options.testOnlyFenceFromStore === true ? { testOnlyFenceFromStore: true } : {}),
  };
}

/** A refusal is re-decided at most this often in one step (each time against a freshly read fence). */
const ATTEMPTS = 3;

/**
 * One zone, one plan: the fenced write of DESIGN's safety protocol.
 * 1. read the fence FROM THE PROVIDER (never from the store, never from memory);
 * 2. the provider holds this generation or more: nothing to write (above the newest: `ahead`);
 * 3. otherwise write the zone's records naming that fence; the provider checks it and writes
 *    in one atomic step, so a write that waited (paused, slow) is refused if anything moved;
 * 4. refused: re-read the newest header — a newer plan means this one is dropped; else back to 1;
 * 5. applied: record it in the store (where the provider does not), audit, publish an event.
 */
export async function enactZone(env: ZoneEnactEnv, provider: Provider, zone: string, plan: Plan): Promise<ZoneOutcome> {
  const key: ZoneKey = { provider: provider.id, zone };
  const label = zoneLabel(key);
  if (env.backoff.isWaiting(label)) return { ...key, kind: 'waiting' };
  const records = env.records(plan, zone);
  if (records === undefined) return { ...key, kind: 'not-in-plan', generation: plan.generation };
  const generation = plan.generation;
  let current: Fence = { kind: 'missing' };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const read = env.testOnlyFenceFromStore === true ? await fenceFromStore(env, key) : await callProvider(env.clock, env.providerTimeoutMs, `${label}: read fence`, () => provider.readFence(zone));
    if (read.kind === 'unavailable') return failed(env, key, read.cause);
    const fence = read.fence;
    if (fence.kind === 'generation' && fence.generation >= generation) return holding(env, provider, key, generation, fence.generation);
    await env.beforeApply?.(key, generation);
    const applyStartMs = env.clock.nowMs();
    const outcome = await callProvider(env.clock, env.providerTimeoutMs, `${label}: apply ${generation}`, () => provider.apply(records, fence));
    switch (outcome.kind) {
      case 'applied': {
        env.backoff.succeed(label);
        channels.enactApplied.publish({ enactor: env.id, ...key, generation, from: fenceText(fence), durationMs: env.clock.nowMs() - applyStartMs });
        const recorded = await recordApplied(env.store, key, generation, env.id, () => readFenceOrUndefined(env, provider, zone));
        await env.store.appendAudit({ actor: env.id, action: 'apply', detail: `${label}: ${fenceText(fence)} → ${generation}`, generation });
        return { ...key, kind: 'applied', generation, from: fence, recorded: recorded.kind };
      }
      case 'unavailable':
        return failed(env, key, outcome.cause);
      case 'fenced': {
        current = outcome.current;
        channels.enactFenced.publish({ enactor: env.id, ...key, generation, current: fenceText(current) });
        const newest = await env.newestHeader();
        if (typeof newest === 'object' && newest.generation > generation) {
          await env.store.appendAudit({ actor: env.id, action: 'fenced', detail: `${label}: refused at ${fenceText(current)}; plan ${generation} dropped for ${newest.generation}`, generation });
          return { ...key, kind: 'superseded', generation, newest: newest.generation };
        }
        break; // still the newest (another enactor wrote an older or the same plan): read the fence again
      }
      default:
        return unreachable(outcome);
    }
  }
  return { ...key, kind: 'fenced', generation, current };
}

/** The provider holds `held` ≥ `generation`. */
async function holding(env: ZoneEnactEnv, provider: Provider, key: ZoneKey, generation: bigint, held: bigint): Promise<ZoneOutcome> {
  env.backoff.succeed(zoneLabel(key));
  if (held === generation) {
    // Another enactor may have written it and died before recording it: record it now.
    await recordApplied(env.store, key, generation, env.id, () => readFenceOrUndefined(env, provider, key.zone));
    return { ...key, kind: 'current', generation };
  }
  const newest = await env.newestHeader();
  // Our plan is simply old: the newest is at or above what the provider holds.
  if (typeof newest === 'object' && newest.generation >= held) return { ...key, kind: 'superseded', generation, newest: newest.generation };
  if (newest === 'unavailable') return { ...key, kind: 'current', generation: held };
  return { ...key, kind: 'ahead', generation, providerGeneration: held };
}

function failed(env: ZoneEnactEnv, key: ZoneKey, cause: ResoluteError): ZoneOutcome {
  return { ...key, kind: 'unavailable', cause, retryInMs: env.backoff.fail(zoneLabel(key)) };
}

async function readFenceOrUndefined(env: ZoneEnactEnv, provider: Provider, zone: string): Promise<Fence | undefined> {
  const read = await callProvider(env.clock, env.providerTimeoutMs, `${provider.id} ${zone}: read fence`, () => provider.readFence(zone));
  return read.kind === 'read' ? read.fence : undefined;
}

/** TEST-ONLY, the planted bug: the store's applied row taken for the provider's fence. */
async function fenceFromStore(env: ZoneEnactEnv, key: ZoneKey): Promise<FenceRead> {
  const read = await env.store.readApplied(key);
  if (read.kind === 'unavailable') return read;
  return { kind: 'read', fence: read.kind === 'found' ? { kind: 'generation', generation: read.applied.generation } : { kind: 'missing' } };
}
