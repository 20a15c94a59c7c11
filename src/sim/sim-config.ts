import type { Config } from '../config/config.js';
import { parseConfig } from '../config/load-config.js';
import type { TargetVerdict } from '../health/quorum-health.js';

/**
 * The simulated service: one zone, two weighted names of three targets each, a velocity limit
 * and a short recovery ramp (so health flapping makes many plans, and ramps make more).
 */
export const SIM_ZONE = 'demo.test.';

let parsed: Config | undefined;

/** Parsed once per process: a Config is immutable. */
export function simConfig(): Config {
  parsed ??= parseSimConfig();
  return parsed;
}

function parseSimConfig(): Config {
  const targets = (base: number): string =>
    [0, 1, 2].map((i) => `      - { address: 192.0.2.${base + i}, weight: ${100 * (i + 1)}, check: { type: tcp, port: 80 } }`).join('\n');
  return parseConfig(
    `zones: [{ apex: demo.test, nameservers: [ns1.demo.test] }]
endpoints:
  - name: api.demo.test
    type: A
    targets:
${targets(1)}
  - name: www.demo.test
    type: A
    targets:
${targets(11)}
planner:
  velocity: { max_fraction: 0.5, window: 10s }
  ramp: { steps: 2, step: 2s }
`,
    'sim.yaml',
  );
}

export function verdict(isUp: boolean, isConfirmedDown: boolean, sinceMs: number): TargetVerdict {
  return isUp
    ? { state: 'up', isConfirmedDown: false, sinceMs, detail: 'sim: up', upVotes: 1, downVotes: 0, reporting: 1 }
    : { state: 'down', isConfirmedDown, sinceMs, detail: 'sim: down', upVotes: 0, downVotes: 1, reporting: 1 };
}
