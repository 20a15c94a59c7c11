import type { AddressOutcome, AskServers } from './address-outcome.js';
import { makeAnswer, type Answer } from './answer.js';
import { isNegativeAnswer, type Failure } from './failure.js';

export type NameOutcome = { readonly kind: 'answer'; readonly answer: Answer } | { readonly kind: 'failure'; readonly failure: Failure };

export interface SearchConfig {
  readonly search: readonly string[];
  readonly ndots: number;
}

/**
 * The names to ask for `name`, in order, as resolv.conf(5) says: an absolute name (trailing
 * dot) is asked as it is; a name with at least `ndots` dots is asked as it is first, then with
 * each search domain; a shorter one with each search domain first, then as it is.
 */
export function candidateNames(name: string, config: SearchConfig): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const searched = config.search.map((domain) => `${name}.${domain}`);
  const dots = name.split('.').length - 1;
  return dots >= config.ndots ? [name, ...searched] : [...searched, name];
}

function combine(a: AddressOutcome, aaaa: AddressOutcome, qname: string): NameOutcome {
  const v4 = a.kind === 'addresses' ? a.addresses : [];
  const v6 = aaaa.kind === 'addresses' ? aaaa.addresses : [];
  if (v4.length > 0 || v6.length > 0) {
    const ttls = [a, aaaa].flatMap((o) => (o.kind === 'addresses' && o.addresses.length > 0 ? [o.ttlSeconds] : []));
    const answered = a.kind === 'addresses' && a.addresses.length > 0 ? a.qname : aaaa.kind === 'addresses' ? aaaa.qname : qname;
    return { kind: 'answer', answer: makeAnswer(v4, v6, Math.min(...ttls), 'dns', answered) };
  }
  return { kind: 'failure', failure: worse(asFailure(a), asFailure(aaaa)) };
}

function asFailure(outcome: AddressOutcome): Failure {
  return outcome.kind === 'addresses' ? { kind: 'nodata', negativeTtlSeconds: outcome.ttlSeconds } : outcome;
}

/**
 * Which of two failures to report: "could not ask" outranks "the authority said no", as
 * getaddrinfo reports EAI_AGAIN when any server failed; NXDOMAIN outranks NODATA.
 */
function worse(a: Failure, b: Failure): Failure {
  if (!isNegativeAnswer(a.kind)) return a;
  if (!isNegativeAnswer(b.kind)) return b;
  const kind = a.kind === 'nxdomain' || b.kind === 'nxdomain' ? 'nxdomain' : 'nodata';
  const ttls = [a.negativeTtlSeconds, b.negativeTtlSeconds].filter((t): t is number => t !== undefined);
  return { kind, negativeTtlSeconds: ttls.length === 0 ? undefined : Math.min(...ttls) };
}

/**
 * Asks for A and AAAA of each candidate name at once, as getaddrinfo with AF_UNSPEC does; the
 * first candidate with any address wins. Never rejects.
 */
export async function resolveName(name: string, config: SearchConfig, ask: AskServers, signal: AbortSignal): Promise<NameOutcome> {
  let failure: Failure | undefined;
  for (const qname of candidateNames(name, config)) {
    const [a, aaaa] = await Promise.all([ask(qname, 'A', signal), ask(qname, 'AAAA', signal)]);
    const outcome = combine(a, aaaa, qname);
    if (outcome.kind === 'answer') return outcome;
    // Keep the first "could not ask": a failing server must not be reported as "no such name".
    if (failure === undefined || isNegativeAnswer(failure.kind)) failure = outcome.failure;
  }
  return { kind: 'failure', failure: failure ?? { kind: 'nxdomain', negativeTtlSeconds: undefined } };
}
