import type { EndpointConfig, PlannerSettings, TargetConfig } from '../config/config.js';
import type { HealthView } from '../health/quorum-health.js';
import { isSameEndpoint, type PlanEndpoint, type PlanReason, type PlanRecord, type ReasonRule } from './plan.js';
import { failover } from './policies/failover.js';
import { multivalue } from './policies/multivalue.js';
import type { PolicyChoice } from './policies/policy-choice.js';
import { weighted } from './policies/weighted.js';
import { rampFraction, scaledWeight, servedCapacity, velocityFloor } from './safety.js';

export interface EndpointPlanContext {
  readonly health: HealthView;
  readonly settings: PlannerSettings;
  readonly nowMs: number;
  /** Stored plans in the velocity window (oldest first). */
  readonly window: readonly { readonly endpoints: { get(name: string): PlanEndpoint | undefined } }[];
}

/**
 * One name's next record set, from its config (undefined: removed from the config), its record
 * set in the parent plan, and health. Returns the parent's own object when nothing changed, so
 * plans share structure and "equal to the newest" is a reference check.
 *
 * Steps, in order (each rule has a test in planner.test.ts):
 *   1. effective health: a target whose checkers lost quorum keeps its previous state (present
 *      in the parent ⇒ up), never a guess; with no parent at all it counts as up;
 *   2. the routing policy picks the healthy targets (policies/);
 *   3. never empty: nothing picked for a name that has targets ⇒ fail open to all of them;
 *   4. recovery ramp: targets that come back (also when leaving fail-open) start at 1/steps
 *      of their weight; the fail-open targets drain as the others ramp up;
 *   5. velocity limit: targets dropped for any reason but "confirmed down by quorum" are held
 *      while the removal would take the name below its floor (safety.ts), at least one per window.
 */
export function planEndpoint(
  config: EndpointConfig | undefined,
  parent: PlanEndpoint | undefined,
  context: EndpointPlanContext,
): { endpoint: PlanEndpoint | undefined; reasons: PlanReason[] } {
  if (config !== undefined && parent !== undefined && isWeightedAsIs(config, parent, context.health)) return UNCHANGED(parent);
  const { health, nowMs } = context;
  const name = config?.name ?? (parent as PlanEndpoint).name;
  const why = new Map<string, { rule: ReasonRule; detail: string }>();
  const parentRecords = parent?.records ?? [];
  const parentRecord = (key: string): PlanRecord | undefined => parentRecords.find((r) => r.target === key);
  const isServingInParent = (key: string): boolean => {
    const role = parentRecord(key)?.role;
    return role === 'serving' || role === 'ramping' || role === 'held';
  };

  // 1. Effective health.
  const isUp = (target: TargetConfig): boolean => {
    if (target.check === undefined) return true;
    const verdict = health.get(target.key);
    if (verdict === undefined || verdict.state === 'unknown') return parent === undefined || isServingInParent(target.key);
    return verdict.state === 'up';
  };

  const records: PlanRecord[] = [];
  let activeRegion: string | null = null;
  let isFailOpen = false;
  if (config !== undefined) {
    // 2. Policy.
    const choice = choose(config, isUp, parent?.activeRegion ?? null);
    // The common case at scale: the parent already serves exactly this choice. Nothing to build.
    if (parent !== undefined && isServedAsIs(config, choice, parent)) return UNCHANGED(parent);
    activeRegion = choice.activeRegion;
    if (choice.note !== undefined) for (const t of choice.targets) why.set(t.key, { rule: 'failover', detail: choice.note });
    if (choice.targets.length === 0 && config.targets.length > 0) {
      // 3. Never empty: fail open, as the big managed DNS services do.
      isFailOpen = true;
      for (const target of config.targets) {
        const previous = parentRecord(target.key);
        const sinceMs = previous?.role === 'fail-open' ? previous.sinceMs : nowMs;
        records.push({ address: target.address, target: target.key, weight: target.weight, role: 'fail-open', sinceMs });
        why.set(target.key, { rule: 'fail-open', detail: `no healthy target for ${name}: publishing all ${config.targets.length} configured targets` });
      }
    } else {
      // 4. Ramp the chosen targets.
      const isNewName = parent === undefined || parent.records.length === 0;
      for (const target of choice.targets) records.push(ramped(target, parentRecord(target.key), isNewName, parent?.isFailOpen === true, why, context, health));
      drainFailOpen(config, parent, choice, records, why, context);
    }
  }
  if (!isFailOpen) holdForVelocity(name, config, parent, records, why, context);
  if (records.length === 0 && config === undefined) return { endpoint: undefined, reasons: reasonsFor(name, parent, undefined, why) };

  records.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const base = config ?? (parent as PlanEndpoint);
  const next: PlanEndpoint = {
    name,
    zone: base.zone,
    type: base.type,
    ttlSeconds: base.ttlSeconds,
    policy: config === undefined ? (parent as PlanEndpoint).policy : config.policy.kind,
    activeRegion,
    isFailOpen,
    records,
  };
  if (parent !== undefined && isSameEndpoint(parent, next)) return UNCHANGED(parent);
  for (const record of records) Object.freeze(record);
  Object.freeze(records);
  return { endpoint: Object.freeze(next), reasons: reasonsFor(name, parent, next, why) };
}

