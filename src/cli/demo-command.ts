/**
 * `resolute demo kill|revive <target>` and `resolute demo pause-enactor <A|B|C> <duration>`:
 * break the system of a running `resolute up` on purpose (up.json in the data directory says
 * where its demo control server and its enactors are).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '../base/clock.js';
import { ResoluteError } from '../base/errors.js';
import { parseDuration } from '../config/parse-duration.js';
import { isProcessAlive, readJsonFile, UP_FILE, type UpState } from './data-dir-files.js';
import { printError } from './options.js';
import { ENACTORS } from './up-command.js';

export function registerDemoCommand(program: Command): void {
  const demo = program.command('demo').description('Break the demo of a running `resolute up` on purpose, and watch it cope.');
  demo
    .command('kill <target>')
    .description('Stop a demo target (east-1, east-2, west-1, west-2): its health check fails and the answer changes.')
    .option('--data-dir <dir>', 'the data directory of `resolute up`', 'resolute-data')
    .action((target: string, options: { dataDir: string }) => act(() => control(options.dataDir, target, 'kill')));
  demo
    .command('revive <target>')
    .description('Start a stopped demo target again.')
    .option('--data-dir <dir>', 'the data directory of `resolute up`', 'resolute-data')
    .action((target: string, options: { dataDir: string }) => act(() => control(options.dataDir, target, 'revive')));
  demo
    .command('pause-enactor <enactor> <duration>')
    .description('SIGSTOP an enactor (A, B or C) for a while (e.g. 30s), then SIGCONT it: the others keep the answers current, and its late write is refused.')
    .option('--data-dir <dir>', 'the data directory of `resolute up`', 'resolute-data')
    .action((enactor: string, duration: string, options: { dataDir: string }) => act(() => pauseEnactor(options.dataDir, enactor, duration)));
}

async function act(action: () => Promise<string>): Promise<void> {
  try {
    process.stdout.write(`${await action()}\n`);
  } catch (error) {
    printError(error);
    process.exitCode = 1;
  }
}

function readUp(dataDir: string): UpState {
  const where = path.join(dataDir, UP_FILE);
  const state = readJsonFile<UpState>(where);
  if (state === undefined || !isProcessAlive(state.pid)) {
    throw new ResoluteError('ERR_NOT_RUNNING', 'no `resolute up` is running on this data directory', { where, hint: 'start it with `resolute up`, or pass its --data-dir' });
  }
  return state;
}

async function control(dataDir: string, target: string, action: 'kill' | 'revive'): Promise<string> {
  const state = readUp(dataDir);
  const response = await fetch(`http://127.0.0.1:${state.controlPort}/targets/${encodeURIComponent(target)}/${action}`, { method: 'POST' });
  const text = (await response.text()).trim();
  if (!response.ok) throw new ResoluteError('ERR_USAGE', text, { where: `demo ${action} ${target}` });
  return text;
}

async function pauseEnactor(dataDir: string, enactor: string, duration: string): Promise<string> {
  const letter = enactor.toUpperCase().replace(/^ENACTOR-/, '');
  if (!(ENACTORS as readonly string[]).includes(letter)) throw new ResoluteError('ERR_USAGE', `no enactor '${enactor}'`, { hint: `use one of ${ENACTORS.join(', ')}` });
  const ms = parseDuration(duration);
  if (ms === undefined || ms <= 0) throw new ResoluteError('ERR_USAGE', `'${duration}' is not a duration`, { hint: 'use e.g. 30s or 500ms' });
  const state = readUp(dataDir);
  const pid = state.processes[`enactor-${letter.toLowerCase()}`];
  if (pid === undefined || !isProcessAlive(pid)) throw new ResoluteError('ERR_NOT_RUNNING', `enactor ${letter} is not running`, { where: path.join(dataDir, UP_FILE) });
  process.kill(pid, 'SIGSTOP');
  process.stdout.write(`enactor ${letter} (pid ${pid}) stopped for ${duration}; query the name meanwhile: A and C keep it current\n`);
  // Whatever happens to this command, the enactor is continued.
  const resume = (): void => {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // gone meanwhile
    }
  };
  const onSignal = (): void => {
    resume();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  await systemClock.sleep(ms);
  resume();
  return `enactor ${letter} (pid ${pid}) continued: its write for a stale plan, if it had one in hand, is refused by the provider's fence`;
}
