import Database from 'better-sqlite3';
import { ResoluteError } from '../../base/errors.js';
import { prefixEnd, type KeyValue, type KvCompare, type KvEntry, type KvWrite, type RangeOptions } from '../kv/key-value.js';
import { storeUnavailableError } from '../kv/store-unavailable.js';

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
 *   ERR_STORE_UNAVAILABLE. better-sqlite3 is synchronous, so the wait blocks this thread: the
 *   DNS server answers from its own thread or process (issue 6).
 */
export class SqliteKeyValue implements KeyValue {
  private readonly db: Database.Database;
  private readonly statements: {
    get: Database.Statement<[string], Row>;
    range: Database.Statement<[string, string, number], Row>;
    rangeReversed: Database.Statement<[string, string, number], Row>;
    rangeKeys: Database.Statement<[string, string, number], Row>;
    rangeKeysReversed: Database.Statement<[string, string, number], Row>;
    revision: Database.Statement<[], { value: bigint }>;
    setRevision: Database.Statement<[bigint]>;
    put: Database.Statement<[string, Uint8Array, bigint]>;
    delete: Database.Statement<[string]>;
    deleteRange: Database.Statement<[string, string]>;
  };
  private readonly txnImmediate: (compares: readonly KvCompare[], writes: readonly KvWrite[]) => boolean;

  constructor(
    readonly file: string,
    lockTimeoutMs = LOCK_TIMEOUT_MS_DEFAULT,
  ) {
    try {
      this.db = new Database(file, { timeout: lockTimeoutMs });
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.defaultSafeIntegers(true);
      // Only a new file is written to on open: opening must not wait on another process's write lock.
      const tables = this.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('kv', 'revision')").get() as { n: bigint };
      if (tables.n < 2n) {
        this.db.exec(`
          BEGIN IMMEDIATE;
          CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL, mod_revision INTEGER NOT NULL) WITHOUT ROWID;
          CREATE TABLE IF NOT EXISTS revision (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
          INSERT OR IGNORE INTO revision (id, value) VALUES (1, 0);
          COMMIT;
        `);
      }
    } catch (error) {
      throw new ResoluteError('ERR_STORE_OPEN', `cannot open the SQLite store: ${(error as Error).message}`, {
        where: file,
        hint: 'check that the data directory exists, is writable, and holds a Resolute store (or nothing)',
        cause: error,
      });
    }
    const select = 'SELECT key, value, mod_revision FROM kv WHERE key >= ? AND key < ?';
    const selectKeys = 'SELECT key, NULL AS value, mod_revision FROM kv WHERE key >= ? AND key < ?';
    this.statements = {
      get: this.db.prepare('SELECT key, value, mod_revision FROM kv WHERE key = ?'),
      range: this.db.prepare(`${select} ORDER BY key LIMIT ?`),
      rangeReversed: this.db.prepare(`${select} ORDER BY key DESC LIMIT ?`),
      rangeKeys: this.db.prepare(`${selectKeys} ORDER BY key LIMIT ?`),
      rangeKeysReversed: this.db.prepare(`${selectKeys} ORDER BY key DESC LIMIT ?`),
      revision: this.db.prepare('SELECT value FROM revision WHERE id = 1'),
      setRevision: this.db.prepare('UPDATE revision SET value = ? WHERE id = 1'),
      put: this.db.prepare('INSERT INTO kv (key, value, mod_revision) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, mod_revision = excluded.mod_revision'),
      delete: this.db.prepare('DELETE FROM kv WHERE key = ?'),
      deleteRange: this.db.prepare('DELETE FROM kv WHERE key >= ? AND key < ?'),
    };
    this.txnImmediate = this.db.transaction((compares: readonly KvCompare[], writes: readonly KvWrite[]): boolean => {
      for (const compare of compares) {
        const row = this.statements.get.get(compare.key);
        if ('isPresent' in compare ? row === undefined : (row?.mod_revision ?? 0n) !== compare.modRevision) return false;
      }
      if (writes.length === 0) return true;
      const revision = (this.statements.revision.get() as { value: bigint }).value + 1n;
      this.statements.setRevision.run(revision);
      for (const write of writes) {
        if (write.kind === 'put') this.statements.put.run(write.key, write.value, revision);
        else if (write.kind === 'delete') this.statements.delete.run(write.key);
        else this.statements.deleteRange.run(write.prefix, prefixEnd(write.prefix));
      }
      return true;
    }).immediate;
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
    return this.run('txn', () => this.txnImmediate(compares, writes));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** Every SQLite failure (busy beyond the timeout, I/O, a damaged file) makes the store unavailable. */
  private run<T>(operation: string, body: () => T): T {
    try {
      return body();
    } catch (error) {
      if (error instanceof Database.SqliteError) throw storeUnavailableError(`SQLite ${operation} failed: ${error.code}: ${error.message}`, this.file, error);
      throw error;
    }
  }
}

function toEntry(row: Row): KvEntry {
  return { key: row.key, value: row.value ?? EMPTY, modRevision: row.mod_revision };
}