const NO_REASONS: PlanReason[] = [];
Object.freeze(NO_REASONS);
const UNCHANGED = (parent: PlanEndpoint): { endpoint: PlanEndpoint; reasons: PlanReason[] } => ({ endpoint: parent, reasons: NO_REASONS });

/**
 * The fast path that makes a full plan of 100,000 names cheap: a weighted name whose every
 * target is up (or keeps its state for lack of quorum) and served at full weight by the
 * parent is unchanged; no policy, no safety rule can change it. Targets and records are
 * usually in the same (address) order, so this is one pass without allocation.
 */
function isWeightedAsIs(config: EndpointConfig, parent: PlanEndpoint, health: HealthView): boolean {
  const records = parent.records;
  const targets = config.targets;
  if (config.policy.kind !== 'weighted' || parent.isFailOpen || records.length !== targets.length || parent.ttlSeconds !== config.ttlSeconds || parent.type !== config.type || parent.policy !== 'weighted' || parent.zone !== config.zone) {
    return false;
  }
  for (let i = 0; i < targets.length; i++) {
    const target = targets[i];
    let record = records[i];
    if (record.target !== target.key) {
      const found = records.find((r) => r.target === target.key);
      if (found === undefined) return false;
      record = found;
    }
    if (record.role !== 'serving' || record.weight !== target.weight || record.address !== target.address) return false;
    if (target.check !== undefined) {
      const state = health.get(target.key)?.state;
      if (state === 'down') return false;
    }
  }
  return true;
}

/** The parent serves exactly the chosen targets, at full configured weight, with no safety rule at work. */
function isServedAsIs(config: EndpointConfig, choice: PolicyChoice, parent: PlanEndpoint): boolean {
  const records = parent.records;
  if (
    parent.isFailOpen ||
    choice.note !== undefined ||
    choice.targets.length === 0 ||
    records.length !== choice.targets.length ||
    parent.activeRegion !== choice.activeRegion ||
    parent.ttlSeconds !== config.ttlSeconds ||
    parent.type !== config.type ||
    parent.policy !== config.policy.kind ||
    parent.zone !== config.zone
  ) {
    return false;
  }
  for (const target of choice.targets) {
    let record: PlanRecord | undefined;
    for (const r of records) if (r.target === target.key) record = r;
    if (record === undefined || record.role !== 'serving' || record.weight !== target.weight || record.address !== target.address) return false;
  }
  return true;
}

function choose(config: EndpointConfig, isUp: (target: TargetConfig) => boolean, previousRegion: string | null): PolicyChoice {
  const policy = config.policy;
  switch (policy.kind) {
    case 'weighted':
      return weighted(config, isUp);
    case 'multivalue':
      return multivalue(config, policy.maxRecords, isUp);
    case 'failover':
      return failover(config, policy, isUp, previousRegion);
  }
}

