import dns from 'node:dns';

/**
 * dns.lookup's options, validated as Node validates them (lib/dns.js lookup), decoded into one
 * small integer so that the cached path allocates nothing.
 *
 * | bits | meaning |
 * |---|---|
 * | 0–3 | family: 0, 4 or 6 |
 * | 4 | `all` |
 * | 5 | IPv6 first (`order: 'ipv6first'`); otherwise IPv4 first, which is also our `verbatim` |
 * | 6 | hint V4MAPPED (family 6 with no IPv6 address answers IPv4-mapped addresses) |
 */
export type DecodedLookupOptions = number;

export const FAMILY_MASK = 0b1111;
export const ALL = 1 << 4;
export const IPV6_FIRST = 1 << 5;
export const V4MAPPED = 1 << 6;

/** Node's own argument errors carry these codes; callers test `err.code`. */
function argError(code: 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE', message: string): TypeError {
  const error = new TypeError(message) as TypeError & { code: string };
  error.code = code;
  return error;
}

function familyOf(value: unknown, what: string): number {
  if (value === 'IPv4') return 4;
  if (value === 'IPv6') return 6;
  if (value === 0 || value === 4 || value === 6) return value;
  throw argError('ERR_INVALID_ARG_VALUE', `The argument '${what}' must be one of: 0, 4, 6. Received ${String(value)}`);
}

function booleanOf(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') throw argError('ERR_INVALID_ARG_TYPE', `The "${what}" property must be of type boolean`);
  return value;
}

const validHints = dns.ADDRCONFIG | dns.V4MAPPED | (dns.ALL ?? 0);

function orderIsIpv6First(order: unknown): boolean {
  if (order === 'ipv6first') return true;
  if (order === 'ipv4first' || order === 'verbatim') return false;
  throw argError('ERR_INVALID_ARG_VALUE', `The property 'options.order' must be one of: 'verbatim', 'ipv4first', 'ipv6first'. Received ${String(order)}`);
}

function defaultIsIpv6First(): boolean {
  // getDefaultResultOrder exists from Node 20.1; 'ipv6first' from 22.1.
  return (dns.getDefaultResultOrder?.() as string | undefined) === 'ipv6first';
}

interface LookupOptionsLike {
  family?: unknown;
  hints?: unknown;
  all?: unknown;
  verbatim?: unknown;
  order?: unknown;
}

/**
 * Validates `(hostname, options, callback)` as dns.lookup does and returns the decoded options.
 * `options` is a family number, an options object, or undefined. Throws synchronously, as Node.
 */
export function decodeLookupOptions(hostname: unknown, options: unknown, callback: unknown): DecodedLookupOptions {
  if (hostname && typeof hostname !== 'string') {
    throw argError('ERR_INVALID_ARG_TYPE', `The "hostname" argument must be of type string. Received ${typeof hostname}`);
  }
  if (typeof callback !== 'function') throw argError('ERR_INVALID_ARG_TYPE', 'The "callback" argument must be of type function');
  if (options === undefined || options === null) return defaultIsIpv6First() ? IPV6_FIRST : 0;
  if (typeof options === 'number') return familyOf(options, 'family') | (defaultIsIpv6First() ? IPV6_FIRST : 0);
  if (typeof options !== 'object') {
    throw argError('ERR_INVALID_ARG_TYPE', 'The "options" argument must be one of type integer or an instance of Object');
  }
  const o = options as LookupOptionsLike;
  let decoded = 0;
  if (o.hints != null) {
    if (typeof o.hints !== 'number') throw argError('ERR_INVALID_ARG_TYPE', 'The "options.hints" property must be of type number');
    const hints = o.hints >>> 0;
    if ((hints & ~validHints) !== 0) throw argError('ERR_INVALID_ARG_VALUE', `The argument 'hints' is invalid. Received ${hints}`);
    // ADDRCONFIG and ALL only make sense to getaddrinfo on the host's interfaces; like a
    // resolver on a server with both families configured, we ignore them.
    if ((hints & dns.V4MAPPED) !== 0) decoded |= V4MAPPED;
  }
  if (o.family != null) decoded |= familyOf(o.family, 'options.family');
  if (o.all != null && booleanOf(o.all, 'options.all')) decoded |= ALL;
  // Node reads `verbatim` first and lets `order` override it.
  let ipv6First = defaultIsIpv6First();
  if (o.verbatim != null) {
    // verbatim: true keeps the answer order (ours: A answers, then AAAA); false is ipv4first.
    booleanOf(o.verbatim, 'options.verbatim');
    ipv6First = false;
  }
  if (o.order != null) ipv6First = orderIsIpv6First(o.order);
  return ipv6First ? decoded | IPV6_FIRST : decoded;
}
