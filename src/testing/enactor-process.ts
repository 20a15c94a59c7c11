/**
 * A warm, spare enactor process for the kill loop of test/e2e/enactor-kill.test.ts: the same
 * Enactor over the same SQLite store and built-in provider as `resolute run --roles enactor`
 * (cli/run-command.ts, startEnactRoles), without the CLI's config loading, so that 200 of them
 * can be started (and SIGKILLed) within the test's time bound on a small machine.
 *
 *   node enactor-process.js <dataDir> <zone> <id> <intervalMs>
 *
 * It opens the store, builds the provider and the Enactor, prints `ready`, and waits for a line
 * `go` on stdin before its first step (so a spare started in advance never races the enactor
 * under test); then it prints `running` and steps every `intervalMs` until killed.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { systemClock } from '../base/clock.js';
import { systemRandom } from '../base/random.js';
import { Enactor } from '../enact/enactor.js';
import { decodePlan } from '../plan/plan-codec.js';
import { BuiltinProvider } from '../providers/builtin/builtin-provider.js';
import { zoneRecordsOf } from '../providers/zone-records.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';

const ENACTOR_PROCESS_JS = fileURLToPath(import.meta.url);

export interface EnactorProcess {
  readonly pid: number;
  readonly id: string;
  /** Resolves once it printed `ready` (store open, nothing written yet); rejects on exit or after `timeoutMs`. */
  ready(timeoutMs: number): Promise<void>;
  /** Starts its enactor loop. */
  go(): void;
  kill(signal: NodeJS.Signals): void;
  hasExited(): boolean;
  /** SIGKILL (if still running) and wait for the exit. */
  stop(): Promise<void>;
  output(): string;
}

const running = new Set<EnactorProcess>();

export function startEnactorProcess(options: { readonly dataDir: string; readonly zone: string; readonly id: string; readonly intervalMs: number }): EnactorProcess {
  const child = spawn(process.execPath, [ENACTOR_PROCESS_JS, options.dataDir, options.zone, options.id, String(options.intervalMs)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`enactor process ${options.id} did not start`);
  let output = '';
  let isExited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      isExited = true;
      resolve();
    }),
  );
  child.stdin.on('error', () => undefined); // a killed child closes its end
  const isReady = new Promise<void>((resolve, reject) => {
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        output += chunk;
        if (/^ready$/m.test(output)) resolve();
      });
    }
    void exit.then(() => reject(new Error(`enactor process ${options.id} (pid ${pid}) exited before ready:\n${output}`)));
  });
  isReady.catch(() => undefined);
  const handle: EnactorProcess = {
    pid,
    id: options.id,
    ready: (timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`enactor process ${options.id} (pid ${pid}) not ready within ${timeoutMs} ms:\n${output}`)), timeoutMs);
        isReady.then(
          () => {
            clearTimeout(timer);
            resolve();
          },
          (error: unknown) => {
            clearTimeout(timer);
            reject(error as Error);
          },
        );
      }),
    go: () => {
      if (!isExited) child.stdin.write('go\n');
    },
    kill: (signal) => {
      if (isExited) return;
      try {
        process.kill(pid, signal);
      } catch {
        // gone
      }
    },
    hasExited: () => isExited,
    async stop() {
      running.delete(handle);
      handle.kill('SIGKILL');
      await exit;
    },
    output: () => output,
  };
  running.add(handle);
  return handle;
}

/** For `after` hooks: every enactor process started here, SIGKILLed by PID and waited for. */
export async function stopAllEnactorProcesses(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

async function main(argv: readonly string[]): Promise<void> {
  const [dataDir, zone, id, intervalText] = argv;
  const store = await openSqliteStore({ dataDir, clock: systemClock, random: systemRandom });
  const providers = [new BuiltinProvider({ id: 'builtin', zones: [zone], store, by: id })];
  const enactor = new Enactor({ clock: systemClock, random: systemRandom, store, providers, decodePlan, zoneRecordsOf, id, intervalMs: Number(intervalText) });
  const controller = new AbortController();
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() !== 'go') continue;
    process.stdout.write('running\n');
    await enactor.run(controller.signal);
    break;
  }
  // stdin closed (the test went away) without `go`, or the loop ended: leave.
  await store.close();
  process.exit(0);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main(process.argv.slice(2));
}
