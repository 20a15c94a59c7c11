/**
 * `resolute up [--data-dir D] [--dns-port P]`: the whole system on one machine, with a demo
 * anyone can break on purpose.
 *
 * 1. refuse if another `up` runs on D (up.json names a live pid): ERR_ALREADY_RUNNING;
 * 2. the demo config and targets (demo-config.ts), written on a first start, reused after;
 *    start the demo HTTP targets and their control server in this process;
 * 3. child processes (child-processes.ts), each `resolute run`: the DNS server first (it
 *    answers from its snapshot at once on a second start), then the planner with health,
 *    cleanup and reconcile, then enactors A, B and C, each a process of its own;
 * 4. write up.json (pids, ports) for `demo` and `status`, print what to try;
 *    a child that dies (a crash, an OOM kill, `kill -9`) is started again with the same
 *    arguments after a backoff (1 s doubling to 30 s, with jitter; reset once it has run for a
 *    minute), and up.json gets its new pid: one dead role never takes the others down;
 * 5. Ctrl-C (SIGINT) or SIGTERM: every child stopped by PID (SIGCONT, SIGTERM, SIGKILL after
 *    10 s) and waited for, the targets closed, up.json removed. A second `up` on the same data
 *    directory resumes from the store.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '../base/clock.js';
import { ResoluteError } from '../base/errors.js';
import { systemRandom } from '../base/random.js';
import { ProviderBackoff } from '../enact/provider-backoff.js';
import { ChildProcesses } from './child-processes.js';
import { isProcessAlive, readJsonFile, removeFile, UP_FILE, writeFileAtomic, type UpState } from './data-dir-files.js';
import { ensureDemo } from './demo-config.js';
import { DemoTargets, startDemoControl } from './demo-targets.js';
import { parseIntegerOption, printError } from './options.js';

interface UpOptions {
  readonly dataDir: string;
  readonly dnsPort: number;
  readonly dnsAddress: string;
  readonly metricsPort: number;
}

export const ENACTORS = ['A', 'B', 'C'] as const;

export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description('Run everything on this machine: store, planner, health checks, three enactors, cleanup, reconcile, DNS, and demo targets.')
    .option('--data-dir <dir>', 'the data directory (store, demo config, pid files)', 'resolute-data')
    .option('--dns-port <port>', 'port of the DNS server on 127.0.0.1 (0 picks a free one)', parseIntegerOption('--dns-port', 0, 65535), 5300)
    .option('--dns-address <address>', 'address of the DNS server', '127.0.0.1')
    .option('--metrics-port <port>', 'Prometheus metrics on 127.0.0.1:<port>/metrics, served by the planner process (0 picks a free one)', parseIntegerOption('--metrics-port', 0, 65535), 9464)
    .addHelpText('after', '\nExample:\n  resolute up\n  dig @127.0.0.1 -p 5300 api.demo.test')
    .action(async (options: UpOptions) => {
      try {
        await up(options);
      } catch (error) {
        printError(error);
        process.exitCode = 1;
      }
    });
}

async function up(options: UpOptions): Promise<void> {
  const dataDir = options.dataDir;
  mkdirSync(dataDir, { recursive: true });
  const upFile = path.join(dataDir, UP_FILE);
  const previous = readJsonFile<UpState>(upFile);
  if (previous !== undefined && previous.pid !== process.pid && isProcessAlive(previous.pid)) {
    throw new ResoluteError('ERR_ALREADY_RUNNING', `resolute up is already running on this data directory (pid ${previous.pid})`, { where: upFile, hint: 'stop it with Ctrl-C, or pass another --data-dir' });
  }
  const demo = await ensureDemo(dataDir);
  const targets = await DemoTargets.start(demo.targets);
  const control = await startDemoControl(targets);
  let isStopping = false;
  let state: UpState | undefined;
  /** Each child's arguments, with the ports it was given, so a restart takes the same ones. */
  const argsOf = new Map<string, readonly string[]>();
  const restartBackoff = new ProviderBackoff(systemClock, systemRandom, { baseMs: 1000, maxMs: 30_000 });
  const restart = async (name: string): Promise<void> => {
    const args = argsOf.get(name);
    if (isStopping || args === undefined) return;
    try {
      const child = await children.start(name, args);
      process.stderr.write(`resolute up: ${name} restarted (pid ${child.pid})\n`);
      if (state !== undefined && !isStopping) {
        state = { ...state, processes: children.pids() };
        writeFileAtomic(upFile, `${JSON.stringify(state, null, 2)}\n`);
      }
      systemClock.after(60_000, () => {
        if (children.pids()[name] === child.pid) restartBackoff.succeed(name);
      });
    } catch (error) {
      // Its exit (if it exited) schedules the next attempt through onUnexpectedExit.
      printError(error);
    }
  };
  const children = new ChildProcesses((name, code, signal) => {
    if (isStopping) return;
    const delayMs = restartBackoff.fail(name);
    process.stderr.write(`resolute up: ${name} ended unexpectedly (${signal ?? code}); restarting it in ${delayMs} ms\n`);
    systemClock.after(delayMs, () => void restart(name));
  });
  const startChild = async (name: string, args: readonly string[]) => {
    argsOf.set(name, args);
    return children.start(name, args);
  };
  const stop = async (code: number): Promise<void> => {
    if (isStopping) return;
    isStopping = true;
    process.stderr.write('resolute up: stopping every process\n');
    await children.stopAll();
    await targets.close();
    await control.close();
    if (readJsonFile<UpState>(upFile)?.pid === process.pid) removeFile(upFile);
    process.stderr.write('resolute up: stopped\n');
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));

  const common = ['--config', demo.configFile, '--data-dir', dataDir];
  try {
    const dnsArgs = (port: number) => ['run', '--roles', 'dns', ...common, '--dns-port', String(port), '--dns-address', options.dnsAddress, '--id', 'dns'];
    const plannerArgs = (port: number) => ['run', '--roles', 'planner,health,cleanup,reconcile', ...common, '--id', 'planner', '--metrics-port', String(port)];
    const dns = await startChild('dns', dnsArgs(options.dnsPort));
    const dnsPort = dns.ready.port ?? options.dnsPort;
    argsOf.set('dns', dnsArgs(dnsPort)); // a restart keeps the port picked for --dns-port 0
    const planner = await startChild('planner', plannerArgs(options.metricsPort));
    const metricsPort = planner.ready.metricsPort ?? options.metricsPort;
    argsOf.set('planner', plannerArgs(metricsPort));
    await Promise.all(ENACTORS.map((e) => startChild(`enactor-${e.toLowerCase()}`, ['run', '--roles', 'enactor', ...common, '--id', `enactor-${e.toLowerCase()}`])));
    state = { pid: process.pid, dnsAddress: options.dnsAddress, dnsPort, controlPort: control.port, metricsPort, processes: children.pids(), targets: demo.targets.map((t) => t.name) };
    writeFileAtomic(upFile, `${JSON.stringify(state, null, 2)}\n`);
    process.stdout.write(instructions(state, dataDir, demo.configFile));
  } catch (error) {
    printError(error);
    await stop(1);
  }
}

