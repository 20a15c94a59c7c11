/**
 * The real `resolute serve` as a child process, for tests: started on a loopback port (port 0
 * by default: the chosen port is read from its "listening on" line), signalled and stopped by
 * PID. Every process started here is remembered, so an `after` hook can stop them all with
 * stopAllServeProcesses() even when a test failed half-way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../base/clock.js';

/** dist/src/testing/serve-process.js → dist/src/cli/main.js */
export const MAIN_JS = fileURLToPath(new URL('../cli/main.js', import.meta.url));

export interface ServeProcess {
  readonly pid: number;
  readonly address: string;
  readonly port: number;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves when stderr (from `from` on) matches `pattern`; rejects after `timeoutMs`. */
  waitForStderr(pattern: RegExp, timeoutMs?: number, from?: number): Promise<RegExpMatchArray>;
  /** Sends SIGHUP and waits for the reload's outcome line. */
  reload(): Promise<'reloaded' | 'refused'>;
  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs`; resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
  readonly hasExited: boolean;
}

const running = new Set<ServeProcess>();

/** Starts `resolute serve <args>` (add `--port 0` yourself, or any port) and waits until it listens. */
export async function startServeProcess(args: readonly string[], options: { readonly timeoutMs?: number } = {}): Promise<ServeProcess> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const child = spawn(process.execPath, [MAIN_JS, 'serve', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let exited = false;
  let exitCode: number | null = null;
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const waiter of [...waiters]) waiter();
  };
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
    wake();
  });
  const exit = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exited = true;
      exitCode = code;
      wake();
      resolve(code);
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('resolute serve did not start (no pid)');

  const waitForStderr = (pattern: RegExp, waitMs = timeoutMs, from = 0): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const match = stderr.slice(from).match(pattern);
        if (match !== null) {
          done();
          resolve(match);
        } else if (exited) {
          done();
          reject(new Error(`resolute serve (pid ${pid}) exited with code ${exitCode} before printing ${pattern}; stderr:\n${stderr}`));
        }
      };
      const cancel = systemClock.after(waitMs, () => {
        done();
        reject(new Error(`resolute serve (pid ${pid}) did not print ${pattern} within ${waitMs} ms; stderr:\n${stderr}`));
      });
      const done = (): void => {
        cancel();
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  const handle: ServeProcess = {
    pid,
    address: '',
    port: 0,
    stderr: () => stderr,
    waitForStderr,
    async reload() {
      const from = stderr.length;
      process.kill(pid, 'SIGHUP');
      const match = await waitForStderr(/reloaded \d+ zone|reload refused/, timeoutMs, from);
      return match[0].startsWith('reloaded') ? 'reloaded' : 'refused';
    },
    async stop(stopMs = 10_000) {
      running.delete(handle);
      if (!exited) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
        const cancel = systemClock.after(stopMs, () => {
          if (!exited) child.kill('SIGKILL');
        });
        await exit;
        cancel();
      }
      return exitCode;
    },
    get hasExited() {
      return exited;
    },
  };
  running.add(handle);
  let listening: RegExpMatchArray;
  try {
    listening = await waitForStderr(/listening on (?:\[([^\]]+)\]|([^\s:]+)):(\d+)/);
  } catch (error) {
    await handle.stop();
    throw error;
  }
  return Object.assign(handle, { address: listening[1] ?? listening[2], port: Number(listening[3]) });
}

/** Stops every serve process still running (for an `after` hook). */
export async function stopAllServeProcesses(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

/** Runs `resolute serve <args>` that is expected to end by itself (a bad zone file): its exit code and stderr. */
export function runServeToExit(args: readonly string[], timeoutMs = 30_000): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [MAIN_JS, 'serve', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => (stderr += chunk));
    const cancel = systemClock.after(timeoutMs, () => {
      child.kill('SIGKILL');
      reject(new Error(`resolute serve ${args.join(' ')} did not exit within ${timeoutMs} ms; stderr:\n${stderr}`));
    });
    child.once('exit', (code) => {
      cancel();
      resolve({ code, stderr });
    });
  });
}

/** A port free for both UDP and TCP on `address` right now (bound on port 0, then released). */
export async function findFreePort(address = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
    const port = await new Promise<number>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, address, () => resolve(udp.address().port));
    });
    const isFree = await isTcpPortFree(address, port);
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    if (isFree) return port;
  }
  throw new Error(`no free port found on ${address}`);
}

/** Whether a TCP listener can bind `port` on `address` (it is released again at once). */
export function isTcpPortFree(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const tcp = net.createServer();
    tcp.once('error', () => resolve(false));
    tcp.listen({ host: address, port, exclusive: true }, () => tcp.close(() => resolve(true)));
  });
}

/** Whether a UDP socket can bind `port` on `address` (released again at once). */
export function isUdpPortFree(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const udp = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
    udp.once('error', () => resolve(false));
    udp.bind({ address, port, exclusive: true }, () => udp.close(() => resolve(true)));
  });
}
