import type { Clock } from '../../base/clock.js';
import type { StoreWatch, WatchTarget } from '../store.js';
import type { KeyValue } from './key-value.js';
import { appliedKey, PLAN_HEAD_KEY } from './store-keys.js';
import { orUnavailable } from './store-unavailable.js';

/**
 * The Store's `watch` over a KeyValue backend: the backend's change hints (`onChange`) wake a
 * waiter, which then compares the watched keys' mod revisions with the ones it saw last, so a
 * write to any other key (every role's heartbeat) wakes nobody for long, and a hint lost or
 * coalesced costs at most the caller's timeout.
 *
 * No missed change: the first revisions are read when the watch is made, before the caller's
 * first read of the store, so a write between that read and `next` is seen by `next`.
 */
export class KvWatch implements StoreWatch {
  private readonly keys: readonly string[];
  /** The revisions last reported; undefined: not known (the store was down). */
  private seen: Promise<readonly bigint[] | undefined>;
  private isHinted = false;
  private wake: (() => void) | undefined;
  private readonly stopHints: () => void;

  constructor(
    private readonly kv: KeyValue,
    private readonly clock: Clock,
    targets: readonly WatchTarget[],
  ) {
    this.keys = targets.map((t) => (t.kind === 'newest-plan' ? PLAN_HEAD_KEY : appliedKey(t.provider, t.zone)));
    this.stopHints = kv.onChange(() => {
      this.isHinted = true;
      this.wake?.();
    });
    this.seen = this.revisions();
  }

  async next(request: { readonly timeoutMs: number; readonly signal?: AbortSignal }): Promise<'changed' | 'timeout' | 'aborted'> {
    const { signal } = request;
    const deadline = this.clock.monotonicMs() + request.timeoutMs;
    const seen = await this.seen;
    for (;;) {
      if (signal?.aborted === true) return 'aborted';
      this.isHinted = false;
      const now = await this.revisions();
      // Unknown before (the store was down) and known now: maybe changed; an extra read is harmless.
      if (now !== undefined && (seen === undefined || now.some((revision, i) => revision !== seen[i]))) {
        this.seen = Promise.resolve(now);
        return 'changed';
      }
      const remainingMs = deadline - this.clock.monotonicMs();
      if (remainingMs <= 0) return 'timeout';
      if (!this.isHinted) await this.hintOrSleep(remainingMs, signal);
    }
  }

  close(): void {
    this.stopHints();
    this.wake?.();
  }

  /** Until a hint, `ms`, or the signal: whichever comes first. */
  private async hintOrSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const hinted = new Promise<void>((resolve) => {
      this.wake = resolve;
    });
    try {
      await Promise.race([hinted, this.clock.sleep(ms, stop.signal).catch(() => undefined)]);
    } finally {
      this.wake = undefined;
      stop.abort();
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private async revisions(): Promise<readonly bigint[] | undefined> {
    const read = await orUnavailable(async () => {
      const entries = await Promise.all(this.keys.map((key) => this.kv.get(key)));
      return { kind: 'read' as const, revisions: entries.map((entry) => entry?.modRevision ?? 0n) };
    });
    // The store down: unknown; the caller's own read reports it.
    return read.kind === 'read' ? read.revisions : undefined;
  }
}
