/**
 * `resolute resume --data-dir D [--reason TEXT]`: clears the store's freeze flag (set by
 * `resolute freeze` or a rollback) so the planner plans again from the newest stored plan, and
 * records who and why in the audit log.
 */
import type { Command } from 'commander';
import { createLogger } from './logger.js';
import { addOperatorOptions, openExistingStore, operatorName, orThrow, type OperatorOptions } from './operator-store.js';
import { printError } from './options.js';

interface ResumeOptions extends OperatorOptions {
  readonly reason: string;
}

export function registerResumeCommand(program: Command): void {
  const command = program
    .command('resume')
    .description('Resume planning after `resolute freeze` or `resolute rollback`.')
    .option('--reason <text>', 'why, for the audit log', 'resumed by an operator');
  addOperatorOptions(command)
    .addHelpText('after', '\nExample:\n  resolute resume --data-dir ./data --reason "checks fixed"')
    .action(async (options: ResumeOptions) => {
      try {
        process.stdout.write(await resume(options));
      } catch (error) {
        printError(error);
        process.exitCode = 1;
      }
    });
}

async function resume(options: ResumeOptions): Promise<string> {
  const log = createLogger({ level: options.logLevel, role: 'operator' });
  const store = await openExistingStore(options.dataDir);
  try {
    const by = operatorName(options.by);
    const before = orThrow(await store.readFreeze()).freeze;
    orThrow(await store.setFreeze({ isFrozen: false, by, reason: options.reason }));
    orThrow(await store.appendAudit({ actor: by, action: 'resume', detail: options.reason }));
    log.info({ by, reason: options.reason, wasFrozen: before.isFrozen }, 'planning resumed');
    return before.isFrozen
      ? `planning resumed by ${by} (it was frozen by ${before.by}: ${before.reason})\n`
      : `planning was not frozen; recorded the resume by ${by} anyway\n`;
  } finally {
    await store.close();
  }
}
