import type { EndpointConfig, TargetConfig } from '../../config/config.js';
import type { PolicyChoice } from './policy-choice.js';

/** Weighted: every healthy target, at its capacity weight (the weight travels on the record). */
export function weighted(endpoint: EndpointConfig, isUp: (target: TargetConfig) => boolean): PolicyChoice {
  return { targets: endpoint.targets.filter((t) => isUp(t)), activeRegion: null };
}
