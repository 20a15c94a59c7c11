import { isIP } from 'node:net';
import { ResoluteError } from '../base/errors.js';

/** A DNS server to ask: an IP address and a port (53 unless said). */
export interface ServerAddress {
  readonly address: string;
  readonly port: number;
}

/**
 * Reads `'192.0.2.1'`, `'192.0.2.1:5353'`, `'::1'`, `'[::1]:5353'` — the forms
 * dns.setServers accepts — or `{ address, port }`.
 */
export function parseServerAddress(server: string | { address: string; port?: number }, where: string): ServerAddress {
  if (typeof server === 'object') return checked(server.address, server.port ?? 53, where);
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(server);
  if (bracketed !== null) return checked(bracketed[1], bracketed[2] === undefined ? 53 : Number(bracketed[2]), where);
  if (isIP(server) !== 0) return checked(server, 53, where);
  const withPort = /^([^:]+):(\d+)$/.exec(server);
  if (withPort !== null) return checked(withPort[1], Number(withPort[2]), where);
  return checked(server, 53, where);
}

function checked(address: string, port: number, where: string): ServerAddress {
  // An IPv6 zone index (`fe80::1%eth0`) is kept: dgram sends to it as it is.
  if (isIP(address.replace(/%.*$/, '')) === 0) {
    throw new ResoluteError('ERR_CLIENT_CONFIG', `DNS server address is not an IP address: ${JSON.stringify(address)}`, {
      where,
      hint: "write an IPv4 or IPv6 address, optionally with a port: '192.0.2.1:5353' or '[2001:db8::1]:5353'",
    });
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ResoluteError('ERR_CLIENT_CONFIG', `DNS server port must be 1–65535, got ${port}`, { where });
  }
  return { address, port };
}
