import type { Clock } from '../../base/clock.js';
import type { Random } from '../../base/random.js';
import { KvStore } from '../kv/kv-store.js';
import type { Store } from '../store.js';
import { MemoryKeyValue } from './memory-key-value.js';

export interface MemoryStoreOptions {
  readonly clock: Clock;
  readonly random: Random;
  /** Share one backend between several Store objects (several processes in the simulator). */
  readonly keyValue?: MemoryKeyValue;
}

/** The Store in memory: the same keys and transactions as SQLite and etcd (kv/kv-store.ts). */
export function openMemoryStore(options: MemoryStoreOptions): Store {
  return new KvStore(options.keyValue ?? new MemoryKeyValue(), options);
}
