import type { Clock } from '../base/clock.js';
import type { Actor, Scheduler } from './scheduler.js';

/** Virtual wall time starts here (2025-10-20T06:00:00Z), so plans carry plausible dates. */
export const SIM_EPOCH_MS = Date.UTC(2025, 9, 20, 6, 0, 0);

/**
 * An actor's Clock on the scheduler's virtual time. Its wall clock can jump (a fault: NTP
 * stepping a host's clock); its monotonic clock never does. Its timers die with the actor.
 */
export class SimClock implements Clock {
  /** Added to the wall clock: what a clock jump changes. */
  skewMs = 0;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly actor: Actor | undefined,
  ) {}

  nowMs(): number {
    return SIM_EPOCH_MS + this.scheduler.nowMs + this.skewMs;
  }

  monotonicMs(): number {
    return this.scheduler.nowMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(signal.reason);
        return;
      }
      const cancel = this.scheduler.at(ms, this.actor, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      const onAbort = (): void => {
        cancel();
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  after(ms: number, callback: () => void): () => void {
    return this.scheduler.at(ms, this.actor, callback);
  }
}
