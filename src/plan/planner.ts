import { channels } from '../base/events.js';
import type { Clock } from '../base/clock.js';
import type { Config, EndpointConfig, ZoneConfig } from '../config/config.js';
import type { HealthView } from '../health/quorum-health.js';
import { EndpointTable } from './endpoint-table.js';
import { isUnsettled, type Plan, type PlanDraft, type PlanEndpoint, type PlanReason, type PlanZone } from './plan.js';
import { planEndpoint } from './plan-endpoint.js';
import type { PlanLog } from './plan-log.js';
import { targetIndex } from './target-index.js';

export interface PlanInput {
  readonly config: Config;
  readonly health: HealthView;
  /** The newest stored plan: the compare-and-set parent. */
  readonly parent: Plan | undefined;
  /** Stored plans in the velocity window, oldest first (PlanLog.since). */
  readonly window: readonly Plan[];
  readonly nowMs: number;
  /**
   * Incremental re-plan: only the names that use these target keys (and the parent's unsettled
   * names) are computed; every other name keeps the parent's record set by reference. Only valid
   * when `config` is the config the parent was computed from; omit for a full plan.
   */
  readonly changedTargets?: Iterable<string>;
}

/**
 * Config + health + the newest stored plan → the next plan, or undefined when it would equal
 * the parent (a plan identical to the newest is not written). Pure: no I/O, no clock.
 */
export function computePlan(input: PlanInput): PlanDraft | undefined {
  const { config, parent, nowMs } = input;
  const byName = endpointsByName(config);
  const names = namesToPlan(input, byName);
  const context = { health: input.health, settings: config.planner, nowMs, window: input.window };
  const set: PlanEndpoint[] = [];
  const removed: string[] = [];
  const reasons: PlanReason[] = [];
  const unsettled = new Set(parent?.unsettledNames ?? []);
  for (const name of names) {
    const previous = parent?.endpoints.get(name);
    const result = planEndpoint(byName.get(name), previous, context);
    if (result.endpoint === previous) continue; // unchanged: same reasons (none), same settledness
    for (const reason of result.reasons) reasons.push(reason);
    if (result.endpoint === undefined) {
      removed.push(name);
      unsettled.delete(name);
      continue;
    }
    if (isUnsettled(result.endpoint)) unsettled.add(name);
    else unsettled.delete(name);
    set.push(result.endpoint);
  }
  const zones = planZones(config.zones, parent?.zones);
  const base = parent?.endpoints ?? EndpointTable.EMPTY;
  const endpoints = base.with(set, removed);
  if (parent !== undefined && endpoints === parent.endpoints && zones === parent.zones) return undefined;
  return Object.freeze({
    parentGeneration: parent?.generation ?? null,
    createdAtMs: nowMs,
    zones,
    endpoints,
    reasons: Object.freeze(reasons),
    unsettledNames: Object.freeze([...unsettled].sort()),
  });
}

const byNameCache = new WeakMap<Config, ReadonlyMap<string, EndpointConfig>>();

function endpointsByName(config: Config): ReadonlyMap<string, EndpointConfig> {
  let byName = byNameCache.get(config);
  if (byName === undefined) {
    byName = new Map(config.endpoints.map((e) => [e.name, e]));
    byNameCache.set(config, byName);
  }
  return byName;
}

function namesToPlan(input: PlanInput, byName: ReadonlyMap<string, EndpointConfig>): Iterable<string> {
  const parent = input.parent;
  if (input.changedTargets === undefined || parent === undefined) {
    const names = [...byName.keys()];
    if (parent === undefined) return names;
    // Names in the parent and no longer in the config are planned too (they leave through the
    // velocity limit). Scan for them only when the counts say there are some.
    let kept = 0;
    for (const name of names) if (parent.endpoints.has(name)) kept++;
    if (kept < parent.endpoints.size) for (const endpoint of parent.endpoints.values()) if (!byName.has(endpoint.name)) names.push(endpoint.name);
    return names;
  }
  const index = targetIndex(input.config);
  const names = new Set(parent.unsettledNames);
  for (const key of input.changedTargets) for (const name of index.get(key) ?? []) names.add(name);
  return names;
}

