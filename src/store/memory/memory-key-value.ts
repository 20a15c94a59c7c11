import { prefixEnd, type KeyValue, type KvCompare, type KvEntry, type KvWrite, type RangeOptions } from '../kv/key-value.js';
import { ChangeListeners } from '../kv/change-listeners.js';
import { storeUnavailableError } from '../kv/store-unavailable.js';

const EMPTY = new Uint8Array(0);

/**
 * The KeyValue backend in memory, for tests and the simulator: etcd's model (a store-wide
 * revision, mod revisions, all-or-nothing transactions) on a sorted array of keys. Every
 * operation yields to the event loop first, so concurrent callers interleave as they would
 * against a real store. `setUnavailable` lets the simulator take it down.
 */
export class MemoryKeyValue implements KeyValue {
  private readonly entries = new Map<string, KvEntry>();
  private keys: string[] = [];
  private revision = 0n;
  private isUnavailable = false;
  private isClosed = false;
  private readonly listeners = new ChangeListeners();

  setUnavailable(isUnavailable: boolean): void {
    this.isUnavailable = isUnavailable;
  }

  async get(key: string): Promise<KvEntry | undefined> {
    await this.turn('get');
    return this.entries.get(key);
  }

  async range(prefix: string, options: RangeOptions = {}): Promise<KvEntry[]> {
    await this.turn('range');
    const end = prefixEnd(prefix);
    const from = this.lowerBound(prefix);
    let to = from;
    while (to < this.keys.length && this.keys[to] < end) to++;
    let keys = this.keys.slice(from, to);
    if (options.isReversed === true) keys.reverse();
    if (options.limit !== undefined) keys = keys.slice(0, options.limit);
    return keys.map((key) => {
      const entry = this.entries.get(key) as KvEntry;
      return options.isKeysOnly === true ? { ...entry, value: EMPTY } : entry;
    });
  }

  async txn(compares: readonly KvCompare[], writes: readonly KvWrite[]): Promise<boolean> {
    await this.turn('txn');
    for (const compare of compares) {
      const entry = this.entries.get(compare.key);
      if ('isPresent' in compare ? entry === undefined : (entry?.modRevision ?? 0n) !== compare.modRevision) return false;
    }
    if (writes.length === 0) return true;
    const revision = ++this.revision;
    for (const write of writes) {
      if (write.kind === 'put') {
        if (!this.entries.has(write.key)) this.keys.splice(this.lowerBound(write.key), 0, write.key);
        // A copy: the caller may reuse its buffer, a store may not change under its readers.
        this.entries.set(write.key, { key: write.key, value: write.value.slice(), modRevision: revision });
      } else if (write.kind === 'delete') {
        if (this.entries.delete(write.key)) this.keys.splice(this.lowerBound(write.key), 1);
      } else {
        const end = prefixEnd(write.prefix);
        const from = this.lowerBound(write.prefix);
        let to = from;
        while (to < this.keys.length && this.keys[to] < end) this.entries.delete(this.keys[to++]);
        this.keys.splice(from, to - from);
      }
    }
    this.listeners.notify();
    return true;
  }

  /** Every Store object sharing this backend (the simulator's processes) hears every write. */
  onChange(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  async close(): Promise<void> {
    this.isClosed = true;
  }

  private async turn(operation: string): Promise<void> {
    await Promise.resolve();
    if (this.isClosed) throw new Error(`memory store used after close (${operation})`);
    if (this.isUnavailable) throw storeUnavailableError('the in-memory store is set unavailable', `memory ${operation}`);
  }

  private lowerBound(key: string): number {
    let low = 0;
    let high = this.keys.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.keys[mid] < key) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
