import type { Clock } from '../base/clock.js';
import type { Random } from '../base/random.js';

export interface BackoffOptions {
  /** The wait after the first failure. */
  readonly baseMs: number;
  /** The longest wait, however many failures. */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ baseMs: 500, maxMs: 30_000 });

/**
 * Exponential backoff with jitter, per key (a provider's zone): an unreachable provider is
 * retried less and less often, and — because each key waits alone — never delays the others.
 * Jitter (half to all of the delay) keeps several enactors from retrying in lockstep.
 */
export class ProviderBackoff {
  private readonly waits = new Map<string, { readonly failures: number; readonly untilMs: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly options: BackoffOptions = DEFAULT_BACKOFF,
  ) {}

  /** True while `key` is waiting after a failure. */
  isWaiting(key: string): boolean {
    const wait = this.waits.get(key);
    return wait !== undefined && this.clock.monotonicMs() < wait.untilMs;
  }

  /** Records a failure; returns how long `key` now waits. */
  fail(key: string): number {
    const failures = (this.waits.get(key)?.failures ?? 0) + 1;
    const full = Math.min(this.options.maxMs, this.options.baseMs * 2 ** Math.min(failures - 1, 30));
    const delayMs = Math.round(full / 2 + (full / 2) * this.random.next());
    this.waits.set(key, { failures, untilMs: this.clock.monotonicMs() + delayMs });
    return delayMs;
  }

  succeed(key: string): void {
    this.waits.delete(key);
  }
}