function instructions(state: UpState, dataDir: string, configFile: string): string {
  const d = dataDir === 'resolute-data' ? '' : ` --data-dir ${dataDir}`;
  const pids = Object.entries(state.processes).map(([name, pid]) => `${name} ${pid}`).join(', ');
  return [
    `resolute up: ready — DNS on ${state.dnsAddress}:${state.dnsPort}, store and config in ${dataDir} (processes: ${pids})`,
    '',
    'Try:',
    `  dig @${state.dnsAddress} -p ${state.dnsPort} api.demo.test        # one address of the healthy east targets, drawn by weight`,
    `  npx resolute demo kill east-1${d}              # its health check fails; within a few seconds east-1 is no longer answered`,
    `  npx resolute demo kill east-2${d}              # east has no healthy capacity: api.demo.test fails over to west`,
    `  npx resolute demo revive east-1${d}            # it comes back through the recovery ramp`,
    `  npx resolute demo pause-enactor B 30s${d}      # SIGSTOP, then SIGCONT of enactor B: A and C keep everything current`,
    `  curl -s http://127.0.0.1:${state.metricsPort}/metrics | grep ^resolute_   # Prometheus metrics`,
    `  npx resolute status${d}                         # newest generation, applied generations, heartbeats`,
    `  edit ${configFile}, then npx resolute reload${d}`,
    '',
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
}
