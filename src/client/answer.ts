/**
 * The addresses of one name, as one snapshot: frozen once built, replaced whole (CONVENTIONS
 * rule 12). Each family keeps the order the authority (or /etc/hosts) gave.
 */
export interface Answer {
  readonly v4: readonly string[];
  readonly v6: readonly string[];
  /** The smaller TTL of the families that have addresses (RFC 2181 §5.2: one TTL per RRset). */
  readonly ttlSeconds: number;
  readonly source: 'dns' | 'hosts' | 'disk';
  /** The name that answered, after the search list and CNAMEs (RFC 1034 §3.6.2). */
  readonly qname: string;
}

export function makeAnswer(v4: readonly string[], v6: readonly string[], ttlSeconds: number, source: Answer['source'], qname: string): Answer {
  return Object.freeze({ v4: Object.freeze([...v4]), v6: Object.freeze([...v6]), ttlSeconds, source, qname });
}

export function addressesOf(answer: Answer): readonly string[] {
  return answer.v4.length === 0 ? answer.v6 : answer.v6.length === 0 ? answer.v4 : [...answer.v4, ...answer.v6];
}

export function sameAddresses(a: Answer, b: Answer): boolean {
  return a.v4.length === b.v4.length && a.v6.length === b.v6.length && a.v4.every((x, i) => x === b.v4[i]) && a.v6.every((x, i) => x === b.v6[i]);
}
