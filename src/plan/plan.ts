import type { EndpointType, StaticRecord } from '../config/config.js';
import type { EndpointTable } from './endpoint-table.js';

/**
 * A plan: for every managed name its FULL record set (never a delta), computed against a named
 * parent. Plans are immutable (frozen) snapshots; the store gives each one its generation when
 * it wins the compare-and-set on the newest generation (DESIGN: the safety protocol).
 *
 * Everything the planner's safety rules need from the past travels in the plan itself (a
 * record's role and since-time, an endpoint's active region, fail-open), so it is derived from
 * stored plans, never from one planner's memory: two planners, or a restarted one, read it back.
 */
export interface PlanDraft {
  /** The newest stored generation this plan was computed against; null for the first plan. */
  readonly parentGeneration: bigint | null;
  readonly createdAtMs: number;
  readonly zones: readonly PlanZone[];
  readonly endpoints: EndpointTable;
  /** Why each change from the parent was made (which target, which check, which rule). */
  readonly reasons: readonly PlanReason[];
  /** Names with a ramp, a hold or a drain in progress: re-planned as time passes. Sorted. */
  readonly unsettledNames: readonly string[];
}

/** A stored plan: a draft the store accepted, with its generation (64-bit, never reused). */
export interface Plan extends PlanDraft {
  readonly generation: bigint;
}

export interface PlanZone {
  readonly apex: string;
  readonly nameservers: readonly string[];
  /** SOA minimum: short, so a wrong negative answer cannot stick in resolvers' caches. */
  readonly negativeTtlSeconds: number;
  readonly hostmaster: string;
  /** Static records (MX, TXT, CAA, NS delegations with glue), served as they are. */
  readonly records: readonly StaticRecord[];
}

export type PolicyKind = 'weighted' | 'failover' | 'multivalue';

export interface PlanEndpoint {
  readonly name: string;
  readonly zone: string;
  readonly type: EndpointType;
  readonly ttlSeconds: number;
  readonly policy: PolicyKind;
  /** Failover: the region being served (hysteresis is decided against it); null otherwise. */
  readonly activeRegion: string | null;
  /** Every healthy-set rule gave nothing, so every configured target is published. */
  readonly isFailOpen: boolean;
  /** Sorted by address; never empty while the name has configured targets. */
  readonly records: readonly PlanRecord[];
}

/**
 * | role | meaning |
 * |---|---|
 * | serving | healthy, at full weight |
 * | ramping | came back; weight grows step by step since `sinceMs` (recovery ramp) |
 * | held | the policy dropped it, but the velocity limit keeps it for now |
 * | fail-open | published because nothing was healthy |
 * | draining | was fail-open; weight shrinks while the healthy ones ramp up |
 */
export type RecordRole = 'serving' | 'ramping' | 'held' | 'fail-open' | 'draining';

export interface PlanRecord {
  readonly address: string;
  /** The target key (config/target-key.ts). */
  readonly target: string;
  /** Published weight (> 0): the configured weight, or a step of it while ramping/draining. */
  readonly weight: number;
  readonly role: RecordRole;
  /** Wall-clock ms when the record took this role: the ramp's and the drain's clock. */
  readonly sinceMs: number;
}

export type ReasonRule = 'health' | 'config' | 'policy' | 'failover' | 'fail-open' | 'velocity' | 'ramp' | 'quorum-lost';

export interface PlanReason {
  readonly name: string;
  readonly address?: string;
  readonly target?: string;
  readonly rule: ReasonRule;
  readonly detail: string;
}

/** Same published content (the since-times and roles are part of it: they drive later steps). */
export function isSameEndpoint(a: PlanEndpoint, b: PlanEndpoint): boolean {
  if (a === b) return true;
  if (
    a.name !== b.name ||
    a.type !== b.type ||
    a.ttlSeconds !== b.ttlSeconds ||
    a.policy !== b.policy ||
    a.zone !== b.zone ||
    a.activeRegion !== b.activeRegion ||
    a.isFailOpen !== b.isFailOpen ||
    a.records.length !== b.records.length
  ) {
    return false;
  }
  for (let i = 0; i < a.records.length; i++) {
    const x = a.records[i];
    const y = b.records[i];
    if (x.address !== y.address || x.target !== y.target || x.weight !== y.weight || x.role !== y.role || x.sinceMs !== y.sinceMs) return false;
  }
  return true;
}

/** True when a ramp, hold or drain is in progress: time alone will change the records. */
export function isUnsettled(endpoint: PlanEndpoint): boolean {
  for (const record of endpoint.records) if (record.role === 'ramping' || record.role === 'held' || record.role === 'draining') return true;
  return false;
}
