/**
 * Real DNS servers that take RFC 2136 updates, for the RFC 2136 provider's tests: BIND 9, Knot
 * DNS and PowerDNS Authoritative with the SQLite backend (Debian's packages). Each runs in the
 * foreground on 127.0.0.1 and a free high port, with a config generated in its own temp dir,
 * serving `zones` as primary zones (SOA and an out-of-zone NS only), accepting updates and
 * transfers signed with `key`; stopped by PID. `stopAllRfc2136Servers()` for an `after` hook.
 *
 * What each needed:
 *  - BIND: `update-policy { grant KEY zonesub ANY; }` and `allow-transfer { key KEY; }` per zone;
 *    the zone file and its journal (.jnl) in the temp dir, which must be writable; `-g` keeps
 *    it in the foreground; no `controls` (no rndc key).
 *  - Knot: one ACL with the key and `action: [update, transfer]` on each zone; the zone files
 *    in `storage`; `zonefile-sync: -1` keeps updates in the journal (no rewrite of the file per
 *    update); the control socket and PID file in the rundir.
 *  - PowerDNS: the zones, the key and the metadata live in the SQLite database, created from
 *    the schema Debian ships (/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql): the key in
 *    `tsigkeys`, `TSIG-ALLOW-DNSUPDATE` and `TSIG-ALLOW-AXFR` in `domainmetadata`;
 *    `dnsupdate=yes`, `allow-dnsupdate-from` and `allow-axfr-ips` for loopback; every cache off
 *    (`cache-ttl`, `query-cache-ttl`, `negquery-cache-ttl` = 0), or a marker read right after an
 *    update can be the cached old one; `SOA-EDIT-DNSUPDATE INCREASE` so its serial rises;
 *    `--guardian=no --daemon=no` and a `socket-dir` in the temp dir.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { systemClock } from '../base/clock.js';
import { systemRandom } from '../base/random.js';
import { exchange } from '../dns/exchange.js';
import { RRType } from '../dns/wire/constants.js';
import { buildQuery } from '../dns/wire/message.js';
import type { ResourceRecord } from '../dns/wire/record.js';
import type { TsigKey } from '../dns/wire/tsig-key.js';
import { requestZoneTransfer } from '../dns/xfr/transfer-client.js';
import { signedExchange, type ServerTarget } from '../providers/rfc2136/signed-exchange.js';
import { updateMessage } from '../providers/rfc2136/update-message.js';
import { findFreePort } from './serve-process.js';
import { knotConfigHead, secretOf } from './server-config-text.js';

export type Rfc2136ServerKind = 'bind' | 'knot' | 'pdns';

export interface Rfc2136ServerOptions {
  readonly kind: Rfc2136ServerKind;
  /** A directory of its own (created). */
  readonly dir: string;
  /** Canonical zone names, e.g. `z1.rfc2136.test.`. */
  readonly zones: readonly string[];
  readonly key: TsigKey;
}

export interface Rfc2136Server {
  readonly kind: Rfc2136ServerKind;
  readonly address: string;
  readonly port: number;
  readonly pid: number | undefined;
  log(): string;
  stop(timeoutMs?: number): Promise<void>;
}

export const PDNS_SQLITE_BACKEND = '/usr/lib/x86_64-linux-gnu/pdns/libgsqlite3backend.so';
const PDNS_SCHEMA = '/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql';
const NS = 'ns1.example.net.';
const HOSTMASTER = 'hostmaster.example.net.';

const running = new Set<Rfc2136Server>();

