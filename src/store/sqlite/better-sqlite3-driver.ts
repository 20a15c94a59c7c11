import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteConnection, SqliteOpenOptions, SqliteStatement, SqliteValue } from './sqlite-driver.js';

const require = createRequire(import.meta.url);

/** better-sqlite3, loaded on the first open (never on import: Node 24 must not load it). */
export function openBetterSqlite3(file: string, options: SqliteOpenOptions): SqliteConnection {
  const Database = require('better-sqlite3') as typeof BetterSqlite3;
  const db = new Database(file, { timeout: options.timeoutMs });
  db.defaultSafeIntegers(true);
  const immediate = db.transaction((body: () => unknown) => body()).immediate;
  return {
    driver: 'better-sqlite3',
    exec: (sql) => {
      db.exec(sql);
    },
    prepare: <Row>(sql: string): SqliteStatement<Row> => db.prepare<SqliteValue[], Row>(sql),
    transactionImmediate: <T>(body: () => T): T => immediate(body) as T,
    close: () => {
      if (db.open) db.close();
    },
    sqliteErrorCode: (error) => (error instanceof Database.SqliteError ? error.code : undefined),
  };
}
