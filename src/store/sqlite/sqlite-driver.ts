import { openBetterSqlite3 } from './better-sqlite3-driver.js';
import { openNodeSqlite } from './node-sqlite-driver.js';

/**
 * The little of a SQLite binding the store uses, so sqlite-key-value.ts is written once over
 * either binding. Both open the same file format (it is SQLite's), so a data directory moves
 * between Node versions unchanged.
 *
 * - `better-sqlite3` on Node 20 and 22 (on 22 node:sqlite still prints an ExperimentalWarning).
 * - `node:sqlite` (DatabaseSync) on Node 24 and later: there better-sqlite3 ≤ 12 aborts the
 *   process when a Database or Statement is collected after the Environment is gone (Node 24
 *   changed node::ObjectWrap; "Assertion failed: (env) != nullptr"), and better-sqlite3 13,
 *   which fixes it, needs Node 22. Nothing loads better-sqlite3 on Node 24: each driver loads
 *   its binding when a file is opened with it, never on import.
 */
export type SqliteDriverName = 'better-sqlite3' | 'node:sqlite';

/** A parameter bound to a statement. Integers read back are always bigint (revisions are 64-bit). */
export type SqliteValue = null | number | bigint | string | Uint8Array;

export interface SqliteStatement<Row> {
  get(...params: SqliteValue[]): Row | undefined;
  all(...params: SqliteValue[]): Row[];
  run(...params: SqliteValue[]): void;
}

export interface SqliteConnection {
  readonly driver: SqliteDriverName;
  /** Runs one or more statements (PRAGMAs, DDL, BEGIN/COMMIT); their rows are dropped. */
  exec(sql: string): void;
  /** INTEGER columns read as bigint; BLOBs as Uint8Array (a Buffer from better-sqlite3). */
  prepare<Row>(sql: string): SqliteStatement<Row>;
  /** `body` between BEGIN IMMEDIATE and COMMIT, rolled back when it throws. Not reentrant. */
  transactionImmediate<T>(body: () => T): T;
  /** Closes the file; a second call does nothing. */
  close(): void;
  /**
   * The SQLite result code of an error SQLite raised (`SQLITE_BUSY`, `SQLITE_NOTADB`, …), or
   * undefined for any other error (a wrong parameter: a bug).
   */
  sqliteErrorCode(error: unknown): string | undefined;
}

export interface SqliteOpenOptions {
  /** SQLite's busy timeout: how long a statement waits for another connection's lock before SQLITE_BUSY. */
  readonly timeoutMs: number;
}

/** The driver for a Node version (`process.versions.node`, by major): node:sqlite from 24 on, else better-sqlite3. */
export function sqliteDriverFor(nodeVersion: string = process.versions.node): SqliteDriverName {
  return Number.parseInt(nodeVersion.replace(/^v/, ''), 10) >= 24 ? 'node:sqlite' : 'better-sqlite3';
}

/** Opens (creating when missing) one SQLite file with the driver of this Node, or the one named. */
export function openSqlite(file: string, options: SqliteOpenOptions, driver: SqliteDriverName = sqliteDriverFor()): SqliteConnection {
  return driver === 'node:sqlite' ? openNodeSqlite(file, options) : openBetterSqlite3(file, options);
}
