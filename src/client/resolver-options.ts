import { readFileSync } from 'node:fs';
import { systemClock, type Clock } from '../base/clock.js';
import { ResoluteError } from '../base/errors.js';
import { systemRandom, type Random } from '../base/random.js';
import type { Backoff } from './backoff-ms.js';
import { parseHostsFile, type HostsTable } from './hosts-file.js';
import { parseResolvConf, resolvConfDefaults } from './resolv-conf.js';
import { parseServerAddress, type ServerAddress } from './server-address.js';

/** createResolver's options; every one has a default. */
export interface ResolverOptions {
  /** DNS servers to ask (`'192.0.2.1'`, `'127.0.0.1:5353'`, `'[::1]:53'`). Default: /etc/resolv.conf's. */
  servers?: ReadonlyArray<string | { address: string; port?: number }>;
  /** Default `/etc/resolv.conf`; read once, when the resolver is created. */
  resolvConfPath?: string;
  /** Default `/etc/hosts`, consulted before DNS as dns.lookup does; `false` skips it. */
  hostsPath?: string | false;
  /** Override resolv.conf's `search`, `ndots`, `timeout` (as ms) and `attempts`. */
  search?: readonly string[];
  ndots?: number;
  timeoutMs?: number;
  attempts?: number;
  /** How to reach the servers: UDP with TCP on truncation (`auto`, default), or one of them. */
  transport?: 'udp' | 'tcp' | 'auto';
  /** How long past its TTL a last-known-good answer may be served. Default one hour. */
  staleMsMax?: number;
  /** RFC 8767 §5 client response timer: serve stale when a refresh is this slow. Default 1800. */
  staleAnswerAfterMs?: number;
  /** The TTL `resolve()` reports on a stale answer (RFC 8767 §4 recommends 30). */
  staleTtlSeconds?: number;
  /** Re-asks of a stale name: exponential from `minMs` to `maxMs`, jittered. Default 1 s → 10 s. */
  reaskBackoff?: Backoff;
  /** Cap on how long a negative or failed answer is cached (RFC 2308 SOA minimum below it). Default 5 s. */
  negativeTtlMsMax?: number;
  /** Cap on any TTL (a zone's TTL of a day must not pin a dead address). Default one day. */
  maxTtlSeconds?: number;
  /** How long /etc/hosts answers are kept before the file is read again. Default 5 s. */
  hostsTtlMs?: number;
  /** `{ 'db.east.example': ['db.west.example'] }`: names to use when a name has no answer at all. */
  alternates?: Readonly<Record<string, readonly string[]>>;
  /** A file where last-known-good answers are kept across restarts. Default: none. */
  persistPath?: string;
  /** How long an address that refused or timed out is tried last. Default 30 s. */
  connectPenaltyMs?: number;
  /** Most names kept in memory. Default 10 000. */
  maxNames?: number;
  clock?: Clock;
  random?: Random;
}

export interface ResolvedOptions {
  readonly servers: readonly ServerAddress[];
  readonly search: readonly string[];
  readonly ndots: number;
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly transport: 'udp' | 'tcp' | 'auto';
  readonly hostsPath: string | undefined;
  readonly staleMsMax: number;
  readonly staleAnswerAfterMs: number;
  readonly staleTtlSeconds: number;
  readonly reaskBackoff: Backoff;
  readonly negativeTtlMsMax: number;
  readonly maxTtlSeconds: number;
  readonly hostsTtlMs: number;
  readonly alternates: ReadonlyMap<string, readonly string[]>;
  readonly persistPath: string | undefined;
  readonly connectPenaltyMs: number;
  readonly maxNames: number;
  readonly clock: Clock;
  readonly random: Random;
}

function duration(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new ResoluteError('ERR_CLIENT_CONFIG', `${name} must be a number ≥ 0, got ${String(value)}`, {
      where: `createResolver options.${name}`,
    });
  }
  return value;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Reads the system files and fills every default; throws ERR_CLIENT_CONFIG on a wrong option. */
export function resolveOptions(options: ResolverOptions): ResolvedOptions {
  // Servers given explicitly make a self-contained setup: the system's file is not read at all.
  const conf = options.servers === undefined ? parseResolvConf(readText(options.resolvConfPath ?? '/etc/resolv.conf')) : resolvConfDefaults;
  const servers = options.servers === undefined ? conf.nameservers : options.servers.map((s, i) => parseServerAddress(s, `createResolver options.servers[${i}]`));
  if (servers.length === 0) {
    throw new ResoluteError('ERR_CLIENT_CONFIG', 'no DNS server to ask', {
      where: options.resolvConfPath ?? '/etc/resolv.conf',
      hint: "pass servers: ['192.0.2.53'] to createResolver, or add a nameserver line to resolv.conf",
    });
  }
  const backoff = options.reaskBackoff ?? { minMs: 1000, maxMs: 10_000 };
  const alternates = new Map<string, readonly string[]>();
  for (const [name, list] of Object.entries(options.alternates ?? {})) alternates.set(name.toLowerCase(), list.map((n) => n.toLowerCase()));
  return {
    servers,
    search: (options.search ?? conf.search).map((d) => d.replace(/\.$/, '').toLowerCase()),
    ndots: duration(options.ndots, conf.ndots, 'ndots'),
    timeoutMs: duration(options.timeoutMs, options.servers === undefined ? conf.timeoutMs : 2000, 'timeoutMs'),
    attempts: Math.max(1, duration(options.attempts, options.servers === undefined ? conf.attempts : 2, 'attempts')),
    transport: options.transport ?? 'auto',
    hostsPath: options.hostsPath === false ? undefined : (options.hostsPath ?? '/etc/hosts'),
    staleMsMax: duration(options.staleMsMax, 3_600_000, 'staleMsMax'),
    staleAnswerAfterMs: duration(options.staleAnswerAfterMs, 1800, 'staleAnswerAfterMs'),
    staleTtlSeconds: duration(options.staleTtlSeconds, 30, 'staleTtlSeconds'),
    reaskBackoff: { minMs: duration(backoff.minMs, 1000, 'reaskBackoff.minMs'), maxMs: duration(backoff.maxMs, 10_000, 'reaskBackoff.maxMs') },
    negativeTtlMsMax: duration(options.negativeTtlMsMax, 5000, 'negativeTtlMsMax'),
    maxTtlSeconds: duration(options.maxTtlSeconds, 86_400, 'maxTtlSeconds'),
    hostsTtlMs: duration(options.hostsTtlMs, 5000, 'hostsTtlMs'),
    alternates,
    persistPath: options.persistPath,
    connectPenaltyMs: duration(options.connectPenaltyMs, 30_000, 'connectPenaltyMs'),
    maxNames: Math.max(1, duration(options.maxNames, 10_000, 'maxNames')),
    clock: options.clock ?? systemClock,
    random: options.random ?? systemRandom,
  };
}

/** /etc/hosts as a table; a missing file is an empty table (containers often have none). */
export function readHosts(path: string | undefined): HostsTable {
  return path === undefined ? new Map() : parseHostsFile(readText(path));
}
