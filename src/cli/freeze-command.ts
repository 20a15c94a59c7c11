/**
 * `resolute freeze --data-dir D --reason TEXT`: break-glass stop of planning. Sets the store's
 * freeze flag (the planner's first step reads it and writes nothing while it is set) and
 * records who and why in the audit log. Enactors keep applying the newest plan: a freeze stops
 * new plans, never the repair of what providers serve.
 */
import type { Command } from 'commander';
import { createLogger } from './logger.js';
import { addOperatorOptions, openExistingStore, operatorName, orThrow, type OperatorOptions } from './operator-store.js';
import { printError } from './options.js';

interface FreezeOptions extends OperatorOptions {
  readonly reason: string;
}

export function registerFreezeCommand(program: Command): void {
  const command = program
    .command('freeze')
    .description('Stop planning (break-glass): the planner writes no new plan until `resolute resume`; enactors keep the newest plan applied.')
    .requiredOption('--reason <text>', 'why, for the audit log');
  addOperatorOptions(command)
    .addHelpText('after', '\nExample:\n  resolute freeze --data-dir ./data --reason "bad health checks, investigating"')
    .action(async (options: FreezeOptions) => {
      try {
        process.stdout.write(await freeze(options));
      } catch (error) {
        printError(error);
        process.exitCode = 1;
      }
    });
}

async function freeze(options: FreezeOptions): Promise<string> {
  const log = createLogger({ level: options.logLevel, role: 'operator' });
  const store = await openExistingStore(options.dataDir);
  try {
    const by = operatorName(options.by);
    const before = orThrow(await store.readFreeze()).freeze;
    orThrow(await store.setFreeze({ isFrozen: true, by, reason: options.reason }));
    orThrow(await store.appendAudit({ actor: by, action: 'freeze', detail: options.reason }));
    log.warn({ by, reason: options.reason, wasFrozen: before.isFrozen }, 'planning frozen');
    const was = before.isFrozen ? ` (it was already frozen by ${before.by}: ${before.reason})` : '';
    return `planning frozen by ${by}: ${options.reason}${was}\nresume with: resolute resume --data-dir ${options.dataDir}\n`;
  } finally {
    await store.close();
  }
}
