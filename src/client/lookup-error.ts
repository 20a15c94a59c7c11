import { getSystemErrorMap } from 'node:util';
import type { FailureKind } from './failure.js';

/**
 * Errors shaped exactly as Node's dns module shapes them (lib/internal/errors.js dnsException),
 * so code written against dns.lookup and dns.resolve — `err.code === 'ENOTFOUND'` — keeps working.
 */
export interface DnsError extends Error {
  errno: number | undefined;
  code: string;
  syscall: string;
  hostname: string;
}

function errnoOf(name: string): number | undefined {
  for (const [errno, [errName]] of getSystemErrorMap()) if (errName === name) return errno;
  return undefined;
}

/** libuv numbers: getaddrinfo reports "no such name" and "no address" as EAI_NONAME/EAI_NODATA. */
const EAI_NONAME = errnoOf('EAI_NONAME');
const EAI_AGAIN = errnoOf('EAI_AGAIN');

function dnsError(code: string, errno: number | undefined, syscall: string, hostname: string): DnsError {
  const error = new Error(`${syscall} ${code}${hostname ? ` ${hostname}` : ''}`) as DnsError;
  error.errno = errno;
  error.code = code;
  error.syscall = syscall;
  error.hostname = hostname;
  return error;
}

/**
 * What dns.lookup reports: getaddrinfo turns NXDOMAIN and NODATA into EAI_NONAME/EAI_NODATA,
 * which Node names ENOTFOUND; a server that fails or does not answer is EAI_AGAIN.
 */
export function lookupError(kind: FailureKind | 'family', hostname: string): DnsError {
  if (kind === 'nodata' || kind === 'nxdomain' || kind === 'family') {
    return dnsError('ENOTFOUND', EAI_NONAME, 'getaddrinfo', hostname);
  }
  return dnsError('EAI_AGAIN', EAI_AGAIN, 'getaddrinfo', hostname);
}

const resolveCodes: Record<FailureKind, string> = {
  nodata: 'ENODATA',
  nxdomain: 'ENOTFOUND',
  servfail: 'ESERVFAIL',
  refused: 'EREFUSED',
  timeout: 'ETIMEOUT',
  unreachable: 'ECONNREFUSED',
};

/** What dns.promises.Resolver#resolve4 reports (c-ares codes, syscall `queryA`/`queryAaaa`). */
export function resolveError(kind: FailureKind, rrtype: 'A' | 'AAAA', hostname: string): DnsError {
  return dnsError(resolveCodes[kind], undefined, rrtype === 'A' ? 'queryA' : 'queryAaaa', hostname);
}
