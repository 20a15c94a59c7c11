/**
 * Real secondaries for the zone-transfer tests: NSD, Knot DNS and BIND 9 (Debian's packages),
 * each with a config written under its own temp dir, listening on 127.0.0.1 and a high port,
 * taking its zones from a primary by AXFR/IXFR with a TSIG key, accepting NOTIFY from it, and
 * allowing AXFR to 127.0.0.1 with the same key (so a test can check their signatures).
 * Started in the foreground, stopped by PID; every one started is remembered, so an `after`
 * hook can stop them all with stopAllSecondaries().
 *
 * What each needed (their documentation is right, but easy to miss):
 *  - NSD: `xfrd-reload-timeout: 0` (else a transfer is served up to a second later),
 *    `database: ""` (no nsd.db), `username: ""` and `chroot: ""` (stay in the temp dir), the
 *    port in `ip-address: 127.0.0.1@port`, `request-xfr` without `AXFR` so it asks IXFR first;
 *  - Knot: `master:` (3.2 spelling) with the key on the remote, an ACL with `action: notify`,
 *    `refresh-max-interval` to cap the SOA refresh; the PID file and the control socket go in
 *    the rundir;
 *  - BIND: `-g` (foreground, logs on stderr), `primaries { addr port P key K; }`, a `server`
 *    clause is not needed (the key on the primary signs SOA queries and transfers),
 *    `min-refresh-time`/`max-refresh-time` to move the refresh timer (default minimum 300 s),
 *    no `controls` (no rndc key), and `notify no` (it is a secondary only).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock } from '../base/clock.js';
import { systemRandom } from '../base/random.js';
import { exchange } from '../dns/exchange.js';
import { Rcode, RRType } from '../dns/wire/constants.js';
import { buildQuery } from '../dns/wire/message.js';
import type { TsigKey } from '../dns/wire/tsig-key.js';
import { serialOfSoaRdata } from '../dns/xfr/soa-serial.js';
import { knotConfigHead, secretOf } from './server-config-text.js';

export type SecondaryKind = 'nsd' | 'knot' | 'bind';

export interface SecondaryOptions {
  readonly kind: SecondaryKind;
  /** A directory of its own (created): config, zone files, logs, state. */
  readonly dir: string;
  readonly port: number;
  readonly primary: { readonly address: string; readonly port: number };
  /** Canonical zone names. */
  readonly zones: readonly string[];
  readonly key: TsigKey;
  /** Caps the refresh timer (the SOA's refresh otherwise); default 3600 s. */
  readonly refreshMaxSeconds?: number;
}

export interface Secondary {
  readonly kind: SecondaryKind;
  readonly address: string;
  readonly port: number;
  readonly pid: number | undefined;
  readonly isRunning: boolean;
  /** Its log so far (stderr, and the log file where it writes one). */
  log(): string;
  /** Starts it (again, with the same config and state dir). */
  start(): Promise<void>;
  /** SIGTERM by PID, SIGKILL after `timeoutMs`; resolves once it has exited. */
  stop(timeoutMs?: number): Promise<void>;
}

const running = new Set<Secondary>();

/** Writes the config and starts the secondary; resolves once it answers queries on its port. */
export async function startSecondary(options: SecondaryOptions): Promise<Secondary> {
  await mkdir(options.dir, { recursive: true });
  const { command, args, logFile } = await writeConfig(options);
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';
  const secondary: Secondary = {
    kind: options.kind,
    address: '127.0.0.1',
    port: options.port,
    get pid() {
      return child?.pid;
    },
    get isRunning() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    log() {
      let file = '';
      if (logFile !== undefined) {
        try {
          file = readFileSync(logFile, 'utf8');
        } catch {
          // not written yet
        }
      }
      return `${output}${file}`;
    },
    async start() {
      if (secondary.isRunning) return;
      const started = spawn(command, args, { cwd: options.dir, stdio: ['ignore', 'pipe', 'pipe'] });
      child = started;
      started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      exited = new Promise<void>((resolve) => started.once('exit', () => resolve()));
      running.add(secondary);
      await waitUntilAnswering(secondary, options.zones[0], 15_000);
    },
    async stop(timeoutMs = 10_000) {
      running.delete(secondary);
      const current = child;
      if (current === undefined || current.pid === undefined || !secondary.isRunning) return;
      try {
        process.kill(current.pid, 'SIGTERM');
      } catch {
        return;
      }
      const cancel = systemClock.after(timeoutMs, () => {
        if (current.pid !== undefined && current.exitCode === null) process.kill(current.pid, 'SIGKILL');
      });
      await exited;
      cancel();
    },
  };
  await secondary.start();
  return secondary;
}

/** Stops every secondary still running (for an `after` hook). */
export async function stopAllSecondaries(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}

