#!/usr/bin/env node
/**
 * The `resolute` command: the composition root (CONVENTIONS: the only place that names
 * implementations). Each subcommand lives in its own file and is registered here.
 */
import { Command } from 'commander';
import { registerPlanCommand } from './plan-command.js';
import { registerServeCommand } from './serve-command.js';
import { registerFreezeCommand } from './freeze-command.js';
import { registerResumeCommand } from './resume-command.js';
import { registerRollbackCommand } from './rollback-command.js';
import { registerDrainCommand } from './drain-command.js';
import { registerRunCommand } from './run-command.js';
import { registerUpCommand } from './up-command.js';
import { registerReloadCommand } from './reload-command.js';
import { registerStatusCommand } from './status-command.js';
import { registerDemoCommand } from './demo-command.js';
import { registerSimCommand } from './sim-command.js';
import { registerReplayCommand } from './replay-command.js';

const program = new Command()
  .name('resolute')
  .description("Keeps a service's DNS names pointing at healthy capacity, and never publishes a managed name with no addresses.")
  .showHelpAfterError('(add --help for usage)')
  .configureOutput({ outputError: (text, write) => write(text) });

registerServeCommand(program);
registerPlanCommand(program);
registerFreezeCommand(program);
registerResumeCommand(program);
registerRollbackCommand(program);
registerDrainCommand(program);
registerUpCommand(program);
registerRunCommand(program);
registerStatusCommand(program);
registerReloadCommand(program);
registerDemoCommand(program);
registerSimCommand(program);
registerReplayCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
