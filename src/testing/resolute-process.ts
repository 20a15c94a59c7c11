/**
 * Any `resolute <command>` as a child process, for end-to-end tests: its stdout and stderr
 * captured, waited on by pattern with a bound, signalled and stopped by PID. Every process
 * started here is remembered, so an `after` hook stops them all with stopAllResoluteProcesses().
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { systemClock } from '../base/clock.js';
import { MAIN_JS } from './serve-process.js';

export interface ResoluteProcess {
  readonly pid: number;
  output(): string;
  /** Resolves when stdout + stderr match `pattern`; rejects after `timeoutMs` or on exit. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  signal(name: NodeJS.Signals): void;
  /** Resolves with the exit code (null if killed by a signal) once it exits, or rejects after `timeoutMs`. */
  exited(timeoutMs: number): Promise<number | null>;
  /** SIGTERM (SIGCONT first), SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

const running = new Set<ResoluteProcess>();

export function startResoluteProcess(args: readonly string[]): ResoluteProcess {
  const child = spawn(process.execPath, [MAIN_JS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let hasExited = false;
  let code: number | null = null;
  const wakers = new Set<() => void>();
  const wake = (): void => wakers.forEach((w) => w());
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      output += chunk;
      wake();
    });
  }
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (c) => {
      hasExited = true;
      code = c;
      wake();
      resolve(c);
    }),
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`resolute ${args.join(' ')} did not start`);
  const handle: ResoluteProcess = {
    pid,
    output: () => output,
    waitFor: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const match = output.match(pattern);
          if (match !== null) finish(() => resolve(match));
          else if (hasExited) finish(() => reject(new Error(`resolute ${args[0]} (pid ${pid}) exited (${code}) before printing ${pattern}:\n${output}`)));
        };
        const cancel = systemClock.after(timeoutMs, () => finish(() => reject(new Error(`resolute ${args[0]} (pid ${pid}) did not print ${pattern} within ${timeoutMs} ms:\n${output}`))));
        const finish = (then: () => void): void => {
          cancel();
          wakers.delete(check);
          then();
        };
        wakers.add(check);
        check();
      }),
    signal: (name) => {
      try {
        process.kill(pid, name);
      } catch {
        // gone
      }
    },
    exited: (timeoutMs) =>
      new Promise((resolve, reject) => {
        const cancel = systemClock.after(timeoutMs, () => reject(new Error(`resolute ${args[0]} (pid ${pid}) did not exit within ${timeoutMs} ms:\n${output}`)));
        void exit.then((c) => {
          cancel();
          resolve(c);
        });
      }),
    async stop(timeoutMs = 15_000) {
      running.delete(handle);
      if (hasExited) return;
      handle.signal('SIGCONT');
      handle.signal('SIGTERM');
      const cancel = systemClock.after(timeoutMs, () => handle.signal('SIGKILL'));
      await exit;
      cancel();
    },
  };
  running.add(handle);
  return handle;
}

export async function stopAllResoluteProcesses(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

/** Runs `resolute <args>` to its end: exit code, stdout, stderr. */
export async function runResolute(args: readonly string[], timeoutMs = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [MAIN_JS, ...args], { timeout: timeoutMs });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Whether a process with this pid still exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
