import type { Config, EndpointConfig } from '../config/config.js';

export interface DrainedConfig {
  /** The config the planner plans with: drained targets left out (the same object when none is). */
  readonly config: Config;
  /** Drained targets kept because they are an endpoint's last target: `<target> in <name>`. */
  readonly kept: readonly string[];
}

/**
 * An operator's drain (`resolute drain <target>`, stored in the store) as the planner's input:
 * the drained targets are left out of each endpoint, so the planner drops them exactly as it
 * drops a target removed from the config — through the velocity limit, never all at once —
 * without anyone editing the config file. Pure.
 *
 * Never empty (DESIGN, safety rule 1): a drain that would leave an endpoint with no target at
 * all is not applied to that endpoint, and is reported in `kept`.
 */
export function drainTargets(config: Config, drained: ReadonlySet<string>): DrainedConfig {
  if (drained.size === 0) return { config, kept: [] };
  const kept: string[] = [];
  let isChanged = false;
  const endpoints = config.endpoints.map((endpoint): EndpointConfig => {
    if (!endpoint.targets.some((t) => drained.has(t.key))) return endpoint;
    const remaining = endpoint.targets.filter((t) => !drained.has(t.key));
    if (remaining.length === 0) {
      for (const t of endpoint.targets) kept.push(`${t.key} in ${endpoint.name}`);
      return endpoint;
    }
    isChanged = true;
    return Object.freeze({ ...endpoint, targets: Object.freeze(remaining) });
  });
  if (!isChanged) return { config, kept: Object.freeze(kept) };
  return { config: Object.freeze({ ...config, endpoints: Object.freeze(endpoints) }), kept: Object.freeze(kept) };
}
