/**
 * The listeners of a KeyValue backend's `onChange` (key-value.ts), told after every write.
 * Told in a microtask of their own, once for a burst of writes in one turn of the event loop
 * (a 13 MiB plan is many WAL writes); a listener that throws is a bug in the caller and
 * surfaces as an uncaught exception, never as a failed write.
 */
export class ChangeListeners {
  private readonly listeners = new Set<() => void>();
  private isPending = false;

  get size(): number {
    return this.listeners.size;
  }

  /** Adds `listener`; the returned function removes it (a second call does nothing). */
  add(listener: () => void): () => void {
    const entry = (): void => listener(); // its own identity: the same function may be added twice
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  notify(): void {
    if (this.isPending || this.listeners.size === 0) return;
    this.isPending = true;
    queueMicrotask(() => {
      this.isPending = false;
      for (const listener of this.listeners) listener();
    });
  }
}
