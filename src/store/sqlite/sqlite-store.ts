import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../../base/clock.js';
import { ResoluteError } from '../../base/errors.js';
import type { Random } from '../../base/random.js';
import { KvStore } from '../kv/kv-store.js';
import type { Store } from '../store.js';
import { SqliteKeyValue } from './sqlite-key-value.js';

export interface SqliteStoreOptions {
  /** The data directory; the store is the file `store.sqlite` in it (created when missing). */
  readonly dataDir: string;
  readonly clock: Clock;
  readonly random: Random;
  /** How long a write waits for another process's write lock before `unavailable` (default 2 s). */
  readonly lockTimeoutMs?: number;
}

export const SQLITE_STORE_FILE = 'store.sqlite';

export function sqliteStoreFile(dataDir: string): string {
  return path.join(dataDir, SQLITE_STORE_FILE);
}

/** The embedded Store: SQLite on disk, shared by every process on the machine. */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  try {
    mkdirSync(options.dataDir, { recursive: true });
  } catch (error) {
    throw new ResoluteError('ERR_STORE_OPEN', `cannot create the data directory: ${(error as Error).message}`, {
      where: options.dataDir,
      hint: 'pass a writable directory with --data-dir',
      cause: error,
    });
  }
  return new KvStore(new SqliteKeyValue(sqliteStoreFile(options.dataDir), options.lockTimeoutMs), options);
}