export async function startRfc2136Server(options: Rfc2136ServerOptions): Promise<Rfc2136Server> {
  await mkdir(options.dir, { recursive: true });
  const port = await findFreePort();
  const { command, args } = await writeConfig(options, port);
  const child: ChildProcess = spawn(command, args, { cwd: options.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.once('error', (error) => (output += `\nspawn ${command}: ${error.message}`));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const isRunning = (): boolean => child.exitCode === null && child.signalCode === null && child.pid !== undefined;
  const server: Rfc2136Server = {
    kind: options.kind,
    address: '127.0.0.1',
    port,
    get pid() {
      return child.pid;
    },
    log: () => output,
    async stop(timeoutMs = 10_000) {
      running.delete(server);
      if (child.pid === undefined || !isRunning()) return;
      process.kill(child.pid, 'SIGTERM');
      const cancel = systemClock.after(timeoutMs, () => {
        if (child.pid !== undefined && isRunning()) process.kill(child.pid, 'SIGKILL');
      });
      await exited;
      cancel();
    },
  };
  running.add(server);
  await waitUntilServing(server, options.zones, isRunning, 20_000);
  return server;
}

export async function stopAllRfc2136Servers(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}

/** The zone as the server holds it: one AXFR signed with `key`; fails the test otherwise. */
export async function transferZone(server: { readonly address: string; readonly port: number }, key: TsigKey, zone: string): Promise<readonly ResourceRecord[]> {
  const result = await requestZoneTransfer({ server, zone, key, clock: systemClock, random: systemRandom, timeoutMs: 5000 });
  assert.equal(result.kind, 'axfr');
  return result.kind === 'axfr' ? result.records : [];
}

/**
 * An UPDATE with no prerequisite, as an operator's nsupdate sends it: "by hand" (foreign
 * records, a deleted marker). Fails the test unless the server answers NOERROR.
 */
export async function updateByHand(server: { readonly kind: string; readonly address: string; readonly port: number }, key: TsigKey, zone: string, updates: readonly ResourceRecord[]): Promise<void> {
  const target: ServerTarget = { provider: 'by hand', server, key, timeoutMs: 5000, clock: systemClock, random: systemRandom };
  const answered = await signedExchange(target, updateMessage({ id: 0, zone, prerequisites: [], updates }), zone, 'update by hand');
  assert.equal(answered.kind, 'answered', answered.kind === 'unavailable' ? answered.cause.message : '');
  if (answered.kind === 'answered') assert.equal(answered.response.rcode, 0, `${server.kind}: the update by hand is applied`);
}

/** Waits until every zone's SOA is answered (NOERROR, authoritative) over TCP. */
async function waitUntilServing(server: Rfc2136Server, zones: readonly string[], isRunning: () => boolean, timeoutMs: number): Promise<void> {
  const start = systemClock.monotonicMs();
  let pending = [...zones];
  while (pending.length > 0) {
    if (!isRunning()) throw new Error(`${server.kind} exited at start:\n${server.log()}`);
    const still: string[] = [];
    for (const zone of pending) {
      try {
        const { response } = await exchange(buildQuery(zone, RRType.SOA, { id: systemRandom.uint16() }), server, { transport: 'tcp', timeoutMs: 300 });
        if (response.rcode !== 0 || !response.aa) still.push(zone);
      } catch {
        still.push(zone);
      }
    }
    pending = still;
    if (pending.length === 0) return;
    if (systemClock.monotonicMs() - start > timeoutMs) {
      throw new Error(`${server.kind} on port ${server.port} does not serve ${pending.join(', ')} after ${timeoutMs} ms:\n${server.log()}`);
    }
    await systemClock.sleep(50);
  }
}

const bare = (name: string): string => name.replace(/\.$/, '');
const zoneFile = (zone: string): string => `$ORIGIN ${zone}\n$TTL 300\n@ IN SOA ${NS} ${HOSTMASTER} 1 60 10 1209600 5\n@ IN NS ${NS}\n`;

async function writeConfig(o: Rfc2136ServerOptions, port: number): Promise<{ command: string; args: string[] }> {
  switch (o.kind) {
    case 'bind':
      return writeBind(o, port);
    case 'knot':
      return writeKnot(o, port);
    case 'pdns':
      return writePdns(o, port);
  }
}

async function writeBind(o: Rfc2136ServerOptions, port: number): Promise<{ command: string; args: string[] }> {
  const zones: string[] = [];
  for (const zone of o.zones) {
    await writeFile(join(o.dir, `${bare(zone)}.db`), zoneFile(zone));
    zones.push(`zone "${zone}" {
  type primary;
  file "${bare(zone)}.db";
  update-policy { grant "${o.key.name}" zonesub ANY; };
  allow-transfer { key "${o.key.name}"; };
};
`);
  }
  const config = `options {
  directory "${o.dir}";
  pid-file "${o.dir}/named.pid";
  session-keyfile "${o.dir}/session.key";
  managed-keys-directory "${o.dir}";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  notify no;
  dnssec-validation no;
};
controls { };
key "${o.key.name}" {
  algorithm ${o.key.algorithm};
  secret "${secretOf(o.key)}";
};
${zones.join('')}`;
  const file = join(o.dir, 'named.conf');
  await writeFile(file, config);
  return { command: 'named', args: ['-g', '-c', file] };
}

async function writeKnot(o: Rfc2136ServerOptions, port: number): Promise<{ command: string; args: string[] }> {
  for (const zone of o.zones) await writeFile(join(o.dir, `${bare(zone)}.zone`), zoneFile(zone));
  const zones = o.zones.map((zone) => `  - domain: ${zone}\n    file: "${o.dir}/${bare(zone)}.zone"\n    acl: [resolute]\n`).join('');
  const config = `${knotConfigHead(o.dir, port, o.key)}acl:
  - id: resolute
    address: 127.0.0.0/8
    key: ${o.key.name}
    action: [update, transfer]
template:
  - id: default
    storage: "${o.dir}"
    zonefile-sync: -1
    journal-content: changes
zone:
${zones}`;
  const file = join(o.dir, 'knot.conf');
  await writeFile(file, config);
  return { command: 'knotd', args: ['-c', file] };
}

async function writePdns(o: Rfc2136ServerOptions, port: number): Promise<{ command: string; args: string[] }> {
  if (!existsSync(PDNS_SQLITE_BACKEND) || !existsSync(PDNS_SCHEMA)) {
    throw new Error(`PowerDNS's SQLite backend is missing (${PDNS_SQLITE_BACKEND}); install the Debian package pdns-backend-sqlite3 (scripts/test.sh does it when run as root)`);
  }
  const database = join(o.dir, 'pdns.sqlite3');
  const db = new Database(database);
  try {
    db.exec(readFileSync(PDNS_SCHEMA, 'utf8'));
    const keyName = bare(o.key.name);
    db.prepare('INSERT INTO tsigkeys (name, algorithm, secret) VALUES (?, ?, ?)').run(keyName, o.key.algorithm, secretOf(o.key));
    for (const zone of o.zones) {
      const name = bare(zone);
      const id = db.prepare("INSERT INTO domains (name, type) VALUES (?, 'NATIVE')").run(name).lastInsertRowid;
      const record = db.prepare('INSERT INTO records (domain_id, name, type, content, ttl, prio, disabled, auth) VALUES (?, ?, ?, ?, ?, 0, 0, 1)');
      record.run(id, name, 'SOA', `${NS} ${HOSTMASTER} 1 60 10 1209600 5`, 300);
      record.run(id, name, 'NS', NS, 300);
      const meta = db.prepare('INSERT INTO domainmetadata (domain_id, kind, content) VALUES (?, ?, ?)');
      meta.run(id, 'TSIG-ALLOW-DNSUPDATE', keyName);
      meta.run(id, 'TSIG-ALLOW-AXFR', keyName);
      meta.run(id, 'SOA-EDIT-DNSUPDATE', 'INCREASE');
    }
  } finally {
    db.close();
  }
  const config = `launch=gsqlite3
gsqlite3-database=${database}
local-address=127.0.0.1
local-port=${port}
socket-dir=${o.dir}
daemon=no
guardian=no
write-pid=no
dnsupdate=yes
allow-dnsupdate-from=127.0.0.0/8
allow-axfr-ips=127.0.0.0/8
disable-axfr=no
cache-ttl=0
query-cache-ttl=0
negquery-cache-ttl=0
consistent-backends=yes
loglevel=4
`;
  await writeFile(join(o.dir, 'pdns.conf'), config);
  return { command: 'pdns_server', args: [`--config-dir=${o.dir}`] };
}
