import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { ResoluteError } from '../../base/errors.js';
import { ChangeListeners } from '../kv/change-listeners.js';
import { prefixEnd, type KeyValue, type KvCompare, type KvEntry, type KvWrite, type RangeOptions } from '../kv/key-value.js';
import { storeUnavailableError } from '../kv/store-unavailable.js';
import { openSqlite, sqliteDriverFor, type SqliteConnection, type SqliteDriverName, type SqliteStatement } from './sqlite-driver.js';

/** How long a write waits for another process's write transaction before the store reports itself unavailable. */
export const LOCK_TIMEOUT_MS_DEFAULT = 2_000;

const EMPTY = new Uint8Array(0);

interface Row {
  readonly key: string;
  readonly value: Uint8Array | null;
  readonly mod_revision: bigint;
}

/**
 * The KeyValue backend on one SQLite file: one key-value table and a revision counter, so the
 * semantics are etcd's (a store-wide revision, all-or-nothing compare-then-write).
 *
 * - WAL: readers never wait for the writer; several processes share the file.
 * - synchronous=FULL: a transaction is on disk when txn() returns, so nothing acknowledged is
 *   lost to SIGKILL or a power cut.
 * - BEGIN IMMEDIATE with busy_timeout = lockTimeoutMs: a writer that holds the write lock and
 *   stops (SIGSTOP, a debugger) delays the others by at most the bound; then they get
 *   ERR_STORE_UNAVAILABLE. Both drivers are synchronous, so the wait blocks this thread: the
 *   DNS server answers from its own thread or process (issue 6).
 * - Change hints (`onChange`): in WAL mode every commit, by any process, writes `<file>-wal`,
 *   so an inotify watch (fs.watch) on the directory hears other processes' writes at once;
 *   the directory, not the file, because a checkpoint by the last connection removes the WAL.
 *   Inotify can miss or coalesce events, and some filesystems have none: callers keep their
 *   poll interval as the fallback (kv-watch.ts).
 *
 * The binding is sqlite-driver.ts's choice for this Node (better-sqlite3 on 20 and 22,
 * node:sqlite from 24 on); the file is the same either way.
 */
export class SqliteKeyValue implements KeyValue {
  private readonly db: SqliteConnection;
  private readonly listeners = new ChangeListeners();
  private watcher: FSWatcher | undefined;
  private isClosed = false;
  private readonly statements: {
    get: SqliteStatement<Row>;
    range: SqliteStatement<Row>;
    rangeReversed: SqliteStatement<Row>;
    rangeKeys: SqliteStatement<Row>;
    rangeKeysReversed: SqliteStatement<Row>;
    revision: SqliteStatement<{ value: bigint }>;
    setRevision: SqliteStatement<never>;
    put: SqliteStatement<never>;
    delete: SqliteStatement<never>;
    deleteRange: SqliteStatement<never>;
  };

  constructor(
    readonly file: string,
    lockTimeoutMs = LOCK_TIMEOUT_MS_DEFAULT,
    driver: SqliteDriverName = sqliteDriverFor(),
  ) {
    let db: SqliteConnection | undefined;
    try {
      db = openSqlite(file, { timeoutMs: lockTimeoutMs }, driver);
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = FULL');
      // Only a new file is written to on open: opening must not wait on another process's write lock.
      const tables = db.prepare<{ n: bigint }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('kv', 'revision')").get();
      if (tables === undefined || tables.n < 2n) {
        db.exec(`
          BEGIN IMMEDIATE;
          CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL, mod_revision INTEGER NOT NULL) WITHOUT ROWID;
          CREATE TABLE IF NOT EXISTS revision (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
          INSERT OR IGNORE INTO revision (id, value) VALUES (1, 0);
          COMMIT;
        `);
      }
    } catch (error) {
      try {
        db?.close();
      } catch {
        // The open failed already; that is the error to report.
      }
      throw new ResoluteError('ERR_STORE_OPEN', `cannot open the SQLite store: ${(error as Error).message}`, {
        where: file,
        hint: 'check that the data directory exists, is writable, and holds a Resolute store (or nothing)',
        cause: error,
      });
    }
    this.db = db;
    const select = 'SELECT key, value, mod_revision FROM kv WHERE key >= ? AND key < ?';
    const selectKeys = 'SELECT key, NULL AS value, mod_revision FROM kv WHERE key >= ? AND key < ?';
    this.statements = {
      get: db.prepare('SELECT key, value, mod_revision FROM kv WHERE key = ?'),
      range: db.prepare(`${select} ORDER BY key LIMIT ?`),
      rangeReversed: db.prepare(`${select} ORDER BY key DESC LIMIT ?`),
      rangeKeys: db.prepare(`${selectKeys} ORDER BY key LIMIT ?`),
      rangeKeysReversed: db.prepare(`${selectKeys} ORDER BY key DESC LIMIT ?`),
      revision: db.prepare('SELECT value FROM revision WHERE id = 1'),
      setRevision: db.prepare('UPDATE revision SET value = ? WHERE id = 1'),
      put: db.prepare('INSERT INTO kv (key, value, mod_revision) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, mod_revision = excluded.mod_revision'),
      delete: db.prepare('DELETE FROM kv WHERE key = ?'),
      deleteRange: db.prepare('DELETE FROM kv WHERE key >= ? AND key < ?'),
    };
  }