/** The serial a server answers for `zone` SOA over UDP, or undefined (no answer, not NOERROR). */
export async function servedSerial(server: { address: string; port: number }, zone: string, timeoutMs = 500): Promise<number | undefined> {
  try {
    const { response } = await exchange(buildQuery(zone, RRType.SOA, { id: systemRandom.uint16() }), server, { transport: 'udp', timeoutMs });
    const soa = response.answers.find((r) => r.type === RRType.SOA);
    return response.rcode === Rcode.NOERROR && soa !== undefined ? serialOfSoaRdata(soa.rdata) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Polls (every 25 ms) until `server` serves `zone` with serial `serial`; resolves with the
 * milliseconds it took, rejects after `timeoutMs` naming the serial last seen.
 */
export async function waitForSerial(
  server: { address: string; port: number; kind?: string },
  zone: string,
  serial: number,
  timeoutMs: number,
): Promise<number> {
  const start = systemClock.monotonicMs();
  let last: number | undefined;
  for (;;) {
    last = await servedSerial(server, zone, 300);
    const elapsed = systemClock.monotonicMs() - start;
    if (last === serial) return elapsed;
    if (elapsed > timeoutMs) {
      throw new Error(`${server.kind ?? 'server'} ${server.address}:${server.port} still serves ${zone} serial ${String(last)}, not ${serial}, after ${timeoutMs} ms`);
    }
    await systemClock.sleep(25);
  }
}

/** Waits until the process answers anything on its port (REFUSED, SERVFAIL or data). */
async function waitUntilAnswering(secondary: Secondary, zone: string, timeoutMs: number): Promise<void> {
  const start = systemClock.monotonicMs();
  for (;;) {
    if (!secondary.isRunning) throw new Error(`${secondary.kind} exited at start:\n${secondary.log()}`);
    try {
      await exchange(buildQuery(zone, RRType.SOA, { id: systemRandom.uint16() }), secondary, { transport: 'udp', timeoutMs: 200 });
      return;
    } catch {
      if (systemClock.monotonicMs() - start > timeoutMs) throw new Error(`${secondary.kind} did not answer on port ${secondary.port} within ${timeoutMs} ms:\n${secondary.log()}`);
      await systemClock.sleep(50);
    }
  }
}

async function writeConfig(options: SecondaryOptions): Promise<{ command: string; args: string[]; logFile: string | undefined }> {
  switch (options.kind) {
    case 'nsd':
      return writeNsd(options);
    case 'knot':
      return writeKnot(options);
    case 'bind':
      return writeBind(options);
  }
}

const bare = (name: string): string => name.replace(/\.$/, '');

async function writeNsd(o: SecondaryOptions): Promise<{ command: string; args: string[]; logFile: string }> {
  const refresh = o.refreshMaxSeconds ?? 3600;
  const zones = o.zones
    .map(
      (zone) => `zone:
  name: "${zone}"
  zonefile: "${bare(zone)}.zone"
  allow-notify: ${o.primary.address} ${o.key.name}
  request-xfr: ${o.primary.address}@${o.primary.port} ${o.key.name}
  provide-xfr: 127.0.0.1 ${o.key.name}
  max-refresh-time: ${refresh}
  min-refresh-time: 1
  max-retry-time: 2
  min-retry-time: 1
`,
    )
    .join('');
  const config = `server:
  ip-address: 127.0.0.1@${o.port}
  port: ${o.port}
  do-ip6: no
  username: ""
  chroot: ""
  zonesdir: "${o.dir}"
  pidfile: "${o.dir}/nsd.pid"
  xfrdfile: "${o.dir}/xfrd.state"
  xfrdir: "${o.dir}"
  database: ""
  zonelistfile: "${o.dir}/zone.list"
  logfile: "${o.dir}/nsd.log"
  verbosity: 2
  server-count: 1
  xfrd-reload-timeout: 0
  zonefiles-write: 0
remote-control:
  control-enable: no
key:
  name: "${o.key.name}"
  algorithm: ${o.key.algorithm}
  secret: "${secretOf(o.key)}"
${zones}`;
  const file = join(o.dir, 'nsd.conf');
  await writeFile(file, config);
  return { command: 'nsd', args: ['-d', '-c', file], logFile: join(o.dir, 'nsd.log') };
}

async function writeKnot(o: SecondaryOptions): Promise<{ command: string; args: string[]; logFile: undefined }> {
  const refresh = o.refreshMaxSeconds ?? 3600;
  const zones = o.zones.map((zone) => `  - domain: ${zone}\n    master: primary\n    acl: [from_primary, to_tests]\n`).join('');
  const config = `${knotConfigHead(o.dir, o.port, o.key)}remote:
  - id: primary
    address: ${o.primary.address}@${o.primary.port}
    key: ${o.key.name}
acl:
  - id: from_primary
    address: ${o.primary.address}
    key: ${o.key.name}
    action: notify
  - id: to_tests
    address: 127.0.0.1
    key: ${o.key.name}
    action: transfer
template:
  - id: default
    storage: "${o.dir}"
    refresh-min-interval: 2
    refresh-max-interval: ${refresh}
    retry-max-interval: 2
zone:
${zones}`;
  const file = join(o.dir, 'knot.conf');
  await writeFile(file, config);
  return { command: 'knotd', args: ['-c', file], logFile: undefined };
}

async function writeBind(o: SecondaryOptions): Promise<{ command: string; args: string[]; logFile: undefined }> {
  const refresh = o.refreshMaxSeconds ?? 3600;
  const zones = o.zones
    .map(
      (zone) => `zone "${zone}" {
  type secondary;
  primaries { ${o.primary.address} port ${o.primary.port} key "${o.key.name}"; };
  file "${bare(zone)}.db";
  allow-notify { ${o.primary.address}; };
};
`,
    )
    .join('');
  const config = `options {
  directory "${o.dir}";
  pid-file "${o.dir}/named.pid";
  session-keyfile "${o.dir}/session.key";
  managed-keys-directory "${o.dir}";
  listen-on port ${o.port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  notify no;
  dnssec-validation no;
  min-refresh-time 1;
  max-refresh-time ${refresh};
  min-retry-time 1;
  max-retry-time 2;
  allow-transfer { key "${o.key.name}"; };
};
controls { };
key "${o.key.name}" {
  algorithm ${o.key.algorithm};
  secret "${secretOf(o.key)}";
};
${zones}`;
  const file = join(o.dir, 'named.conf');
  await writeFile(file, config);
  return { command: 'named', args: ['-g', '-c', file], logFile: undefined };
}
