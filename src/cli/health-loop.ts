/**
 * The health role: a Checker (health/checker.ts) probing the configured targets, whose
 * transitions and heartbeat are recorded in the store, where planners in other processes
 * read them (stored-health.ts). A planner in the same process is also handed the checker's
 * report and the changed targets directly (run-command.ts says when).
 *
 * Each turn: 1. checker.step(); 2. record its transitions; 3. a heartbeat once a second;
 * 4. sleep until the next probe is due (at most 5 ms).
 */
import type { Clock } from '../base/clock.js';
import type { Checker } from '../health/checker.js';
import type { Transition } from '../health/target-state.js';
import type { Store } from '../store/store.js';

const HEARTBEAT_EVERY_MS = 1000;

export interface HealthLoopOptions {
  readonly clock: Clock;
  readonly store: Store;
  readonly checker: Checker;
  /** Told of every transition, before it is recorded (the in-process planner's changed targets). */
  readonly onTransition?: (transition: Transition) => void;
  /** A store write failed: the checker goes on; the heartbeat it could not write makes it stale elsewhere. */
  readonly onStoreError?: (message: string) => void;
}

export class HealthLoop {
  private lastHeartbeatMs = -Infinity;

  constructor(private readonly options: HealthLoopOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    const { checker, clock } = this.options;
    while (!signal.aborted) {
      const step = checker.step();
      await this.record(step.transitions);
      await clock.sleep(Math.min(Math.max(step.nextDueInMs, 1), 5), signal).catch(() => undefined);
    }
  }

  private async record(transitions: readonly Transition[]): Promise<void> {
    const { store, checker, clock } = this.options;
    for (const t of transitions) {
      this.options.onTransition?.(t);
      const outcome = await store.recordHealthTransition({ checkerId: checker.checkerId, target: t.target, from: t.from, to: t.to, atMs: t.atMs, detail: t.detail });
      if (outcome.kind === 'unavailable') this.options.onStoreError?.(outcome.cause.message);
    }
    const nowMs = clock.nowMs();
    if (nowMs - this.lastHeartbeatMs < HEARTBEAT_EVERY_MS) return;
    this.lastHeartbeatMs = nowMs;
    const outcome = await store.recordCheckerHeartbeat({ checkerId: checker.checkerId, atMs: nowMs });
    if (outcome.kind === 'unavailable') this.options.onStoreError?.(outcome.cause.message);
  }
}
