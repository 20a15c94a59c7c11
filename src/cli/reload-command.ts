/**
 * `resolute reload [--data-dir D]`: SIGHUP to the running planner (its pid in
 * `<data-dir>/planner.pid`), then waits for its verdict in `reload-result.json` and prints it:
 * exit 0 when reloaded, 1 with every error when refused (the last valid config stays in force).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '../base/clock.js';
import { ResoluteError } from '../base/errors.js';
import { PLANNER_PID_FILE, readJsonFile, RELOAD_RESULT_FILE, runningPid, type ReloadResult } from './data-dir-files.js';
import { printError } from './options.js';

const WAIT_MS = 15_000;

export function registerReloadCommand(program: Command): void {
  program
    .command('reload')
    .description("Make the running planner re-read its config; prints whether it was reloaded or refused, and why.")
    .option('--data-dir <dir>', 'the data directory of the running system', 'resolute-data')
    .action(async (options: { dataDir: string }) => {
      try {
        const result = await reload(options.dataDir);
        if (result.outcome === 'reloaded') {
          process.stdout.write(`reloaded: the planner (pid ${result.pid}) plans with the new config\n`);
        } else {
          for (const e of result.errors) process.stderr.write(`${e}\n`);
          process.stderr.write(`reload refused (${result.errors.length} error(s)); the last valid config stays in force\n`);
          process.exitCode = 1;
        }
      } catch (error) {
        printError(error);
        process.exitCode = 1;
      }
    });
}

async function reload(dataDir: string): Promise<ReloadResult> {
  const pid = runningPid(dataDir, PLANNER_PID_FILE, 'planner');
  const file = path.join(dataDir, RELOAD_RESULT_FILE);
  const before = readJsonFile<ReloadResult>(file);
  process.kill(pid, 'SIGHUP');
  const deadline = systemClock.monotonicMs() + WAIT_MS;
  while (systemClock.monotonicMs() < deadline) {
    const after = readJsonFile<ReloadResult>(file);
    if (after !== undefined && (before === undefined || after.sequence !== before.sequence || after.pid !== before.pid)) return after;
    await systemClock.sleep(50);
  }
  throw new ResoluteError('ERR_NOT_RUNNING', `the planner (pid ${pid}) did not report a reload within ${WAIT_MS} ms`, { where: file, hint: 'see its log' });
}
