import type { PlannerSettings } from '../config/config.js';
import type { HealthView } from '../health/quorum-health.js';
import type { PlanEndpoint } from './plan.js';

/**
 * The numbers behind the planner's safety rules, each a pure function of stored plans and the
 * clock (DESIGN: "ramps and hysteresis are derived from stored history").
 */

/**
 * Recovery ramp: the fraction of full weight `elapsedMs` after a target came back: 1/steps at
 * once, one more step every stepMs, full after (steps − 1) × stepMs.
 */
export function rampFraction(elapsedMs: number, settings: Pick<PlannerSettings, 'rampSteps' | 'rampStepMs'>): number {
  const step = Math.floor(Math.max(0, elapsedMs) / settings.rampStepMs) + 1;
  return Math.min(1, step / settings.rampSteps);
}

/** A weight scaled for a ramp or a drain, kept above 0 (a zero weight would be no record at all). */
export function scaledWeight(weight: number, fraction: number): number {
  return Math.max(Math.round(weight * fraction * 1000) / 1000, 0.001);
}

/**
 * Capacity an endpoint serves in a plan, for the velocity limit: the weights of records that
 * carry real traffic (fail-open and draining records hold down targets, so they do not count)
 * and whose target is not confirmed down now (their removal is exempt, so it must not use up
 * the budget either).
 */
export function servedCapacity(endpoint: PlanEndpoint | undefined, health: HealthView): number {
  if (endpoint === undefined) return 0;
  let sum = 0;
  for (const record of endpoint.records) {
    if (record.role === 'fail-open' || record.role === 'draining') continue;
    if (health.get(record.target)?.isConfirmedDown === true) continue;
    sum += record.weight;
  }
  return sum;
}

/**
 * Velocity limit: the least capacity the endpoint may serve now, measured on stored plans: the
 * most it served in any plan of the window (and in the parent), less the allowed fraction. Two
 * planners computing against the same stored plans get the same floor, so neither can double
 * the rate; a restarted planner reads the same window.
 */
export function velocityFloor(
  name: string,
  parent: PlanEndpoint | undefined,
  window: readonly { readonly endpoints: { get(name: string): PlanEndpoint | undefined } }[],
  health: HealthView,
  settings: Pick<PlannerSettings, 'velocityMaxFraction'>,
): { floor: number; baseline: number; parentCapacity: number } {
  const parentCapacity = servedCapacity(parent, health);
  let baseline = parentCapacity;
  for (const plan of window) baseline = Math.max(baseline, servedCapacity(plan.endpoints.get(name), health));
  return { floor: baseline * (1 - settings.velocityMaxFraction), baseline, parentCapacity };
}
