/**
 * Time as a seam (CONVENTIONS rule 4): roles take a Clock, so the simulator can run them on
 * virtual time. Only base/, sim/ and cli/ may read the system clock or start timers.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch, wall time (for records and logs). */
  nowMs(): number;
  /** Milliseconds from an arbitrary origin that never goes backwards (for intervals). */
  monotonicMs(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A one-shot timer; the returned function cancels it. Unref'd: it never holds the process. */
  after(ms: number, callback: () => void): () => void;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  monotonicMs: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
  after: (ms, callback) => {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
