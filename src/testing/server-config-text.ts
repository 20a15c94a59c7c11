/**
 * Config text shared by the real DNS servers the tests start (rfc2136-servers.ts as primaries
 * taking updates, secondary-servers.ts as secondaries): the TSIG secret as the servers' config
 * files want it, and the part of a Knot DNS config that is the same for both roles.
 */
import type { TsigKey } from '../dns/wire/tsig-key.js';

/** The key's secret in base64, as BIND, Knot, NSD and PowerDNS take it. */
export function secretOf(key: TsigKey): string {
  return Buffer.from(key.secret).toString('base64');
}

/**
 * Knot's `server`, `log`, `database`, `control` and `key` sections: everything under `dir`,
 * listening on 127.0.0.1@`port` only, logging to stderr (the test prints it on failure).
 */
export function knotConfigHead(dir: string, port: number, key: TsigKey): string {
  return `server:
    listen: 127.0.0.1@${port}
    rundir: "${dir}"
    pidfile: "${dir}/knot.pid"
    tcp-reuseport: off
log:
  - target: stderr
    any: info
database:
    storage: "${dir}"
control:
    listen: "${dir}/knot.sock"
key:
  - id: ${key.name}
    algorithm: ${key.algorithm}
    secret: ${secretOf(key)}
`;
}
