/**
 * `resolute serve`: the authoritative server on zone master files.
 *
 * 1. load and check every zone file (any error: print them all, start nothing, exit 1);
 * 2. with --workers N > 1, the primary forks N processes that each load the zones and answer
 *    on the same port (node:cluster shares the sockets), and restarts a worker that dies;
 * 3. SIGHUP reloads the zone files: a file with errors keeps the previous table serving;
 * 4. SIGINT / SIGTERM close the sockets and exit 0.
 */
import cluster from 'node:cluster';
import dgram from 'node:dgram';
import net from 'node:net';
import type { Command } from 'commander';
import { ResoluteError } from '../base/errors.js';
import { channels } from '../base/events.js';
import { seededRandom, systemRandom } from '../base/random.js';
import { startDnsServer, type DnsServer } from '../dns/server/dns-server.js';
import { loadZoneFile } from '../dns/zone/master-file.js';
import { buildZoneTable } from '../dns/zone/table-builder.js';
import type { Zone } from '../dns/zone/zone.js';
import type { ZoneTable } from '../dns/zone/zone-table.js';
import { systemClock } from '../base/clock.js';
import { parseIntegerOption, printError } from './options.js';
import { addTransferOptions, hasTransfers, logTransferEvents, startTransfers, startWorkerNotify, type ServeTransfers, type TransferOptions } from './serve-transfers.js';

export interface ServeOptions extends TransferOptions {
  readonly zoneFile: string[];
  readonly port: number;
  readonly address: string;
  readonly workers: number;
  readonly udpPayloadMax: number;
  readonly tcpIdleMs: number;
  readonly tcpConnectionsMax: number;
  readonly tcpConnectionsPerClientMax: number;
  readonly versionString?: string;
  readonly identity?: string;
}

