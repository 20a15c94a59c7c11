import type { SqliteConnection, SqliteOpenOptions, SqliteStatement, SqliteValue } from './sqlite-driver.js';

/** The part of node:sqlite used here (@types/node 20 does not describe it). */
interface NodeSqlite {
  readonly DatabaseSync: new (path: string, options: { readonly timeout: number }) => DatabaseSync;
}

interface DatabaseSync {
  readonly isOpen: boolean;
  readonly isTransaction: boolean;
  exec(sql: string): void;
  prepare(sql: string): StatementSync;
  close(): void;
}

interface StatementSync {
  get(...params: SqliteValue[]): unknown;
  all(...params: SqliteValue[]): unknown[];
  run(...params: SqliteValue[]): unknown;
  setReadBigInts(isEnabled: boolean): void;
}

/** SQLite's primary result codes; node:sqlite gives the number (`errcode`, possibly extended), better-sqlite3 the name. */
const RESULT_CODES = [
  'SQLITE_OK', 'SQLITE_ERROR', 'SQLITE_INTERNAL', 'SQLITE_PERM', 'SQLITE_ABORT', 'SQLITE_BUSY', 'SQLITE_LOCKED',
  'SQLITE_NOMEM', 'SQLITE_READONLY', 'SQLITE_INTERRUPT', 'SQLITE_IOERR', 'SQLITE_CORRUPT', 'SQLITE_NOTFOUND',
  'SQLITE_FULL', 'SQLITE_CANTOPEN', 'SQLITE_PROTOCOL', 'SQLITE_EMPTY', 'SQLITE_SCHEMA', 'SQLITE_TOOBIG',
  'SQLITE_CONSTRAINT', 'SQLITE_MISMATCH', 'SQLITE_MISUSE', 'SQLITE_NOLFS', 'SQLITE_AUTH', 'SQLITE_FORMAT',
  'SQLITE_RANGE', 'SQLITE_NOTADB', 'SQLITE_NOTICE', 'SQLITE_WARNING',
] as const;

/** Node's built-in SQLite (DatabaseSync), loaded on the first open (never on import: Node 20 has none). */
export function openNodeSqlite(file: string, options: SqliteOpenOptions): SqliteConnection {
  const { DatabaseSync } = loadNodeSqlite();
  const db = new DatabaseSync(file, { timeout: options.timeoutMs });
  return {
    driver: 'node:sqlite',
    exec: (sql) => db.exec(sql),
    prepare: <Row>(sql: string): SqliteStatement<Row> => {
      const statement = db.prepare(sql);
      statement.setReadBigInts(true);
      return statement as SqliteStatement<Row>;
    },
    // node:sqlite has no transaction helper: better-sqlite3's, by hand.
    transactionImmediate: <T>(body: () => T): T => {
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = body();
        db.exec('COMMIT');
        return result;
      } catch (error) {
        if (db.isTransaction) db.exec('ROLLBACK');
        throw error;
      }
    },
    close: () => {
      if (db.isOpen) db.close();
    },
    sqliteErrorCode: (error) => {
      if (!(error instanceof Error) || (error as { code?: unknown }).code !== 'ERR_SQLITE_ERROR') return undefined;
      const errcode = (error as { errcode?: unknown }).errcode;
      return typeof errcode === 'number' ? (RESULT_CODES[errcode & 0xff] ?? `SQLITE_${errcode}`) : 'SQLITE_ERROR';
    },
  };
}

/**
 * node:sqlite, without its one-time "SQLite is an experimental feature" warning (still printed
 * by Node 24): the store chose it deliberately, and the warning would reach every operator's
 * terminal. Only that warning is dropped, and only while the module loads.
 */
function loadNodeSqlite(): NodeSqlite {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]): void {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: unknown } | undefined)?.type;
    if (type === 'ExperimentalWarning' && String(warning).startsWith('SQLite ')) return;
    Reflect.apply(emitWarning, this, [warning, ...rest]);
  } as typeof process.emitWarning;
  try {
    const sqlite = process.getBuiltinModule('node:sqlite') as NodeSqlite | undefined;
    if (sqlite === undefined) throw new Error(`node:sqlite is not available on Node ${process.versions.node}`);
    return sqlite;
  } finally {
    process.emitWarning = emitWarning;
  }
}
