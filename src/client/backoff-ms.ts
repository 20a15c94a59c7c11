import type { Random } from '../base/random.js';

export interface Backoff {
  /** Delay before the first re-ask. */
  readonly minMs: number;
  /** The delay doubles per failed re-ask up to this. */
  readonly maxMs: number;
}

/**
 * Delay before re-ask number `attempt` (0-based): exponential, capped, with "equal jitter"
 * (half fixed, half random) so that many clients that lost the same name at the same instant
 * do not re-ask the recovering authority in lock-step.
 */
export function backoffMs(attempt: number, backoff: Backoff, random: Random): number {
  const base = Math.min(backoff.maxMs, backoff.minMs * 2 ** Math.min(attempt, 30));
  return base / 2 + random.next() * (base / 2);
}