/** 4. A chosen target's record: full weight, or a step of it while it ramps back. */
function ramped(
  target: TargetConfig,
  previous: PlanRecord | undefined,
  isNewName: boolean,
  isLeavingFailOpen: boolean,
  why: Map<string, { rule: ReasonRule; detail: string }>,
  context: EndpointPlanContext,
  health: HealthView,
): PlanRecord {
  const base = { address: target.address, target: target.key };
  const isComingBack = previous === undefined || previous.role === 'fail-open' || previous.role === 'draining' || isLeavingFailOpen;
  if (isNewName) {
    return { ...base, weight: target.weight, role: 'serving', sinceMs: previous?.sinceMs ?? context.nowMs };
  }
  if (isComingBack && previous?.role !== 'ramping') {
    const fraction = rampFraction(0, context.settings);
    if (!why.has(target.key)) {
      const verdict = health.get(target.key);
      why.set(target.key, previous === undefined && verdict?.state === 'up'
        ? { rule: 'health', detail: `${target.key} up: ${verdict.detail}; ramping in at ${Math.round(fraction * 100)}%` }
        : { rule: 'ramp', detail: `${target.key} back${isLeavingFailOpen ? ' after fail-open' : ''}: ramping in at ${Math.round(fraction * 100)}%` });
    }
    return fraction >= 1 ? { ...base, weight: target.weight, role: 'serving', sinceMs: context.nowMs } : { ...base, weight: scaledWeight(target.weight, fraction), role: 'ramping', sinceMs: context.nowMs };
  }
  if (previous?.role === 'ramping') {
    const fraction = rampFraction(context.nowMs - previous.sinceMs, context.settings);
    if (!why.has(target.key)) why.set(target.key, { rule: 'ramp', detail: `${target.key} ramping: ${Math.round(fraction * 100)}% of weight ${target.weight}` });
    if (fraction >= 1) return { ...base, weight: target.weight, role: 'serving', sinceMs: context.nowMs };
    return { ...base, weight: scaledWeight(target.weight, fraction), role: 'ramping', sinceMs: previous.sinceMs };
  }
  const sinceMs = previous?.role === 'serving' ? previous.sinceMs : context.nowMs;
  if (previous !== undefined && previous.weight !== target.weight && !why.has(target.key)) {
    why.set(target.key, { rule: 'config', detail: `${target.key} weight ${previous.weight} → ${target.weight}` });
  }
  return { ...base, weight: target.weight, role: 'serving', sinceMs };
}

/**
 * 4b. Leaving fail-open follows the ramp: the targets that were published only because nothing
 * was healthy stay, at the complement of the ramp's fraction, until the healthy ones are at full
 * weight; so one recovered target does not take all the traffic at once.
 */
function drainFailOpen(
  config: EndpointConfig,
  parent: PlanEndpoint | undefined,
  choice: PolicyChoice,
  records: PlanRecord[],
  why: Map<string, { rule: ReasonRule; detail: string }>,
  context: EndpointPlanContext,
): void {
  if (parent === undefined) return;
  const chosen = new Set(choice.targets.map((t) => t.key));
  for (const previous of parent.records) {
    if (chosen.has(previous.target)) continue;
    const isStart = previous.role === 'fail-open' && parent.isFailOpen;
    if (!isStart && previous.role !== 'draining') continue;
    const sinceMs = isStart ? context.nowMs : previous.sinceMs;
    const fraction = rampFraction(context.nowMs - sinceMs, context.settings);
    const weight = config.targets.find((t) => t.key === previous.target)?.weight ?? previous.weight;
    if (fraction >= 1) {
      why.set(previous.target, { rule: 'ramp', detail: `${previous.target} drained after fail-open` });
      continue;
    }
    why.set(previous.target, { rule: 'ramp', detail: `${previous.target} draining after fail-open: ${Math.round((1 - fraction) * 100)}% of weight ${weight}` });
    records.push({ address: previous.address, target: previous.target, weight: scaledWeight(weight, 1 - fraction), role: 'draining', sinceMs });
  }
}