/** The parent's zones when the config's are the same, so an unchanged plan compares equal. */
function planZones(zones: readonly ZoneConfig[], previous: readonly PlanZone[] | undefined): readonly PlanZone[] {
  const next: PlanZone[] = zones.map((z) => ({
    apex: z.apex,
    nameservers: z.nameservers,
    negativeTtlSeconds: z.negativeTtlSeconds,
    hostmaster: z.hostmaster,
    records: z.records,
  }));
  if (previous !== undefined && JSON.stringify(previous) === JSON.stringify(next)) return previous;
  return Object.freeze(next.map((z) => Object.freeze(z)));
}

export interface PlannerOptions {
  readonly clock: Clock;
  readonly log: PlanLog;
  /** A full plan at least this often even when only incremental changes arrive (default 10 s). */
  readonly fullPlanEveryMs?: number;
  /**
   * TEST-ONLY, a bug planted for the simulator to find (`resolute sim --plant
   * planner-drops-fail-open`): a name with no healthy target is left out of the plan instead of
   * failing open. Unset in production (cli never sets it).
   */
  readonly testOnlyDropFailOpen?: boolean;
}

/**
 * The planner role's one step, for the loop the CLI runs: read the parent and the velocity
 * window through the PlanLog, compute, return the draft for the store's compare-and-set (or
 * undefined when nothing changed). It keeps no safety state: only the config it last planned
 * with, to know whether an incremental re-plan is allowed.
 */
export class Planner {
  private readonly clock: Clock;
  private readonly log: PlanLog;
  private readonly fullPlanEveryMs: number;
  private readonly isDroppingFailOpen: boolean;
  private lastConfig: Config | undefined;
  private lastFullMs = -Infinity;

  constructor(options: PlannerOptions) {
    this.clock = options.clock;
    this.log = options.log;
    this.fullPlanEveryMs = options.fullPlanEveryMs ?? 10_000;
    this.isDroppingFailOpen = options.testOnlyDropFailOpen === true;
  }

  async plan(config: Config, health: HealthView, options: { readonly changedTargets?: Iterable<string> } = {}): Promise<PlanDraft | undefined> {
    const nowMs = this.clock.nowMs();
    const [parent, window] = await Promise.all([this.log.newest(), this.log.since(nowMs - config.planner.velocityWindowMs)]);
    const isIncremental = options.changedTargets !== undefined && config === this.lastConfig && nowMs - this.lastFullMs < this.fullPlanEveryMs;
    if (!isIncremental) {
      this.lastConfig = config;
      this.lastFullMs = nowMs;
    }
    const computed = computePlan({ config, health, parent, window, nowMs, ...(isIncremental ? { changedTargets: options.changedTargets } : {}) });
    const draft = this.isDroppingFailOpen ? dropFailOpen(computed) : computed;
    if (draft !== undefined && channels.planComputed.hasSubscribers) {
      channels.planComputed.publish({ parentGeneration: draft.parentGeneration, changedNames: new Set(draft.reasons.map((r) => r.name)).size, reasons: draft.reasons, durationMs: this.clock.nowMs() - nowMs });
    }
    return draft;
  }
}

/** TEST-ONLY, the planted bug: names failing open are left out of the plan. */
function dropFailOpen(draft: PlanDraft | undefined): PlanDraft | undefined {
  if (draft === undefined) return undefined;
  const failOpen = [...draft.endpoints.values()].filter((e) => e.isFailOpen).map((e) => e.name);
  return failOpen.length === 0 ? draft : Object.freeze({ ...draft, endpoints: draft.endpoints.with([], failOpen) });
}
