/**
 * `resolute drain <target> --data-dir D [--reason TEXT] [--config F] [--undo]`: takes a target
 * out of every name that uses it without editing the config. The drain is recorded in the
 * store (`planner/drains/<target>`, with who and why, and in the audit log); the planner reads
 * the drains each step and plans with those targets left out (plan/drain-targets.ts), so they
 * leave through the velocity limit like any removed target, and an endpoint's last target is
 * never drained. `--undo` ends the drain; the target ramps back in.
 *
 * With `--config`, the target is checked against it (and an address that names exactly one
 * target key is taken as that key), so a typo cannot record a drain that matches nothing.
 */
import type { Command } from 'commander';
import { ResoluteError } from '../base/errors.js';
import type { Config } from '../config/config.js';
import { didYouMean } from '../config/did-you-mean.js';
import { loadConfig } from '../config/load-config.js';
import { createLogger } from './logger.js';
import { addOperatorOptions, openExistingStore, operatorName, orThrow, type OperatorOptions } from './operator-store.js';
import { printError } from './options.js';

interface DrainOptions extends OperatorOptions {
  readonly reason: string;
  readonly config?: string;
  readonly undo?: boolean;
}

export function registerDrainCommand(program: Command): void {
  const command = program
    .command('drain')
    .description('Take a target out of every name that uses it, through the velocity limit, without editing the config (--undo brings it back).')
    .argument('<target>', 'the target key, e.g. tcp://192.0.2.10:443 (or its address, with --config)')
    .option('--reason <text>', 'why, for the audit log', 'drained by an operator')
    .option('--config <file>', 'check the target against this configuration')
    .option('--undo', 'end the drain of this target');
  addOperatorOptions(command)
    .addHelpText('after', '\nExamples:\n  resolute drain tcp://192.0.2.10:443 --data-dir ./data --reason "kernel upgrade"\n  resolute drain tcp://192.0.2.10:443 --data-dir ./data --undo')
    .action(async (target: string, options: DrainOptions) => {
      try {
        process.stdout.write(await drain(target, options));
      } catch (error) {
        printError(error);
        process.exitCode = 1;
      }
    });
}

async function drain(given: string, options: DrainOptions): Promise<string> {
  const log = createLogger({ level: options.logLevel, role: 'operator' });
  const target = options.config === undefined ? given.trim() : resolveTarget(given.trim(), await loadConfig(options.config), options.config);
  const store = await openExistingStore(options.dataDir);
  try {
    const by = operatorName(options.by);
    const isDrained = options.undo !== true;
    orThrow(await store.setDrain({ target, isDrained, by, reason: options.reason }));
    orThrow(await store.appendAudit({ actor: by, action: isDrained ? 'drain' : 'undrain', detail: `${target}: ${options.reason}` }));
    log.info({ by, target, reason: options.reason, isDrained }, isDrained ? 'target drained' : 'target undrained');
    return isDrained
      ? `${target} drained by ${by}: the planner takes it out through the velocity limit (an endpoint's last target stays)\nundo with: resolute drain ${target} --data-dir ${options.dataDir} --undo\n`
      : `${target} undrained by ${by}: the planner ramps it back in as its health allows\n`;
  } finally {
    await store.close();
  }
}

function resolveTarget(given: string, config: Config, file: string): string {
  const keys = new Set(config.endpoints.flatMap((e) => e.targets.map((t) => t.key)));
  if (keys.has(given)) return given;
  const byAddress = [...new Set(config.endpoints.flatMap((e) => e.targets.filter((t) => t.address === given).map((t) => t.key)))];
  if (byAddress.length === 1) return byAddress[0];
  const suggestion = byAddress.length > 1 ? `it matches ${byAddress.join(', ')}: pass one of them` : `did you mean ${didYouMean(given, keys) ?? [...keys].slice(0, 3).join(', ')}?`;
  throw new ResoluteError('ERR_DRAIN_TARGET', `no target '${given}' in the config; nothing was drained`, { where: file, hint: suggestion });
}
