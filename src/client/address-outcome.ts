import type { Failure } from './failure.js';

/** The outcome of asking the servers for one name and one type (A or AAAA), as a value. */
export type AddressOutcome =
  | { readonly kind: 'addresses'; readonly addresses: readonly string[]; readonly ttlSeconds: number; readonly qname: string }
  | Failure;

/** Asks the configured servers for `qname`'s records of `rrtype`. Never rejects. */
export type AskServers = (qname: string, rrtype: 'A' | 'AAAA', signal: AbortSignal) => Promise<AddressOutcome>;
