/** The replays `resolute replay <name>` knows, by name. */
import { ResoluteError } from '../../base/errors.js';
import type { Scenario } from './scenario.js';
import { usEast1Of2025 } from './us-east-1-2025.js';

export const SCENARIOS: ReadonlyMap<string, Scenario> = new Map([[usEast1Of2025.name, usEast1Of2025]]);

/** The scenario named `name`; an unknown name is ERR_USAGE listing the known ones. */
export function findScenario(name: string): Scenario {
  const scenario = SCENARIOS.get(name);
  if (scenario !== undefined) return scenario;
  const known = [...SCENARIOS.keys()].join(', ');
  throw new ResoluteError('ERR_USAGE', `unknown scenario '${name}'`, { where: 'resolute replay', hint: `known scenarios: ${known}` });
}
