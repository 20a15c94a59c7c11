import { channels } from '../base/events.js';
import type { Clock } from '../base/clock.js';
import type { Random } from '../base/random.js';
import type { Check, ProbeResult } from './check.js';
import { DueQueue } from './due-queue.js';
import { INITIAL_TARGET_STATE, nextTargetState, type TargetState, type Transition } from './target-state.js';

/** What a checker tells the others (through the store): its heartbeat and its verdicts. */
export interface CheckerReport {
  readonly checkerId: string;
  /** Wall-clock ms of the checker's last step; a checker silent too long is not counted. */
  readonly heartbeatMs: number;
  readonly states: ReadonlyMap<string, TargetState>;
}

/** What one step did; tests and the bench read it, run() ignores it. */
export interface CheckerStep {
  readonly started: number;
  readonly completed: number;
  readonly timedOut: number;
  readonly transitions: readonly Transition[];
  /** For each probe started: how late it started after its due time (monotonic ms). */
  readonly lagsMs: readonly number[];
  /** Monotonic ms until the next probe is due (0 when probes wait for a free slot). */
  readonly nextDueInMs: number;
}

export interface CheckerOptions {
  readonly checkerId: string;
  readonly clock: Clock;
  readonly random: Random;
  readonly checks: readonly Check[];
  /** Most probes in flight at once (default 512). */
  readonly concurrency?: number;
  /** Longest sleep between steps while waiting (default 5 ms; bounds the start lag). */
  readonly tickMs?: number;
}

interface Slot {
  check: Check;
  state: TargetState;
  /** Set while a probe runs; a slot is never probed twice at once. */
  inFlight: { controller: AbortController; deadlineMs: number } | undefined;
  isRemoved: boolean;
}

/**
 * A health checker: probes every target on its interval and keeps rise/fall states.
 *
 * step():
 *   1. applies the results that arrived since the last step (rise/fall), collecting transitions;
 *   2. aborts probes past their timeout (a sweep, not a timer per probe);
 *   3. starts due probes, earliest first, while fewer than `concurrency` are in flight;
 *      the next due time is the previous one plus the interval, so the schedule does not drift,
 *      and the first one is at a random phase, so 10,000 targets spread over the interval.
 * run(signal) repeats step() and sleeps until the next due probe (at most tickMs).
 *
 * Only transitions and the heartbeat leave the checker (report(), the transition channel):
 * the store keeps those, not every probe result.
 */
export class Checker {
  readonly checkerId: string;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly concurrency: number;
  private readonly tickMs: number;
  private readonly slots = new Map<string, Slot>();
  private readonly queue = new DueQueue<Slot>();
  private completed: { slot: Slot; result: ProbeResult; atMs: number }[] = [];
  private readonly inFlight = new Set<Slot>();
  private heartbeatMs = 0;

  constructor(options: CheckerOptions) {
    this.checkerId = options.checkerId;
    this.clock = options.clock;
    this.random = options.random;
    this.concurrency = options.concurrency ?? 512;
    this.tickMs = options.tickMs ?? 5;
    this.setChecks(options.checks);
  }

  /** Replaces the set of checks (a config reload); targets kept by key keep their state. */
  setChecks(checks: readonly Check[]): void {
    const now = this.clock.monotonicMs();
    const keys = new Set(checks.map((c) => c.key));
    for (const [key, slot] of this.slots) {
      if (!keys.has(key)) {
        slot.isRemoved = true;
        slot.inFlight?.controller.abort();
        this.slots.delete(key);
      }
    }
    for (const check of checks) {
      const existing = this.slots.get(check.key);
      if (existing !== undefined) {
        existing.check = check;
        continue;
      }
      const slot: Slot = { check, state: INITIAL_TARGET_STATE, inFlight: undefined, isRemoved: false };
      this.slots.set(check.key, slot);
      this.queue.push(now + this.random.next() * check.intervalMs, slot);
    }
  }

  step(): CheckerStep {
    const transitions = this.applyResults();
    const nowMs = this.clock.monotonicMs();
    this.heartbeatMs = this.clock.nowMs();
    let timedOut = 0;
    for (const slot of this.inFlight) {
      if (slot.inFlight !== undefined && slot.inFlight.deadlineMs <= nowMs && !slot.inFlight.controller.signal.aborted) {
        slot.inFlight.controller.abort();
        timedOut++;
      }
    }
    const lagsMs: number[] = [];
    while (this.inFlight.size < this.concurrency && this.queue.peekDueMs() <= nowMs) {
      const { dueMs, item: slot } = this.queue.pop() as { dueMs: number; item: Slot };
      if (slot.isRemoved) continue;
      const interval = slot.check.intervalMs;
      // The next slot in the fixed grid after now: late probes are not bunched up to catch up.
      const nextDueMs = dueMs + interval * Math.max(1, Math.ceil((nowMs - dueMs) / interval));
      this.queue.push(nextDueMs, slot);
      if (slot.inFlight !== undefined) continue;
      lagsMs.push(nowMs - dueMs);
      this.start(slot, nowMs);
    }
    const nextDueInMs = this.inFlight.size >= this.concurrency ? 0 : Math.max(0, this.queue.peekDueMs() - nowMs);
    return { started: lagsMs.length, completed: transitions.completed, timedOut, transitions: transitions.list, lagsMs, nextDueInMs };
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const { nextDueInMs } = this.step();
      await this.clock.sleep(Math.min(Math.max(nextDueInMs, 1), this.tickMs), signal).catch(() => undefined);
    }
    for (const slot of this.inFlight) slot.inFlight?.controller.abort();
  }

  report(): CheckerReport {
    const states = new Map<string, TargetState>();
    for (const [key, slot] of this.slots) states.set(key, slot.state);
    return { checkerId: this.checkerId, heartbeatMs: this.heartbeatMs, states };
  }

  private start(slot: Slot, nowMs: number): void {
    const controller = new AbortController();
    slot.inFlight = { controller, deadlineMs: nowMs + slot.check.timeoutMs };
    this.inFlight.add(slot);
    const settle = (result: ProbeResult): void => {
      slot.inFlight = undefined;
      this.inFlight.delete(slot);
      if (!slot.isRemoved) this.completed.push({ slot, result, atMs: this.clock.nowMs() });
    };
    slot.check.probe(controller.signal).then(
      (result) => settle(controller.signal.aborted && result.isUp ? { isUp: false, detail: 'timeout' } : result),
      (error: unknown) => settle({ isUp: false, detail: `probe failed: ${error instanceof Error ? error.message : String(error)}` }),
    );
  }

  private applyResults(): { list: Transition[]; completed: number } {
    const results = this.completed;
    this.completed = [];
    const list: Transition[] = [];
    for (const { slot, result, atMs } of results) {
      const next = nextTargetState(slot.state, result, atMs, slot.check);
      slot.state = next.state;
      if (next.transition !== undefined) {
        const transition: Transition = { target: slot.check.key, ...next.transition, atMs, detail: result.detail };
        list.push(transition);
        if (channels.healthTransition.hasSubscribers) channels.healthTransition.publish({ checkerId: this.checkerId, ...transition });
      }
    }
    return { list, completed: results.length };
  }
}