  /** The SQLite binding this store runs on. */
  get driver(): SqliteDriverName {
    return this.db.driver;
  }

  async get(key: string): Promise<KvEntry | undefined> {
    const row = this.run('get', () => this.statements.get.get(key));
    return row === undefined ? undefined : toEntry(row);
  }

  async range(prefix: string, options: RangeOptions = {}): Promise<KvEntry[]> {
    const statement =
      options.isKeysOnly === true
        ? options.isReversed === true
          ? this.statements.rangeKeysReversed
          : this.statements.rangeKeys
        : options.isReversed === true
          ? this.statements.rangeReversed
          : this.statements.range;
    return this.run('range', () => statement.all(prefix, prefixEnd(prefix), options.limit ?? -1)).map(toEntry);
  }

  async txn(compares: readonly KvCompare[], writes: readonly KvWrite[]): Promise<boolean> {
    const isWritten = this.run('txn', () => this.db.transactionImmediate(() => this.apply(compares, writes)));
    if (isWritten && writes.length > 0) this.listeners.notify();
    return isWritten;
  }

  onChange(listener: () => void): () => void {
    const remove = this.listeners.add(listener);
    this.startWatching();
    return () => {
      remove();
      if (this.listeners.size === 0) this.stopWatching();
    };
  }

  async close(): Promise<void> {
    this.isClosed = true;
    this.stopWatching();
    this.db.close();
  }

  /** Hears other processes' commits (the class comment); without inotify, callers poll. */
  private startWatching(): void {
    if (this.watcher !== undefined || this.isClosed) return;
    const base = path.basename(this.file);
    try {
      this.watcher = watch(path.dirname(this.file), { persistent: false }, (_event, name) => {
        if (name === null || name.startsWith(base)) this.listeners.notify();
      });
      this.watcher.on('error', () => this.stopWatching());
    } catch {
      // No inotify here (its limits reached, a filesystem without it): the poll interval remains.
    }
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** One transaction's body: every compare holds, or nothing is written. */
  private apply(compares: readonly KvCompare[], writes: readonly KvWrite[]): boolean {
    for (const compare of compares) {
      const row = this.statements.get.get(compare.key);
      if ('isPresent' in compare ? row === undefined : (row?.mod_revision ?? 0n) !== compare.modRevision) return false;
    }
    if (writes.length === 0) return true;
    const current = this.statements.revision.get();
    if (current === undefined) throw storeUnavailableError('the SQLite store has no revision row', this.file);
    const revision = current.value + 1n;
    this.statements.setRevision.run(revision);
    for (const write of writes) {
      if (write.kind === 'put') this.statements.put.run(write.key, write.value, revision);
      else if (write.kind === 'delete') this.statements.delete.run(write.key);
      else this.statements.deleteRange.run(write.prefix, prefixEnd(write.prefix));
    }
    return true;
  }

  /** Every SQLite failure (busy beyond the timeout, I/O, a damaged file) makes the store unavailable. */
  private run<T>(operation: string, body: () => T): T {
    try {
      return body();
    } catch (error) {
      const code = this.db.sqliteErrorCode(error);
      if (code !== undefined) throw storeUnavailableError(`SQLite ${operation} failed: ${code}: ${(error as Error).message}`, this.file, error);
      throw error;
    }
  }
}

function toEntry(row: Row): KvEntry {
  return { key: row.key, value: row.value ?? EMPTY, modRevision: row.mod_revision };
}
