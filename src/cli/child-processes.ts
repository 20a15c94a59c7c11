/**
 * Children of `up` and `run`: each one `resolute run …` with an IPC channel, so that
 * 1. it reports `{ ready: true }` once its roles run (start is awaited, not guessed by timing);
 * 2. it stops by itself if its parent dies (the channel disconnects), so no process is left;
 * 3. the parent stops it by PID: SIGCONT first (a SIGSTOPped child cannot act on SIGTERM),
 *    then SIGTERM, and SIGKILL if it has not exited within the bound.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../base/clock.js';
import { ResoluteError } from '../base/errors.js';

/** dist/src/cli/child-processes.js → dist/src/cli/main.js */
export const MAIN_JS = fileURLToPath(new URL('./main.js', import.meta.url));

export interface ReadyMessage {
  readonly ready: true;
  readonly port?: number;
  readonly metricsPort?: number;
}

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly ready: ReadyMessage;
  readonly exited: Promise<number | null>;
}

export class ChildProcesses {
  private readonly children = new Map<string, { child: ChildProcess; exited: Promise<number | null>; hasExited: boolean }>();
  private isStopping = false;

  constructor(private readonly onUnexpectedExit: (name: string, code: number | null, signal: string | null) => void = () => undefined) {}

  /** Spawns `resolute <args>` and waits (at most `startMs`) for its ready message. */
  async start(name: string, args: readonly string[], startMs = 30_000): Promise<Child> {
    const child = spawn(process.execPath, [MAIN_JS, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const pid = child.pid;
    if (pid === undefined) throw new ResoluteError('ERR_SERVER_START', `could not start ${name}`, { hint: 'check that node can start processes here' });
    const entry = { child, exited: Promise.resolve<number | null>(null), hasExited: false };
    entry.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        entry.hasExited = true;
        if (!this.isStopping) this.onUnexpectedExit(name, code, signal);
        resolve(code);
      });
    });
    this.children.set(name, entry);
    const ready = await new Promise<ReadyMessage>((resolve, reject) => {
      const cancel = systemClock.after(startMs, () => reject(new ResoluteError('ERR_SERVER_START', `${name} (pid ${pid}) did not start within ${startMs} ms`)));
      child.on('message', (message: Partial<ReadyMessage>) => {
        if (message.ready !== true) return;
        cancel();
        resolve(message as ReadyMessage);
      });
      void entry.exited.then((code) => {
        cancel();
        reject(new ResoluteError('ERR_SERVER_START', `${name} (pid ${pid}) exited with code ${code} while starting`, { hint: 'its error is printed above' }));
      });
    });
    return { name, pid, ready, exited: entry.exited };
  }

  pids(): Record<string, number> {
    const pids: Record<string, number> = {};
    for (const [name, { child }] of this.children) if (child.pid !== undefined) pids[name] = child.pid;
    return pids;
  }

  /** Stops every child by PID and waits for each to exit. */
  async stopAll(timeoutMs = 10_000): Promise<void> {
    this.isStopping = true;
    await Promise.all(
      [...this.children.values()].map(async (entry) => {
        if (entry.hasExited) return;
        signal(entry.child, 'SIGCONT');
        signal(entry.child, 'SIGTERM');
        const cancel = systemClock.after(timeoutMs, () => signal(entry.child, 'SIGKILL'));
        await entry.exited;
        cancel();
      }),
    );
    this.children.clear();
  }
}

function signal(child: ChildProcess, name: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(child.pid, name);
  } catch {
    // already gone
  }
}

/**
 * In a child: tells the parent it is ready, and calls `stop` when the parent goes away (the
 * IPC channel disconnects), so a parent killed with SIGKILL leaves no child behind.
 */
export function reportReadyToParent(message: Omit<ReadyMessage, 'ready'>, stop: () => void): void {
  if (process.send === undefined) return;
  process.send({ ready: true, ...message });
  process.once('disconnect', stop);
}
