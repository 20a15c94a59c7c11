/**
 * What the self-repair test (test/e2e/self-repair.test.ts) does to a live SQLite store behind
 * the system's back, the way a bug, a disk or an operator would:
 *
 * - `corruptAppliedRow`: garbage in a zone's applied-generation row, through the key-value
 *   layer (the store then reads it as `corrupt`, store.ts `AppliedRead`);
 * - `removeAppliedRow`: the row deleted — for the built-in provider that row is its marker
 *   (src/providers/builtin/README.md, "How it fences");
 * - `copySqliteStore` / `restoreSqliteStore`: an online copy of `store.sqlite` with SQLite's
 *   backup API (consistent with its WAL, whoever writes meanwhile), and that copy put back
 *   under running processes the same way (the backup API takes the destination's locks, so
 *   every process sees either the old database or the restored one, never a mix).
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { appliedKey } from '../store/kv/store-keys.js';
import { SqliteKeyValue } from '../store/sqlite/sqlite-key-value.js';
import { sqliteStoreFile } from '../store/sqlite/sqlite-store.js';

const require = createRequire(import.meta.url);

async function withKeyValue<T>(dataDir: string, body: (kv: SqliteKeyValue) => Promise<T>): Promise<T> {
  const kv = new SqliteKeyValue(sqliteStoreFile(dataDir), 5_000);
  try {
    return await body(kv);
  } finally {
    await kv.close();
  }
}

export async function corruptAppliedRow(dataDir: string, provider: string, zone: string): Promise<void> {
  const key = appliedKey(provider, zone);
  await withKeyValue(dataDir, async (kv) => {
    if (!(await kv.txn([], [{ kind: 'put', key, value: new TextEncoder().encode('{"generation": "ga\u0000rbage') }]))) throw new Error(`could not corrupt ${key}`);
  });
}

/** Returns whether the row was there. */
export async function removeAppliedRow(dataDir: string, provider: string, zone: string): Promise<boolean> {
  const key = appliedKey(provider, zone);
  return withKeyValue(dataDir, async (kv) => {
    const isPresent = (await kv.get(key)) !== undefined;
    if (!(await kv.txn([], [{ kind: 'delete', key }]))) throw new Error(`could not delete ${key}`);
    return isPresent;
  });
}

/** An online, consistent copy of the store of `dataDir` into `copyFile` (a new file). */
export async function copySqliteStore(dataDir: string, copyFile: string): Promise<void> {
  const Database = require('better-sqlite3') as typeof BetterSqlite3;
  const db = new Database(sqliteStoreFile(dataDir), { timeout: 5_000 });
  try {
    await db.backup(copyFile, { progress: () => 0x7fffffff });
  } finally {
    db.close();
  }
}

/** Puts `copyFile` back as the store of `dataDir`, under whatever runs on it. */
export async function restoreSqliteStore(copyFile: string, dataDir: string): Promise<void> {
  const Database = require('better-sqlite3') as typeof BetterSqlite3;
  const db = new Database(copyFile, { timeout: 5_000 });
  try {
    await db.backup(sqliteStoreFile(dataDir), { progress: () => 0x7fffffff });
  } finally {
    db.close();
  }
}
