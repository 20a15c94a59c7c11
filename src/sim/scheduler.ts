/**
 * The deterministic scheduler: one process, virtual time, no real timer and no real I/O. Every
 * pending operation (a store call, a DNS message, a sleep) is an event at a virtual instant; ties
 * are broken by a number drawn from the seeded Random when the event was made, so the seed alone
 * decides the order in which everything happens.
 *
 * step():
 *   1. take the earliest event (skipping those of crashed actors: their pending operations are
 *      never resolved, as a killed process's are not);
 *   2. move the virtual clock to it and fire it (a fire may be async: it is awaited whole, so a
 *      store transaction is atomic);
 *   3. let every promise continuation it released run (one macrotask turn: no real I/O exists,
 *      so the microtask queue is empty after it).
 */
import type { Random } from '../base/random.js';

/** One incarnation of a role: a crash ends it, a restart makes a new one. */
export class Actor {
  isAlive = true;
  constructor(
    readonly role: string,
    readonly incarnation: number,
  ) {}

  get name(): string {
    return `${this.role}#${this.incarnation}`;
  }
}

interface SimEvent {
  readonly atMs: number;
  readonly tie: number;
  /** Undefined: owned by nobody (a message already on the wire), fired even if its sender died. */
  readonly actor: Actor | undefined;
  readonly fire: () => void | Promise<void>;
  isCancelled: boolean;
}

export interface Cancel {
  (): void;
}

export class Scheduler {
  nowMs = 0;
  steps = 0;
  private readonly heap: SimEvent[] = [];

  constructor(readonly random: Random) {}

  /** Schedules `fire` `delayMs` from now; the returned function cancels it. */
  at(delayMs: number, actor: Actor | undefined, fire: () => void | Promise<void>): Cancel {
    const event: SimEvent = { atMs: this.nowMs + Math.max(0, delayMs), tie: this.random.next(), actor, fire, isCancelled: false };
    this.push(event);
    return () => {
      event.isCancelled = true;
    };
  }

  /** Fires the next live event; false when none is due by `untilMs`. */
  async step(untilMs: number): Promise<boolean> {
    for (;;) {
      const next = this.heap[0];
      if (next === undefined || next.atMs > untilMs) return false;
      this.pop();
      if (next.isCancelled || (next.actor !== undefined && !next.actor.isAlive)) continue;
      this.nowMs = next.atMs;
      this.steps++;
      await next.fire();
      await settle();
      return true;
    }
  }

  private push(event: SimEvent): void {
    const heap = this.heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!isBefore(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop() as SimEvent;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && isBefore(heap[left], heap[least])) least = left;
      if (right < heap.length && isBefore(heap[right], heap[least])) least = right;
      if (least === i) return;
      [heap[i], heap[least]] = [heap[least], heap[i]];
      i = least;
    }
  }
}

function isBefore(a: SimEvent, b: SimEvent): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.tie < b.tie);
}

/** One macrotask turn: every continuation released so far has run (nothing else is pending). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
