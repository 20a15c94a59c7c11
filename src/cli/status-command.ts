/**
 * `resolute status [--data-dir D] [--config F] [--json]`: what the store says now — the newest
 * generation, per provider each zone's applied generation and its foreign names (as reconcile
 * last read them back: provider-status.ts says why not by DNS from here), every role's last
 * heartbeat and outcome (enactors, planners, reconcile), the freeze flag — and the generation
 * each DNS process serves, from the `dns-<id>.json` files they keep in the data directory.
 * `--config` adds each provider's type and server, and zones nothing was applied to yet.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '../base/clock.js';
import { ResoluteError } from '../base/errors.js';
import { systemRandom } from '../base/random.js';
import { openSqliteStore, sqliteStoreFile } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import type { Config } from '../config/config.js';
import { loadConfig } from '../config/load-config.js';
import { isProcessAlive, readJsonFile, type DnsStatus } from './data-dir-files.js';
import { printError } from './options.js';
import { formatProviderStatus, providerStatus, type ProviderStatus } from './provider-status.js';

export interface SystemStatus {
  readonly newest: { readonly generation: string; readonly parentGeneration: string | null; readonly createdAtMs: number } | null;
  readonly freeze: { readonly isFrozen: boolean; readonly by: string; readonly reason: string; readonly atMs: number };
  readonly applied: readonly { readonly provider: string; readonly zone: string | null; readonly generation: string; readonly atMs: number; readonly by: string }[];
  readonly heartbeats: readonly { readonly id: string; readonly role: string; readonly outcome: string; readonly detail?: string; readonly generation?: string; readonly atMs: number }[];
  readonly dns: readonly (DnsStatus & { readonly isRunning: boolean })[];
  readonly providers: readonly ProviderStatus[];
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('Show the newest generation, what each provider and DNS process holds, each role\'s last heartbeat, and the freeze flag.')
    .option('--data-dir <dir>', 'the data directory of the store', 'resolute-data')
    .option('--config <file>', 'the configuration (YAML): adds each provider\'s type, server and zones not applied yet')
    .option('--json', 'print JSON (generations as decimal strings: they are 64-bit)')
    .action(async (options: { dataDir: string; config?: string; json?: boolean }) => {
      try {
        const config = options.config === undefined ? undefined : await loadConfig(options.config);
        const status = await readStatus(options.dataDir, config);
        process.stdout.write(options.json === true ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status, systemClock.nowMs()));
      } catch (error) {
        printError(error);
        process.exitCode = 1;
      }
    });
}

async function readStatus(dataDir: string, config: Config | undefined): Promise<SystemStatus> {
  if (!existsSync(sqliteStoreFile(dataDir))) {
    throw new ResoluteError('ERR_STORE_OPEN', 'no store in this data directory', { where: dataDir, hint: 'pass the --data-dir of a running or past `resolute up` / `resolute run`' });
  }
  const store = await openSqliteStore({ dataDir, clock: systemClock, random: systemRandom });
  try {
    return await readFromStore(store, dataDir, config);
  } finally {
    await store.close();
  }
}

async function readFromStore(store: Store, dataDir: string, config: Config | undefined): Promise<SystemStatus> {
  const [header, freeze, applied, heartbeats] = await Promise.all([store.readNewestHeader(), store.readFreeze(), store.listApplied(), store.listHeartbeats()]);
  for (const read of [header, freeze, applied, heartbeats]) if (read.kind === 'unavailable') throw read.cause;
  return {
    newest: header.kind === 'found' ? { generation: header.header.generation.toString(), parentGeneration: header.header.parentGeneration?.toString() ?? null, createdAtMs: header.header.createdAtMs } : null,
    freeze: freeze.kind === 'found' ? freeze.freeze : { isFrozen: false, by: 'nobody', reason: '', atMs: 0 },
    applied: applied.kind === 'listed' ? applied.items.map((a) => ({ ...a, generation: a.generation.toString() })) : [],
    heartbeats:
      heartbeats.kind === 'listed'
        ? heartbeats.items.map((h) => ({ id: h.id, role: h.role, outcome: h.outcome, atMs: h.atMs, ...(h.detail === undefined ? {} : { detail: h.detail }), ...(h.generation === undefined ? {} : { generation: h.generation.toString() }) }))
        : [],
    dns: readdirSync(dataDir)
      .filter((f) => /^dns-.+\.json$/.test(f))
      .flatMap((f) => {
        const status = readJsonFile<DnsStatus>(path.join(dataDir, f));
        return status === undefined ? [] : [{ ...status, isRunning: isProcessAlive(status.pid) }];
      }),
    providers: providerStatus(applied.kind === 'listed' ? applied.items : [], heartbeats.kind === 'listed' ? heartbeats.items : [], config),
  };
}

function formatStatus(s: SystemStatus, nowMs: number): string {
  const ago = (atMs: number): string => `${((nowMs - atMs) / 1000).toFixed(1)} s ago`;
  const lines = [
    s.newest === null ? 'newest generation: none (no plan yet)' : `newest generation: ${s.newest.generation} (parent ${s.newest.parentGeneration ?? 'none'}, ${ago(s.newest.createdAtMs)})`,
    s.freeze.isFrozen ? `planner: FROZEN by ${s.freeze.by} ${ago(s.freeze.atMs)}: ${s.freeze.reason}` : 'planner: not frozen',
    'providers:',
    ...formatProviderStatus(s.providers, ago),
    'heartbeats:',
    ...[...s.heartbeats].sort((a, b) => a.role.localeCompare(b.role) || a.id.localeCompare(b.id)).map((h) => `  ${h.role} ${h.id}: ${h.outcome}${h.generation === undefined ? '' : ` ${h.generation}`}, ${ago(h.atMs)}${h.detail ? ` (${h.detail})` : ''}`),
    'dns servers:',
    ...s.dns.map((d) => `  ${d.id} pid ${d.pid} ${d.address}:${d.port}${d.isRunning ? '' : ' (not running)'}: ${Object.entries(d.served).map(([zone, g]) => `${zone} ${g}`).join(', ') || 'nothing yet'}, ${ago(d.atMs)}`),
  ];
  return `${lines.join('\n')}\n`;
}
