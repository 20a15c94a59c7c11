/**
 * Why a name has no addresses right now, as a value (CONVENTIONS rule 6).
 *
 * `nodata` and `nxdomain` are answers from the authority (RFC 2308 §1: NOERROR with no records
 * of the type, and "the name does not exist"); the other four say the authority could not be
 * asked or would not say. The resolver treats all six the same way when it holds a last known
 * good answer — that is the point of this library — but reports them with different codes, as
 * dns.lookup and dns.resolve do.
 */
export type FailureKind = 'nodata' | 'nxdomain' | 'servfail' | 'refused' | 'timeout' | 'unreachable';

export interface Failure {
  readonly kind: FailureKind;
  /** How long RFC 2308 lets this answer be cached (SOA minimum), when the authority said. */
  readonly negativeTtlSeconds: number | undefined;
}

/** True when the authority answered "no" rather than failing to answer. */
export function isNegativeAnswer(kind: FailureKind): boolean {
  return kind === 'nodata' || kind === 'nxdomain';
}
