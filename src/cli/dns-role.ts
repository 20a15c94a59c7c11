/**
 * The DNS role: a ZoneFollower (providers/builtin) swapping tables into a DnsServer. It runs
 * in a process of its own (run-command.ts spawns one when other roles share the process), so a
 * plan being built or a store writer held by SIGSTOP never delays an answer: this process only
 * READS the store (SQLite WAL readers do not wait for writers), and answers from its last table
 * (or its snapshot file, at start) whatever the store does.
 *
 * It reports the generation it serves per zone in `<data-dir>/dns-<id>.json` once a second,
 * not in the store, so that reporting can never block it either.
 */
import path from 'node:path';
import type { Clock } from '../base/clock.js';
import { seededRandom, systemRandom } from '../base/random.js';
import { startDnsServer, type DnsServer } from '../dns/server/dns-server.js';
import { ZoneFollower } from '../providers/builtin/zone-follower.js';
import type { Store } from '../store/store.js';
import { dnsStatusFile, removeFile, writeFileAtomic, type DnsStatus } from './data-dir-files.js';

export const BUILTIN_PROVIDER_ID = 'builtin';
const STATUS_EVERY_MS = 1000;

export interface DnsRoleOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** The built-in provider's zones in the config: served from the start; zones it applies later are learned from the store. */
  readonly zones: readonly string[];
  /** Zones an RFC 2136 server publishes (and the built-in provider does not): never served here. */
  readonly excludedZones: readonly string[];
  readonly dataDir: string;
  readonly id: string;
  readonly address: string;
  readonly port: number;
}

export interface DnsRole {
  readonly server: DnsServer;
  run(signal: AbortSignal): Promise<void>;
}

export async function startDnsRole(options: DnsRoleOptions): Promise<DnsRole> {
  const follower = await ZoneFollower.open({
    store: options.store,
    provider: BUILTIN_PROVIDER_ID,
    zones: options.zones,
    excludedZones: options.excludedZones,
    snapshotFile: path.join(options.dataDir, `dns-${options.id}.zones`),
    clock: options.clock,
  });
  const server = await startDnsServer({ address: options.address, port: options.port, table: follower.table, random: seededRandom(systemRandom.int(2 ** 31)) });
  follower.attach(server);
  const statusFile = dnsStatusFile(options.dataDir, options.id);
  const report = (): void => {
    const served: Record<string, string> = {};
    for (const [zone, generation] of follower.served) served[zone] = generation.toString();
    const status: DnsStatus = { id: options.id, pid: process.pid, address: server.address, port: server.port, atMs: options.clock.nowMs(), served };
    try {
      writeFileAtomic(statusFile, `${JSON.stringify(status)}\n`);
    } catch {
      // status is informative; answering goes on without it
    }
  };
  return {
    server,
    async run(signal) {
      const reporting = (async () => {
        while (!signal.aborted) {
          report();
          await options.clock.sleep(STATUS_EVERY_MS, signal).catch(() => undefined);
        }
      })();
      await follower.run(signal);
      await reporting;
      await follower.close();
      await server.close();
      removeFile(statusFile);
    },
  };
}
