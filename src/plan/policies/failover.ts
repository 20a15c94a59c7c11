import type { EndpointConfig, PolicyConfig, TargetConfig } from '../../config/config.js';
import type { PolicyChoice } from './policy-choice.js';

type FailoverPolicy = Extract<PolicyConfig, { kind: 'failover' }>;

/**
 * Failover with hysteresis. The region served before (`previousRegion`, read from the parent
 * plan, so a restarted planner does not flap) decides which threshold applies:
 *
 * | serving | primary healthy capacity fraction | secondary healthy | then serve |
 * |---|---|---|---|
 * | primary | ≥ min_healthy_fraction | any | primary |
 * | primary | < min_healthy_fraction | some | secondary (fail over) |
 * | primary | < min_healthy_fraction | none | primary (what is left of it) |
 * | secondary | ≥ failback_fraction | any | primary (fail back) |
 * | secondary | < failback_fraction | some | secondary |
 * | secondary | < failback_fraction | none | primary (what is left of it) |
 *
 * The gap between the two fractions is the hysteresis; the velocity limit and the recovery
 * ramp then pace the move itself.
 */
export function failover(endpoint: EndpointConfig, policy: FailoverPolicy, isUp: (target: TargetConfig) => boolean, previousRegion: string | null): PolicyChoice {
  const primary = endpoint.targets.filter((t) => t.region === policy.primary);
  const secondary = endpoint.targets.filter((t) => t.region === policy.secondary);
  const healthyPrimary = primary.filter((t) => isUp(t));
  const healthySecondary = secondary.filter((t) => isUp(t));
  const fraction = capacity(primary) === 0 ? 0 : capacity(healthyPrimary) / capacity(primary);
  const percent = `${Math.round(fraction * 100)}%`;
  const isOnSecondary = previousRegion === policy.secondary;
  if (!isOnSecondary) {
    if (fraction >= policy.minHealthyFraction || healthySecondary.length === 0) return { targets: healthyPrimary, activeRegion: policy.primary };
    return {
      targets: healthySecondary,
      activeRegion: policy.secondary,
      note: `failover to ${policy.secondary}: ${policy.primary} healthy capacity ${percent} < ${policy.minHealthyFraction * 100}%`,
    };
  }
  if (fraction >= policy.failbackFraction || healthySecondary.length === 0) {
    return {
      targets: healthyPrimary,
      activeRegion: policy.primary,
      note:
        fraction >= policy.failbackFraction
          ? `failback to ${policy.primary}: healthy capacity ${percent} ≥ ${policy.failbackFraction * 100}%`
          : `back to ${policy.primary}: ${policy.secondary} has no healthy target`,
    };
  }
  return { targets: healthySecondary, activeRegion: policy.secondary };
}

function capacity(targets: readonly TargetConfig[]): number {
  let sum = 0;
  for (const target of targets) sum += target.weight;
  return sum;
}
