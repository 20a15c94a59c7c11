/**
 * The small files a running system keeps in its data directory, so that other commands
 * (`reload`, `demo`, `status`) can find it without a network API:
 *
 * | file | written by | read by |
 * |---|---|---|
 * | `planner.pid` | a process running the planner role | `resolute reload` |
 * | `reload-result.json` | that planner, after each reload attempt | `resolute reload` |
 * | `up.json` | `resolute up` (its pid, the DNS port, each child's pid, the demo control port) | `resolute demo`, `status` |
 * | `dns-<id>.json` | each DNS process, every second (the generation it serves per zone) | `resolute status`; enactors and reconcile (`highestServedGeneration`) |
 *
 * Every write is a temp file + rename, so a reader never sees half a file.
 */
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ResoluteError } from '../base/errors.js';

export const PLANNER_PID_FILE = 'planner.pid';
export const RELOAD_RESULT_FILE = 'reload-result.json';
export const UP_FILE = 'up.json';

export function dnsStatusFile(dataDir: string, id: string): string {
  return path.join(dataDir, `dns-${id}.json`);
}

/**
 * The highest generation a running DNS process of this data directory serves for `zone`, from
 * the `dns-<id>.json` files; undefined when none says. The built-in provider's
 * `servedGeneration`: a store restored below it must make the next generation jump above it.
 */
export function highestServedGeneration(dataDir: string, zone: string): bigint | undefined {
  let highest: bigint | undefined;
  let files: string[];
  try {
    files = readdirSync(dataDir).filter((f) => /^dns-.+\.json$/.test(f));
  } catch {
    return undefined;
  }
  for (const file of files) {
    const status = readJsonFile<DnsStatus>(path.join(dataDir, file));
    const text = status?.served?.[zone];
    if (status === undefined || typeof text !== 'string' || !/^[0-9]{1,20}$/.test(text) || !isProcessAlive(status.pid)) continue;
    const generation = BigInt(text);
    if (highest === undefined || generation > highest) highest = generation;
  }
  return highest;
}

export interface ReloadResult {
  /** Counts reloads of one planner process, so `reload` can tell a new result from an old one. */
  readonly sequence: number;
  readonly pid: number;
  readonly atMs: number;
  readonly outcome: 'reloaded' | 'refused';
  /** Every error of a refused reload, one message each. */
  readonly errors: readonly string[];
}

export interface UpState {
  readonly pid: number;
  readonly dnsAddress: string;
  readonly dnsPort: number;
  /** The demo targets' control server (`resolute demo kill|revive`). */
  readonly controlPort: number;
  readonly metricsPort: number;
  /** Child processes by name (`planner`, `enactor-b`, `dns`). */
  readonly processes: Readonly<Record<string, number>>;
  readonly targets: readonly string[];
}

export interface DnsStatus {
  readonly id: string;
  readonly pid: number;
  readonly address: string;
  readonly port: number;
  readonly atMs: number;
  /** Zone apex → generation served (decimal string: generations are 64-bit). */
  readonly served: Readonly<Record<string, string>>;
}

export function writeFileAtomic(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

/** The parsed JSON of `file`, or undefined when it does not exist or cannot be read. */
export function readJsonFile<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export function removeFile(file: string): void {
  rmSync(file, { force: true });
}

/** Whether a process with this pid exists (signal 0 checks without signalling). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid in `<dataDir>/<file>` if that process is alive; ERR_NOT_RUNNING otherwise. */
export function runningPid(dataDir: string, file: string, what: string): number {
  const where = path.join(dataDir, file);
  let pid: number;
  try {
    pid = Number(readFileSync(where, 'utf8').trim());
  } catch {
    throw new ResoluteError('ERR_NOT_RUNNING', `no ${what} is running in this data directory`, { where, hint: 'start it with `resolute up` or `resolute run`, or pass the right --data-dir' });
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid)) {
    throw new ResoluteError('ERR_NOT_RUNNING', `the ${what} recorded here (pid ${pid}) is not running`, { where, hint: 'start it with `resolute up` or `resolute run`' });
  }
  return pid;
}
