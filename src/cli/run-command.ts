/**
 * `resolute run --roles planner,health,enactor,dns[,cleanup,reconcile] --config F --data-dir D`:
 * any subset of the roles in one process, against the SQLite store in D; each enactor can be a
 * process of its own (`--roles enactor --id enactor-b`).
 *
 * 1. load the config (every error at once; nothing starts) and open the store;
 * 2. dns: alone, it runs here; beside other roles it runs in a child process (dns-role.ts), so
 *    a plan being built or a SIGSTOPped store writer never delays an answer;
 * 3. health: a Checker recording transitions and heartbeats in the store. A planner in the same
 *    process takes the checker's report directly (and re-plans only the targets that moved)
 *    when `health.quorum` is 1; otherwise, or without a health role here, it reads the quorum
 *    of every checker from the store (stored-health.ts);
 * 4. planner: planner-loop.ts (compare-and-set publish, freeze flag); SIGHUP reloads the config
 *    (config-reload.ts), and the outcome goes to `<data-dir>/reload-result.json` for `reload`;
 * 5. enactor, cleanup, reconcile: enact/ over the config's providers (create-providers.ts): the
 *    built-in provider, and each RFC 2136 server of `providers:`;
 * 6. SIGINT / SIGTERM, or the parent going away: stop every loop, stop the DNS child by PID,
 *    close the store, exit 0.
 */
import { hostname } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '../base/clock.js';
import { systemRandom } from '../base/random.js';
import type { Config } from '../config/config.js';
import { loadConfig } from '../config/load-config.js';
import { providersOf } from '../config/providers-of.js';
import { Cleanup } from '../enact/cleanup.js';
import { Enactor } from '../enact/enactor.js';
import { Reconciler } from '../enact/reconcile.js';
import { Checker } from '../health/checker.js';
import { createChecks } from '../health/create-check.js';
import { quorumHealth } from '../health/quorum-health.js';
import { decodePlan } from '../plan/plan-codec.js';
import { Planner } from '../plan/planner.js';
import { zoneRecordsOf } from '../providers/zone-records.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { StorePlanLog } from '../store/store-plan-log.js';
import type { Store } from '../store/store.js';
import { createMetrics } from '../api/metrics.js';
import { startMetricsServer } from '../api/metrics-server.js';
import { ChildProcesses, reportReadyToParent } from './child-processes.js';
import { reloadConfig } from './config-reload.js';
import { highestServedGeneration, PLANNER_PID_FILE, readJsonFile, RELOAD_RESULT_FILE, removeFile, writeFileAtomic, type ReloadResult } from './data-dir-files.js';
import { createProviders, externalZonesOf } from './create-providers.js';
import { startDnsRole } from './dns-role.js';
import { HealthLoop } from './health-loop.js';
import { addLogLevelOption, createLogger, logEvents, type LogLevel } from './logger.js';
import { parseIntegerOption, printError } from './options.js';
import { PlannerLoop } from './planner-loop.js';
import { parseRoles, testOnlyBeforeApply, type Role } from './run-roles.js';
import { storedHealth } from './stored-health.js';

export interface RunOptions {
  readonly roles: string;
  readonly config: string;
  readonly dataDir: string;
  readonly dnsPort: number;
  readonly dnsAddress: string;
  readonly id?: string;
  readonly allowDelete?: boolean;
  readonly intervalMs: number;
  readonly logLevel: LogLevel;
  readonly metricsPort?: number;
}

export function registerRunCommand(program: Command): void {
  const command = program
    .command('run')
    .description('Run some of the roles (planner, health, enactor, dns, cleanup, reconcile) against the store in a data directory.')
    .requiredOption('--roles <list>', 'comma-separated: planner,health,enactor,dns,cleanup,reconcile')
    .requiredOption('--config <file>', 'the configuration (YAML); SIGHUP or `resolute reload` re-reads it')
    .option('--data-dir <dir>', 'the data directory of the store', 'resolute-data')
    .option('--dns-port <port>', 'port of the DNS server (dns role; 0 picks a free one)', parseIntegerOption('--dns-port', 0, 65535), 5300)
    .option('--dns-address <address>', 'address of the DNS server (dns role)', '127.0.0.1')
    .option('--id <name>', 'this process in heartbeats, audit entries and applied generations (default: host-pid)')
    .option('--allow-delete', 'accept a reload that removes a managed name or many targets (still paced by the velocity limit)')
    .option('--interval-ms <ms>', 'pause between steps of the planner and the enactor', parseIntegerOption('--interval-ms', 10, 60_000), 250)
    .option('--metrics-port <port>', 'serve Prometheus metrics on 127.0.0.1:<port>/metrics (0 picks a free one; off when absent)', parseIntegerOption('--metrics-port', 0, 65535));
  addLogLevelOption(command)
    .addHelpText('after', '\nExamples:\n  resolute run --roles planner,health,dns --config examples/two-region.yaml --data-dir ./data\n  resolute run --roles enactor --config examples/two-region.yaml --data-dir ./data --id enactor-b')
    .action(async (options: RunOptions) => {
      try {
        await runRoles(options);
      } catch (error) {
        printError(error);
        process.exitCode = 1;
        if (process.send !== undefined) process.exit(1);
      }
    });
}

