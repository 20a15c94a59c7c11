/**
 * A binary min-heap of items by due time: the checker's one schedule for every target, instead
 * of a timer per target (10,000 timers would each cost a wake-up; one queue costs log n).
 */
export class DueQueue<T> {
  private readonly dues: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  /** The earliest due time, or Infinity when empty. */
  peekDueMs(): number {
    return this.dues.length === 0 ? Infinity : this.dues[0];
  }

  push(dueMs: number, item: T): void {
    let i = this.items.length;
    this.dues.push(dueMs);
    this.items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.dues[parent] <= dueMs) break;
      this.move(parent, i);
      i = parent;
    }
    this.dues[i] = dueMs;
    this.items[i] = item;
  }

  /** Removes and returns the earliest item with its due time; undefined when empty. */
  pop(): { dueMs: number; item: T } | undefined {
    if (this.items.length === 0) return undefined;
    const top = { dueMs: this.dues[0], item: this.items[0] };
    const lastDue = this.dues.pop() as number;
    const lastItem = this.items.pop() as T;
    const n = this.items.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const child = left + 1 < n && this.dues[left + 1] < this.dues[left] ? left + 1 : left;
        if (this.dues[child] >= lastDue) break;
        this.move(child, i);
        i = child;
      }
      this.dues[i] = lastDue;
      this.items[i] = lastItem;
    }
    return top;
  }

  private move(from: number, to: number): void {
    this.dues[to] = this.dues[from];
    this.items[to] = this.items[from];
  }
}