/** 5. Velocity limit: keep dropped targets (not confirmed down) while the floor needs them. */
function holdForVelocity(
  name: string,
  config: EndpointConfig | undefined,
  parent: PlanEndpoint | undefined,
  records: PlanRecord[],
  why: Map<string, { rule: ReasonRule; detail: string }>,
  context: EndpointPlanContext,
): void {
  if (parent === undefined) return;
  const { health, settings, nowMs } = context;
  const present = new Set(records.map((r) => r.target));
  const dropped = parent.records.filter((r) => !present.has(r.target) && r.role !== 'fail-open' && r.role !== 'draining');
  if (dropped.length === 0) return;
  const candidates: PlanRecord[] = [];
  for (const record of dropped) {
    const verdict = health.get(record.target);
    const isConfigured = config?.targets.some((t) => t.key === record.target) === true;
    if (verdict?.isConfirmedDown === true) {
      why.set(record.target, { rule: 'health', detail: `${record.target} down by quorum (${verdict.downVotes}/${verdict.reporting} checkers): ${verdict.detail}` });
    } else {
      candidates.push(record);
      if (!why.has(record.target)) {
        why.set(record.target, !isConfigured
          ? { rule: 'config', detail: `${record.target} removed from the config` }
          : verdict?.state === 'down'
            ? { rule: 'health', detail: `${record.target} down (${verdict.downVotes}/${verdict.reporting} checkers): ${verdict.detail}` }
            : { rule: 'policy', detail: `${record.target} no longer chosen by the ${config?.policy.kind ?? 'removed'} policy` });
      }
    }
  }
  if (candidates.length === 0) return;
  const { floor, baseline, parentCapacity } = velocityFloor(name, parent, context.window, health, settings);
  let capacity = servedCapacity({ ...parent, records }, health);
  for (const c of candidates) capacity += c.weight;
  // At least one target per window, or a name could never shrink below its floor.
  let isOneAllowed = parentCapacity >= baseline;
  candidates.sort((a, b) => (a.address < b.address ? -1 : 1));
  for (const candidate of candidates) {
    if (capacity - candidate.weight >= floor - 1e-9 || isOneAllowed) {
      capacity -= candidate.weight;
      isOneAllowed = false;
      continue;
    }
    const percent = Math.round(settings.velocityMaxFraction * 100);
    why.set(candidate.target, {
      rule: 'velocity',
      detail: `${candidate.target} held: removing it would take ${name} below ${100 - percent}% of ${baseline} capacity within ${settings.velocityWindowMs / 1000}s (${why.get(candidate.target)?.detail ?? 'dropped'})`,
    });
    records.push({ ...candidate, role: 'held', sinceMs: candidate.role === 'held' ? candidate.sinceMs : nowMs });
  }
}

function reasonsFor(
  name: string,
  parent: PlanEndpoint | undefined,
  next: PlanEndpoint | undefined,
  why: Map<string, { rule: ReasonRule; detail: string }>,
): PlanReason[] {
  // A new name is one change with one reason (a first plan of 100,000 names stays small).
  if ((parent === undefined || parent.records.length === 0) && next !== undefined && !next.isFailOpen) {
    return [{ name, rule: 'config', detail: `new name: publishing ${next.records.length} targets` }];
  }
  const reasons: PlanReason[] = [];
  const before = new Map((parent?.records ?? []).map((r) => [r.target, r]));
  const after = new Map((next?.records ?? []).map((r) => [r.target, r]));
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(key);
    const a = after.get(key);
    if (b !== undefined && a !== undefined && b.weight === a.weight && b.role === a.role && b.sinceMs === a.sinceMs) continue;
    const reason = why.get(key) ?? { rule: 'config' as const, detail: `${key} changed` };
    reasons.push({ name, address: (a ?? b)?.address, target: key, ...reason });
  }
  if (next === undefined) reasons.push({ name, rule: 'config', detail: `${name} removed from the config` });
  return reasons;
}