export function registerServeCommand(program: Command): void {
  const command = program
    .command('serve')
    .description('Serve zones from RFC 1035 master files, authoritatively, over UDP and TCP.')
    .requiredOption('--zone-file <file>', 'a zone master file (repeat for more zones)', collect)
    .requiredOption('--port <port>', 'port for UDP and TCP (0 picks a free one)', parseIntegerOption('--port', 0, 65535))
    .option('--address <address>', 'address to listen on (IPv4 or IPv6)', '127.0.0.1')
    .option('--workers <n>', 'processes answering on the same port', parseIntegerOption('--workers', 1, 256), 1)
    .option('--udp-payload-max <octets>', 'largest UDP response sent (RFC 9715)', parseIntegerOption('--udp-payload-max', 512, 4096), 1232)
    .option('--tcp-idle-ms <ms>', 'close an idle TCP connection after this long', parseIntegerOption('--tcp-idle-ms', 100, 10_000), 10_000)
    .option('--tcp-connections-max <n>', 'concurrent TCP connections', parseIntegerOption('--tcp-connections-max', 1, 100_000), 1_000)
    .option('--tcp-connections-per-client-max <n>', 'concurrent TCP connections from one client address', parseIntegerOption('--tcp-connections-per-client-max', 1, 100_000), 100)
    .option('--version-string <text>', 'answer CHAOS TXT version.bind with this (refused when unset)')
    .option('--identity <text>', 'answer CHAOS TXT id.server with this (refused when unset)');
  addTransferOptions(command)
    .addHelpText('after', '\nExample:\n  resolute serve --zone-file examples/demo.test.zone --port 5300\n  dig @127.0.0.1 -p 5300 api.demo.test A')
    .action(async (options: ServeOptions) => {
      await serve(options);
    });
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

async function serve(options: ServeOptions): Promise<void> {
  if (options.workers > 1 && cluster.isPrimary) {
    // The primary answers nothing: it checks the zones (so a bad file starts nothing) and
    // counts their names, but builds no table of its own.
    let zones: Zone[];
    try {
      zones = await loadZones(options.zoneFile);
    } catch (error) {
      printError(error);
      process.exitCode = 1;
      return;
    }
    await runPrimary(options, { zones: zones.length, names: zones.reduce((n, z) => n + z.rrsets.size, 0) });
    return;
  }
  let table: ZoneTable;
  try {
    table = await loadTable(options.zoneFile, 0n);
  } catch (error) {
    printError(error);
    process.exitCode = 1;
    return;
  }
  await runServer(options, table);
}

async function loadTable(files: readonly string[], version: bigint): Promise<ZoneTable> {
  return buildZoneTable(await loadZones(files), { version });
}

async function loadZones(files: readonly string[]): Promise<Zone[]> {
  const zones = await Promise.all(files.map((file) => loadZoneFile(file)));
  const origins = new Set<string>();
  for (const [i, zone] of zones.entries()) {
    if (origins.has(zone.origin)) {
      throw new ResoluteError('ERR_USAGE', `zone ${zone.origin} is given twice`, { where: files[i], hint: 'give each zone once' });
    }
    origins.add(zone.origin);
  }
  return zones;
}

async function runServer(options: ServeOptions, initial: ZoneTable): Promise<void> {
  const chaos = new Map<string, string>();
  if (options.versionString !== undefined) chaos.set('version.bind.', options.versionString);
  if (options.identity !== undefined) chaos.set('id.server.', options.identity);
  channels.dnsServerError.subscribe((event) => {
    const { transport, error } = event as { transport: string; error: unknown };
    process.stderr.write(`resolute serve: ${transport} error: ${error instanceof Error ? error.message : String(error)}\n`);
  });
  let transfers: ServeTransfers | undefined;
  try {
    if (hasTransfers(options)) {
      transfers = startTransfers(options, { clock: systemClock, random: systemRandom, isWorker: cluster.isWorker });
      logTransferEvents((line) => process.stderr.write(`resolute serve: ${line}\n`));
    }
  } catch (error) {
    printError(error);
    process.exitCode = 1;
    if (cluster.isWorker) process.exit(1);
    return;
  }
  let server: DnsServer;
  try {
    server = await startDnsServer({
      address: options.address,
      port: options.port,
      table: initial,
      random: seededRandom(systemRandom.int(2 ** 31)),
      udpPayloadMax: options.udpPayloadMax,
      tcp: { idleMs: options.tcpIdleMs, connectionsMax: options.tcpConnectionsMax, connectionsPerClientMax: options.tcpConnectionsPerClientMax },
      chaos,
      transfers: transfers?.transfers,
    });
  } catch (error) {
    printError(error);
    process.exitCode = 1;
    if (cluster.isWorker) process.exit(1);
    return;
  }
  let reloads = 0n;
  process.on('SIGHUP', () => {
    loadTable(options.zoneFile, ++reloads).then(
      (table) => {
        // With transfers, a zone that changed must have a higher serial (serve-transfers.ts).
        const diffs = transfers?.check(server.table, table) ?? [];
        server.setTable(table);
        transfers?.published(diffs);
        process.stderr.write(`resolute serve: reloaded ${table.zones.length} zone(s)\n`);
      })
      .catch((error: unknown) => {
        printError(error);
        process.stderr.write('resolute serve: reload refused; the previous zones are still served\n');
      })
      .finally(() => process.send?.({ reloaded: true }));
  });
  const stop = (): void => {
    transfers?.close();
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Ready is announced only once the signal handlers are in place: a supervisor that sends
  // SIGHUP or SIGTERM as soon as it reads this line must reach them, not the default action
  // (which ends the process).
  const names = initial.zones.reduce((n, z) => n + z.nameCount, 0);
  if (cluster.isWorker) {
    process.send?.({ ready: true, port: server.port });
  } else {
    process.stderr.write(
      `resolute serve: listening on ${formatHostPort(options.address, server.port)} (udp, tcp): ` +
        `${initial.zones.length} zone(s), ${names} names, pid ${process.pid}\n`,
    );
  }
  transfers?.started(initial);
}

/** A worker that ends this soon after it started failed to start (a bound port, a bad file). */
const WORKER_START_MS = 10_000;
/** So many failed starts in a row stop the server instead of forking forever. */
const WORKER_FAILED_STARTS_MAX = 3;

async function runPrimary(options: ServeOptions, served: { zones: number; names: number }): Promise<void> {
  // Workers must agree on one port: with --port 0, pick a free one here first.
  const port = options.port === 0 ? await freePort(options.address) : options.port;
  const args = process.argv.slice(2);
  const portAt = args.indexOf('--port');
  if (portAt >= 0) args[portAt + 1] = String(port);
  cluster.setupPrimary({ args });
  // NOTIFY goes out from here, once every worker reports the new serial (serve-transfers.ts).
  let workerNotify: ReturnType<typeof startWorkerNotify> | undefined;
  try {
    workerNotify = hasTransfers(options) ? startWorkerNotify(options, { clock: systemClock, random: systemRandom, workers: options.workers }) : undefined;
  } catch (error) {
    printError(error);
    process.exitCode = 1;
    return;
  }
  if (workerNotify !== undefined) logTransferEvents((line) => process.stderr.write(`resolute serve: ${line}\n`));
  let stopping = false;
  let ready = 0;
  let failedStarts = 0;
  const startedAt = new Map<number, number>();
  const fork = (): void => {
    const worker = cluster.fork();
    startedAt.set(worker.id, performance.now());
    worker.on('message', (message: { ready?: boolean }) => {
      workerNotify?.report(worker.id, message);
      if (message.ready === true) failedStarts = 0;
      if (message.ready === true && ++ready === options.workers) {
        process.stderr.write(
          `resolute serve: listening on ${formatHostPort(options.address, port)} (udp, tcp): ` +
            `${served.zones} zone(s), ${served.names} names, ${options.workers} workers, pid ${process.pid}\n`,
        );
      }
    });
  };
  for (let i = 0; i < options.workers; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    workerNotify?.workerGone(worker.id);
    if (stopping) return;
    const livedMs = performance.now() - (startedAt.get(worker.id) ?? 0);
    startedAt.delete(worker.id);
    if (livedMs < WORKER_START_MS && ++failedStarts >= WORKER_FAILED_STARTS_MAX) {
      process.stderr.write(`resolute serve: ${failedStarts} workers failed to start in a row; stopping\n`);
      process.exitCode = 1;
      stop('SIGTERM');
      return;
    }
    process.stderr.write(`resolute serve: worker ${worker.process.pid} ended (${signal ?? code}); starting another\n`);
    fork();
  });
  function stop(signal: NodeJS.Signals): void {
    stopping = true;
    workerNotify?.close();
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    cluster.disconnect(() => process.exit());
  }
  process.once('SIGINT', () => stop('SIGTERM'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  // A rolling reload: one worker at a time builds its new table (and answers nothing while it
  // does), the others keep answering.
  let isReloading = false;
  process.on('SIGHUP', () => {
    if (isReloading) return;
    isReloading = true;
    void (async () => {
      for (const worker of Object.values(cluster.workers ?? {})) {
        if (worker === undefined || worker.isDead()) continue;
        const done = new Promise<void>((resolve) => {
          const onMessage = (message: { reloaded?: boolean }): void => {
            if (message.reloaded !== true) return;
            worker.off('message', onMessage);
            resolve();
          };
          worker.on('message', onMessage);
          worker.once('exit', () => resolve());
        });
        worker.process.kill('SIGHUP');
        await done;
      }
      isReloading = false;
    })();
  });
}

/** A port free on both UDP and TCP at `address`, found by binding port 0. */
async function freePort(address: string): Promise<number> {
  for (;;) {
    const udp = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
    const port = await new Promise<number>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, address, () => resolve(udp.address().port));
    });
    const free = await new Promise<boolean>((resolve) => {
      const tcp = net.createServer();
      tcp.once('error', () => resolve(false));
      tcp.listen(port, address, () => tcp.close(() => resolve(true)));
    });
    udp.close();
    if (free) return port;
  }
}

function formatHostPort(address: string, port: number): string {
  return net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}
