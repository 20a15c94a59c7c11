/** What the operator commands (freeze, resume, rollback, drain) share: an existing store, who is acting, and unavailable → an error. */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { systemClock } from '../base/clock.js';
import { ResoluteError } from '../base/errors.js';
import { systemRandom } from '../base/random.js';
import { openSqliteStore, sqliteStoreFile } from '../store/sqlite/sqlite-store.js';
import type { Store, Unavailable } from '../store/store.js';
import { addLogLevelOption, type LogLevel } from './logger.js';

export interface OperatorOptions {
  readonly dataDir: string;
  readonly by?: string;
  readonly logLevel: LogLevel;
}

/** `--data-dir` (required: an operator command acts on a running system's store), `--by`, `--log-level`. */
export function addOperatorOptions(command: Command): Command {
  command.requiredOption('--data-dir <dir>', 'the data directory of the store').option('--by <name>', 'who is acting, for the audit log (default: the user name)');
  return addLogLevelOption(command);
}

/**
 * Opens the store of an existing data directory. Unlike `run`, an operator command never
 * creates one: a mistyped --data-dir would otherwise freeze (or drain) a brand-new empty store
 * that no planner reads, and the operator would believe the system stopped.
 */
export async function openExistingStore(dataDir: string): Promise<Store> {
  if (!existsSync(sqliteStoreFile(dataDir))) {
    throw new ResoluteError('ERR_STORE_OPEN', `no Resolute store in ${dataDir} (${sqliteStoreFile(dataDir)} does not exist)`, {
      where: `--data-dir ${dataDir}`,
      hint: 'pass the data directory of the running system (the --data-dir given to `resolute run` or `up`)',
    });
  }
  return openSqliteStore({ dataDir, clock: systemClock, random: systemRandom });
}

export function operatorName(by: string | undefined): string {
  if (by !== undefined && by.trim() !== '') return by.trim();
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'operator';
  }
}

/** The outcome, or its cause thrown: an operator command cannot go on without the store. */
export function orThrow<T extends { readonly kind: string }>(outcome: T | Unavailable): Exclude<T, Unavailable> {
  if (outcome.kind === 'unavailable') throw (outcome as Unavailable).cause;
  return outcome as Exclude<T, Unavailable>;
}
