import type { Clock } from '../../base/clock.js';

/**
 * The replay's virtual time: it moves only when the script says (`at`), so every run prints the
 * same timeline. Sleeps return at once and timers never fire: a replay step runs to its end, and
 * a stall is the script holding an enactor, not a timer.
 */
export class ReplayClock implements Clock {
  private ms: number;

  constructor(readonly startMs: number) {
    this.ms = startMs;
  }

  /** Moves to `startMs + offsetMs`; never backwards. */
  at(offsetMs: number): void {
    this.ms = Math.max(this.ms, this.startMs + offsetMs);
  }

  nowMs(): number {
    return this.ms;
  }

  monotonicMs(): number {
    return this.ms - this.startMs;
  }

  async sleep(): Promise<void> {}

  after(): () => void {
    return () => {};
  }
}
