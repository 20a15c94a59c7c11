import type { EndpointConfig, TargetConfig } from '../../config/config.js';
import type { PolicyChoice } from './policy-choice.js';

/**
 * Multivalue: every healthy target, at most `maxRecords` of them (Route 53's multivalue answer
 * returns up to 8). The heaviest win, then the lowest address, so the choice is stable.
 */
export function multivalue(endpoint: EndpointConfig, maxRecords: number, isUp: (target: TargetConfig) => boolean): PolicyChoice {
  const healthy = endpoint.targets.filter((t) => isUp(t));
  if (healthy.length <= maxRecords) return { targets: healthy, activeRegion: null };
  const chosen = [...healthy].sort((a, b) => b.weight - a.weight || (a.address < b.address ? -1 : 1)).slice(0, maxRecords);
  return { targets: chosen, activeRegion: null };
}