async function runRoles(options: RunOptions): Promise<void> {
  const roles = parseRoles(options.roles);
  const id = options.id ?? `${hostname()}-${process.pid}`;
  const logger = createLogger({ level: options.logLevel, role: [...roles].join(',') }).child({ id });
  logEvents(logger);
  const say = (line: string): void => logger.info(line);
  let config = await loadConfig(options.config);
  const clock = systemClock;
  const store = await openSqliteStore({ dataDir: options.dataDir, clock, random: systemRandom });
  const controller = new AbortController();
  const signal = controller.signal;
  const tasks: Promise<void>[] = [];
  let isStopping = false;
  const children = new ChildProcesses((name, code, sig) => {
    say(`${name} ended unexpectedly (${sig ?? code}); stopping`);
    stop(1);
  });
  const stop = (code = 0): void => {
    if (isStopping) return;
    isStopping = true;
    controller.abort();
    void shutdown(code);
  };
  const shutdown = async (code: number): Promise<void> => {
    await Promise.allSettled(tasks);
    await children.stopAll();
    await metricsServer?.close();
    await store.close();
    if (roles.has('planner') && readPidFile(options.dataDir) === process.pid) removeFile(path.join(options.dataDir, PLANNER_PID_FILE));
    process.exit(code);
  };
  process.once('SIGINT', () => stop());
  process.once('SIGTERM', () => stop());

  let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
  try {
    if (options.metricsPort !== undefined) {
      metricsServer = await startMetricsServer({ metrics: createMetrics({ store }), port: options.metricsPort });
      say(`metrics on http://${metricsServer.address}:${metricsServer.port}/metrics`);
    }
    let dnsPort: number | undefined;
    if (roles.has('dns')) dnsPort = await startDns(roles, options, id, config, store, children, tasks, signal, say);
    const health = await startHealth(roles, id, config, store, tasks, signal, say);
    if (roles.has('planner')) {
      const loop = new PlannerLoop({
        clock,
        store,
        planner: new Planner({ clock, log: new StorePlanLog(store, decodePlan) }),
        id,
        config: () => config,
        health: health !== undefined && config.health.quorum <= 1 ? async (c) => quorumHealth([health.checker.report()], c.health, clock.nowMs()) : (c) => storedHealth(store, c.health, clock),
        takeChangedTargets: health?.takeChanged,
        intervalMs: options.intervalMs,
      });
      tasks.push(loop.run(signal));
      writeFileAtomic(path.join(options.dataDir, PLANNER_PID_FILE), `${process.pid}\n`);
    }
    startEnactRoles(roles, options, id, config, store, tasks, signal);
    installReload(roles, options, () => config, (next) => {
      config = next;
      void health?.setConfig(next);
    }, say);
    say(`running ${[...roles].join(', ')} (pid ${process.pid}, data ${options.dataDir}${dnsPort === undefined ? '' : `, dns ${options.dnsAddress}:${dnsPort}`})`);
    reportReadyToParent({ ...(dnsPort === undefined ? {} : { port: dnsPort }), ...(metricsServer === undefined ? {} : { metricsPort: metricsServer.port }) }, () => stop());
  } catch (error) {
    printError(error);
    stop(1);
  }
}

async function startDns(
  roles: ReadonlySet<Role>,
  options: RunOptions,
  id: string,
  config: Config,
  store: Store,
  children: ChildProcesses,
  tasks: Promise<void>[],
  signal: AbortSignal,
  say: (line: string) => void,
): Promise<number> {
  if (roles.size === 1) {
    // The built-in provider's zones only: a zone published on an RFC 2136 server is that server's to answer.
    // A zone added by a reload lands on the built-in provider: the follower learns it from the store once applied.
    const zones = providersOf(config).find((p) => p.type === 'builtin')?.zones ?? [];
    const excludedZones = externalZonesOf(config).filter((zone) => !zones.includes(zone));
    const dns = await startDnsRole({ store, clock: systemClock, zones, excludedZones, dataDir: options.dataDir, id, address: options.dnsAddress, port: options.dnsPort });
    tasks.push(dns.run(signal));
    say(`dns listening on ${dns.server.address}:${dns.server.port} (udp, tcp)`);
    return dns.server.port;
  }
  // Beside other roles: a process of its own, which never waits on this one's work.
  const child = await children.start('dns', ['run', '--roles', 'dns', '--config', options.config, '--data-dir', options.dataDir, '--dns-port', String(options.dnsPort), '--dns-address', options.dnsAddress, '--id', `${id}-dns`]);
  return child.ready.port ?? options.dnsPort;
}

