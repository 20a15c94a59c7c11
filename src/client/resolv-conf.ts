import type { ServerAddress } from './server-address.js';
import { isIP } from 'node:net';

/**
 * What the system resolver is told by /etc/resolv.conf (resolv.conf(5)); Kubernetes writes
 * `search <ns>.svc.cluster.local svc.cluster.local cluster.local` and `options ndots:5`.
 */
export interface ResolvConf {
  readonly nameservers: readonly ServerAddress[];
  /** Search domains without a trailing dot, in order. */
  readonly search: readonly string[];
  /** A name with at least this many dots is first tried as it is (resolv.conf(5): default 1, max 15). */
  readonly ndots: number;
  /** Time for one server to answer one query (resolv.conf(5): `timeout`, default 5 s, max 30 s). */
  readonly timeoutMs: number;
  /** Rounds over all servers (resolv.conf(5): `attempts`, default 2, max 5). */
  readonly attempts: number;
}

/** glibc's MAXNS: later `nameserver` lines are ignored. */
const MAXNS = 3;

export const resolvConfDefaults: ResolvConf = { nameservers: [], search: [], ndots: 1, timeoutMs: 5000, attempts: 2 };

function option(value: string, max: number): number | undefined {
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? Math.min(n, max) : undefined;
}

/**
 * Parses resolv.conf text as glibc does: unknown keywords and malformed lines are ignored (the
 * system resolver never refuses to start over them, so neither do we); `domain` and `search`
 * replace each other and the last one wins.
 */
export function parseResolvConf(text: string): ResolvConf {
  const nameservers: ServerAddress[] = [];
  let search: string[] = [];
  let { ndots, timeoutMs, attempts } = resolvConfDefaults;
  for (const rawLine of text.split('\n')) {
    const words = rawLine.replace(/[#;].*$/, '').trim().split(/\s+/);
    const [keyword, ...args] = words;
    if (keyword === 'nameserver' && args[0] !== undefined) {
      if (nameservers.length < MAXNS && isIP(args[0].replace(/%.*$/, '')) !== 0) nameservers.push({ address: args[0], port: 53 });
    } else if ((keyword === 'search' || keyword === 'domain') && args.length > 0) {
      search = args.map((d) => d.replace(/\.$/, '').toLowerCase()).filter((d) => d.length > 0);
    } else if (keyword === 'options') {
      for (const arg of args) {
        const [name, value = ''] = arg.split(':');
        if (name === 'ndots') ndots = option(value, 15) ?? ndots;
        else if (name === 'timeout') timeoutMs = (option(value, 30) ?? timeoutMs / 1000) * 1000;
        else if (name === 'attempts') attempts = Math.max(1, option(value, 5) ?? attempts);
      }
    }
  }
  return { nameservers, search, ndots, timeoutMs, attempts };
}