interface HealthRole {
  readonly checker: Checker;
  takeChanged(): ReadonlySet<string>;
  setConfig(config: Config): Promise<void>;
}

async function startHealth(roles: ReadonlySet<Role>, id: string, config: Config, store: Store, tasks: Promise<void>[], signal: AbortSignal, say: (line: string) => void): Promise<HealthRole | undefined> {
  if (!roles.has('health')) return undefined;
  const targetsOf = (c: Config) => c.endpoints.flatMap((e) => e.targets);
  const checker = new Checker({ checkerId: id, clock: systemClock, random: systemRandom, checks: await createChecks(targetsOf(config), systemRandom) });
  let changed = new Set<string>();
  let lastStoreError = '';
  const loop = new HealthLoop({
    clock: systemClock,
    store,
    checker,
    onTransition: (t) => changed.add(t.target),
    onStoreError: (message) => {
      if (message !== lastStoreError) say(`health: cannot record in the store: ${message}`); // once per distinct error
      lastStoreError = message;
    },
  });
  tasks.push(loop.run(signal));
  return {
    checker,
    takeChanged() {
      const taken = changed;
      changed = new Set();
      return taken;
    },
    async setConfig(next) {
      checker.setChecks(await createChecks(targetsOf(next), systemRandom));
    },
  };
}

function startEnactRoles(roles: ReadonlySet<Role>, options: RunOptions, id: string, config: Config, store: Store, tasks: Promise<void>[], signal: AbortSignal): void {
  if (!roles.has('enactor') && !roles.has('cleanup') && !roles.has('reconcile')) return;
  // The zones are each plan's (Provider.zonesFor): a zone added by a reload is enacted without a restart.
  // The generation its DNS processes serve, so a store restored below it is seen (DESIGN: the expected generation is read from the provider).
  // The providers too: `providers:` changes are refused on reload (check-config-change.ts) and applied by a restart.
  const servedGeneration = (zone: string): bigint | undefined => highestServedGeneration(options.dataDir, zone);
  const providers = createProviders(config, { store, clock: systemClock, random: systemRandom, by: id, servedGeneration });
  const context = { clock: systemClock, random: systemRandom, store, providers, decodePlan, zoneRecordsOf, id };
  if (roles.has('enactor')) {
    const beforeApply = testOnlyBeforeApply(process.env); // TEST-ONLY: undefined unless RESOLUTE_TEST_STOP_BEFORE_APPLY is set (run-roles.ts)
    tasks.push(new Enactor({ ...context, intervalMs: options.intervalMs, ...(beforeApply === undefined ? {} : { beforeApply }) }).run(signal));
  }
  if (roles.has('reconcile')) tasks.push(new Reconciler({ ...context, intervalMs: 5_000 }).run(signal));
  if (roles.has('cleanup')) tasks.push(new Cleanup({ clock: systemClock, store, providers, decodePlan, id, intervalMs: 10_000 }).run(signal));
}

/** SIGHUP: a planner reloads its config; one reload at a time; the outcome goes to reload-result.json. */
function installReload(roles: ReadonlySet<Role>, options: RunOptions, current: () => Config, swap: (config: Config) => void, say: (line: string) => void): void {
  const resultFile = path.join(options.dataDir, RELOAD_RESULT_FILE);
  let sequence = readJsonFile<ReloadResult>(resultFile)?.sequence ?? 0;
  let reloading = Promise.resolve();
  process.on('SIGHUP', () => {
    if (!roles.has('planner')) {
      say('SIGHUP ignored: no planner role in this process');
      return;
    }
    reloading = reloading.then(async () => {
      const outcome = await reloadConfig(current(), options.config, { isDeleteAllowed: options.allowDelete === true });
      const errors = outcome.kind === 'refused' ? outcome.errors.map((e) => e.message) : [];
      if (outcome.kind === 'reloaded') {
        swap(outcome.config);
        say(`reloaded ${options.config}: ${outcome.config.zones.length} zone(s), ${outcome.config.endpoints.length} endpoint(s)`);
      } else {
        for (const e of errors) say(e);
        say(`reload refused (${errors.length} error(s)); the last valid config stays in force`);
      }
      const result: ReloadResult = { sequence: ++sequence, pid: process.pid, atMs: systemClock.nowMs(), outcome: outcome.kind, errors };
      writeFileAtomic(resultFile, `${JSON.stringify(result)}\n`);
    });
  });
}

function readPidFile(dataDir: string): number | undefined {
  return readJsonFile<number>(path.join(dataDir, PLANNER_PID_FILE));
}
