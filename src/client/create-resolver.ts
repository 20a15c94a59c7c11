/**
 * createResolver: a dns.lookup-compatible resolver that keeps the last known good answer.
 *
 * A lookup takes these steps:
 *  1. cached path: the caller's hostname → its NameState; a fresh answer, or a stale one while
 *     the name is stale, is delivered at once (no promise, no allocation but the result);
 *  2. IP literals and the empty name are answered as dns.lookup answers them;
 *  3. otherwise the caller waits on the name: one refresh per name at a time (/etc/hosts first,
 *     then DNS through the search list), and every waiter gets what it settles to;
 *  4. a name with no answer at all tries its alternates, then fails as dns.lookup fails.
 *
 * How a refresh settles a name (the state table):
 *
 * | refresh gives | the name had a good answer, inside staleMsMax past its TTL | it had none (or the window ended) |
 * |---|---|---|
 * | addresses | fresh answer replaces it; stale ends; re-asks stop | fresh answer |
 * | NODATA, NXDOMAIN, SERVFAIL, REFUSED, timeout, unreachable | serve it stale (event + counter); re-ask in the background with backoff | negative answer cached briefly (RFC 2308); alternates; the error |
 * | nothing yet after staleAnswerAfterMs | waiters get it stale (RFC 8767 §5 client response timer) | waiters keep waiting |
 */
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import type { LookupAddress, LookupAllOptions, LookupOneOptions, LookupOptions } from 'node:dns';
import { ResoluteError } from '../base/errors.js';
import { channels } from '../base/events.js';
import type { AskServers } from './address-outcome.js';
import { addressesOf, makeAnswer, sameAddresses, type Answer } from './answer.js';
import { backoffMs } from './backoff-ms.js';
import { ConnectPenalties, type ConnectOutcome } from './connect-penalties.js';
import type { Failure } from './failure.js';
import type { HostsTable } from './hosts-file.js';
import { LastKnownGoodFile, type StoredAnswer } from './last-known-good-file.js';
import { ALL, FAMILY_MASK, IPV6_FIRST, V4MAPPED, decodeLookupOptions, type DecodedLookupOptions } from './lookup-options.js';
import { lookupError, resolveError, type DnsError } from './lookup-error.js';
import { NameState, type Served, type Waiter } from './name-state.js';
import { resolveName, type NameOutcome } from './resolve-name.js';
import { readHosts, resolveOptions, type ResolvedOptions, type ResolverOptions } from './resolver-options.js';
import { queryServers } from './query-servers.js';

type LookupOneCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;
type LookupAllCallback = (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;

/** dns.lookup's overloads (@types/node), so the function fits `net`, `http`, `tls` and undici. */
export interface DnsLookup {
  (hostname: string, family: number, callback: LookupOneCallback): void;
  (hostname: string, options: LookupOneOptions, callback: LookupOneCallback): void;
  (hostname: string, options: LookupAllOptions, callback: LookupAllCallback): void;
  (hostname: string, options: LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family: number) => void): void;
  (hostname: string, callback: LookupOneCallback): void;
}

/** An address with the seconds it may still be used, like dns.resolve4(name, { ttl: true }). */
export interface ResolvedAddress {
  readonly address: string;
  readonly ttl: number;
}

/** Live counts since the resolver was created. Read them; never write them. */
export interface ResolverCounters {
  /** Lookups answered from memory with a fresh answer. */
  cacheHits: number;
  /** DNS questions sent (one per name, type and search candidate; retries not counted). */
  dnsQueries: number;
  /** Answers served from last known good (each also published on `resolute:client:stale`). */
  staleAnswers: number;
  /** Answers served with an alternate name's addresses (`resolute:client:alternate`). */
  alternateAnswers: number;
  /** Stale names that got addresses again. */
  recoveries: number;
  /** Lookups and resolves that ended in an error. */
  failures: number;
  /** Connect attempts reported as refused or timed out. */
  connectFailures: number;
  persistWrites: number;
  persistErrors: number;
}

export interface Resolver {
  /** dns.lookup, same signature, results and error codes. Pass it as `lookup` to net/http/tls/undici. */
  readonly lookup: DnsLookup;
  /** The name's addresses of one type with their remaining TTL (stale answers report staleTtlSeconds). */
  resolve(hostname: string, rrtype?: 'A' | 'AAAA'): Promise<ResolvedAddress[]>;
  /** Tells the resolver how connecting to an address went; refused or timed-out ones go last. */
  reportConnect(address: string, outcome: ConnectOutcome): void;
  readonly counters: Readonly<ResolverCounters>;
  /** Stops background re-asks and in-flight queries; waits for the last-known-good file. */
  close(): Promise<void>;
}

const EMPTY: readonly string[] = Object.freeze([]);

function familyOf(address: string): 4 | 6 {
  return address.includes(':') ? 6 : 4;
}

/** RFC 4291 §2.5.5.2 IPv4-mapped addresses, for family 6 with the V4MAPPED hint. */
function mapped(v4: readonly string[]): string[] {
  return v4.map((a) => `::ffff:${a}`);
}

export function createResolver(options: ResolverOptions = {}): Resolver {
  const config = resolveOptions(options);
  const { clock } = config;
  const counters: ResolverCounters = {
    cacheHits: 0, dnsQueries: 0, staleAnswers: 0, alternateAnswers: 0, recoveries: 0,
    failures: 0, connectFailures: 0, persistWrites: 0, persistErrors: 0,
  };
  const penalties = new ConnectPenalties(clock, config.connectPenaltyMs);
  /** The caller's hostname as written, and its lower-case form → the name's state. */
  const states = new Map<string, NameState>();
  const aborter = new AbortController();
  let isClosed = false;
  let hosts: HostsTable = readHosts(config.hostsPath);
  let hostsReadAtMs = clock.monotonicMs();
  const ask = countingAsk(queryServers(config), counters);
  const persisted = new Map<string, StoredAnswer>();
  const file = config.persistPath === undefined ? undefined : new LastKnownGoodFile(config.persistPath, config.random, (error) => {
    if (error === undefined) counters.persistWrites++;
    else counters.persistErrors++;
  });
  if (file !== undefined) loadFile(file);

  // --- 1. the cached path ---------------------------------------------------------------------

  function lookup(hostname: string, options: unknown, callback?: unknown): void {
    if (typeof options === 'function') {
      callback = options;
      options = undefined;
    }
    const decoded = decodeLookupOptions(hostname, options, callback);
    const state = states.get(hostname);
    if (state !== undefined) {
      const answer = state.answer;
      if (answer !== undefined) {
        const now = clock.monotonicMs();
        if (now < state.freshUntilMs) {
          counters.cacheHits++;
          deliverLookup(answer, decoded, hostname, callback as LookupOneCallback);
          return;
        }
        if (state.isStale && now < state.staleUntilMs) {
          noteStale(state, hostname, now);
          deliverLookup(answer, decoded, hostname, callback as LookupOneCallback);
          return;
        }
      }
    }
    lookupSlow(hostname, decoded, callback as LookupOneCallback);
  }

  function deliverLookup(answer: Answer, decoded: DecodedLookupOptions, hostname: string, callback: LookupOneCallback): void {
    const family = decoded & FAMILY_MASK;
    let first = answer.v4;
    let second = answer.v6;
    if (family === 4) second = EMPTY;
    else if (family === 6) [first, second] = [answer.v6, answer.v6.length === 0 && (decoded & V4MAPPED) !== 0 ? mapped(answer.v4) : EMPTY];
    else if ((decoded & IPV6_FIRST) !== 0) [first, second] = [answer.v6, answer.v4];
    if ((decoded & ALL) === 0) {
      const address = penalties.isEmpty ? (first.length > 0 ? first[0] : second[0]) : penalties.pick([...first, ...second]);
      if (address === undefined) failLookup(hostname, 'family', callback);
      else process.nextTick(callback, null, address, familyOf(address));
      return;
    }
    const ordered = penalties.isEmpty ? [...first, ...second] : penalties.order([...first, ...second]);
    if (ordered.length === 0) failLookup(hostname, 'family', callback);
    else process.nextTick(callback as unknown as LookupAllCallback, null, ordered.map((address) => ({ address, family: familyOf(address) })));
  }

  function failLookup(hostname: string, kind: Failure['kind'] | 'family', callback: LookupOneCallback): void {
    counters.failures++;
    process.nextTick(callback, lookupError(kind, hostname));
  }

  function noteStale(state: NameState, hostname: string, now: number): void {
    counters.staleAnswers++;
    if (channels.clientStale.hasSubscribers && state.answer !== undefined) {
      channels.clientStale.publish({ hostname, addresses: addressesOf(state.answer), reason: state.staleReason, staleForMs: now - state.freshUntilMs });
    }
  }

  // --- 2. literals, 3. waiting on the name ------------------------------------------------------

  function lookupSlow(hostname: string, decoded: DecodedLookupOptions, callback: LookupOneCallback): void {
    const all = (decoded & ALL) !== 0;
    if (!hostname) {
      // dns.lookup answers a falsy hostname with no address rather than an error (lib/dns.js).
      if (all) process.nextTick(callback as unknown as LookupAllCallback, null, []);
      else process.nextTick(callback, null, null as unknown as string, (decoded & FAMILY_MASK) === 6 ? 6 : 4);
      return;
    }
    const literal = isIP(hostname);
    if (literal !== 0) {
      if (all) process.nextTick(callback as unknown as LookupAllCallback, null, [{ address: hostname, family: literal }]);
      else process.nextTick(callback, null, hostname, literal);
      return;
    }
    obtain(stateFor(hostname), true, (served) => {
      if (served.kind === 'failure') failLookup(hostname, served.failure.kind, callback);
      else if (served.kind === 'closed') process.nextTick(callback, closedError(hostname));
      else deliverLookup(served.answer, decoded, hostname, callback);
    });
  }

  function stateFor(hostname: string): NameState {
    let state = states.get(hostname);
    if (state !== undefined) return state;
    const name = hostname.toLowerCase();
    state = states.get(name);
    if (state === undefined) {
      evictIfFull();
      state = new NameState(name);
      states.set(name, state);
    }
    if (hostname !== name) states.set(hostname, state);
    return state;
  }

  /** Drops the oldest names that hold nothing worth keeping (no stale answer, no one waiting). */
  function evictIfFull(): void {
    if (states.size < config.maxNames) return;
    for (const [key, state] of states) {
      if (states.size < config.maxNames * 0.9) break;
      if (!state.isRefreshing && !state.isStale && state.cancelReask === undefined && !persisted.has(state.name)) states.delete(key);
    }
  }

  function obtain(state: NameState, mayUseAlternates: boolean, deliver: (served: Served) => void): void {
    const now = clock.monotonicMs();
    if (state.answer !== undefined && now < state.freshUntilMs) return deliver({ kind: 'fresh', answer: state.answer, state });
    if (state.answer !== undefined && state.isStale && now < state.staleUntilMs) {
      noteStale(state, state.name, now);
      return deliver({ kind: 'stale', answer: state.answer, state });
    }
    if (state.failure !== undefined && now < state.failureUntilMs) return failed(state, state.failure, mayUseAlternates, deliver);
    if (isClosed) return deliver({ kind: 'closed' });
    state.waiters.push({ mayUseAlternates, deliver });
    if (!state.isRefreshing) refresh(state);
    if (state.isStaleEligible(now) && state.cancelResponseTimer === undefined) armResponseTimer(state);
  }

  /** RFC 8767 §5: a client should not wait longer than the client response timer for stale data. */
  function armResponseTimer(state: NameState): void {
    state.cancelResponseTimer = clock.after(config.staleAnswerAfterMs, () => {
      state.cancelResponseTimer = undefined;
      if (!state.isRefreshing || !state.isStaleEligible(clock.monotonicMs())) return;
      // Stale from now on until the refresh settles, so later callers do not wait again.
      state.isStale = true;
      state.staleReason = 'pending';
      flush(state, (waiter) => serveStale(state, waiter));
    });
  }

  function refresh(state: NameState): void {
    state.isRefreshing = true;
    refreshOutcome(state.name).then(
      (outcome) => settle(state, outcome),
      // resolveName returns failures as values; this only keeps a bug from wedging the name.
      () => settle(state, { kind: 'failure', failure: { kind: 'servfail', negativeTtlSeconds: undefined } }),
    );
  }

  async function refreshOutcome(name: string): Promise<NameOutcome> {
    const fromHosts = hostsAnswer(name);
    if (fromHosts !== undefined) return { kind: 'answer', answer: fromHosts };
    return resolveName(name, config, ask, aborter.signal);
  }

  function hostsAnswer(name: string): Answer | undefined {
    const now = clock.monotonicMs();
    if (now - hostsReadAtMs >= config.hostsTtlMs) [hosts, hostsReadAtMs] = [readHosts(config.hostsPath), now];
    const entry = hosts.get(name.replace(/\.$/, ''));
    return entry === undefined ? undefined : makeAnswer(entry.v4, entry.v6, config.hostsTtlMs / 1000, 'hosts', name);
  }

  // --- the state table ----------------------------------------------------------------------------

  function settle(state: NameState, outcome: NameOutcome): void {
    state.isRefreshing = false;
    state.cancelResponseTimer?.();
    state.cancelResponseTimer = undefined;
    const now = clock.monotonicMs();
    if (outcome.kind === 'answer') return settleAnswer(state, outcome.answer, now);
    const { failure } = outcome;
    if (state.isStaleEligible(now)) {
      state.isStale = true;
      state.staleReason = failure.kind;
      scheduleReask(state);
      return flush(state, (waiter) => serveStale(state, waiter));
    }
    state.answer = undefined;
    state.isStale = false;
    state.failure = failure;
    const negativeMs = failure.negativeTtlSeconds === undefined ? 1000 : failure.negativeTtlSeconds * 1000;
    state.failureUntilMs = now + Math.min(negativeMs, config.negativeTtlMsMax);
    flush(state, (waiter) => failed(state, failure, waiter.mayUseAlternates, waiter.deliver));
  }

  function settleAnswer(state: NameState, answer: Answer, now: number): void {
    if (state.isStale) counters.recoveries++;
    state.answer = answer;
    state.freshUntilMs = now + Math.min(answer.ttlSeconds, config.maxTtlSeconds) * 1000;
    state.staleUntilMs = state.freshUntilMs + config.staleMsMax;
    state.isStale = false;
    state.failure = undefined;
    state.reaskAttempt = 0;
    state.cancelReask?.();
    state.cancelReask = undefined;
    if (answer.source === 'dns') persist(state.name, answer);
    flush(state, (waiter) => waiter.deliver({ kind: 'fresh', answer, state }));
  }

  function serveStale(state: NameState, waiter: Waiter): void {
    const answer = state.answer;
    if (answer === undefined) return waiter.deliver({ kind: 'failure', failure: { kind: 'timeout', negativeTtlSeconds: undefined } });
    noteStale(state, state.name, clock.monotonicMs());
    waiter.deliver({ kind: 'stale', answer, state });
  }

  function flush(state: NameState, each: (waiter: Waiter) => void): void {
    const waiters = state.waiters;
    state.waiters = [];
    for (const waiter of waiters) each(waiter);
  }

  /**
   * Re-asks a stale name in the background until it answers with addresses or its window ends.
   * RFC 8767 §5 suggests 30 s between attempts; we start at 1 s and back off to 10 s, because
   * the failure we are built for is an authority that answers (cheaply) "nothing", and every
   * second spent not noticing its recovery is a second of possibly old addresses.
   */
  function scheduleReask(state: NameState): void {
    if (state.cancelReask !== undefined || isClosed) return;
    const delay = backoffMs(state.reaskAttempt++, config.reaskBackoff, config.random);
    state.cancelReask = clock.after(delay, () => {
      state.cancelReask = undefined;
      if (!state.isRefreshing && !isClosed) refresh(state);
    });
  }

  // --- 4. alternates ------------------------------------------------------------------------------

  function failed(state: NameState, failure: Failure, mayUseAlternates: boolean, deliver: (served: Served) => void): void {
    const alternates = mayUseAlternates ? config.alternates.get(state.name.replace(/\.$/, '')) : undefined;
    if (alternates === undefined) return deliver({ kind: 'failure', failure });
    const next = (i: number): void => {
      if (i === alternates.length) return deliver({ kind: 'failure', failure });
      // An alternate's own alternates are not followed: failover is one hop, so it cannot loop.
      obtain(stateFor(alternates[i]), false, (served) => {
        if (served.kind !== 'fresh' && served.kind !== 'stale') return next(i + 1);
        counters.alternateAnswers++;
        if (channels.clientAlternate.hasSubscribers) {
          channels.clientAlternate.publish({ hostname: state.name, alternate: alternates[i], addresses: addressesOf(served.answer), reason: failure.kind });
        }
        deliver({ kind: 'alternate', answer: served.answer, state: served.state, alternate: alternates[i], served: served.kind });
      });
    };
    next(0);
  }

  // --- persistence --------------------------------------------------------------------------------

  function persist(name: string, answer: Answer): void {
    if (file === undefined) return;
    const freshUntilWallMs = clock.nowMs() + Math.min(answer.ttlSeconds, config.maxTtlSeconds) * 1000;
    const before = persisted.get(name);
    // Rewrite when the addresses change, or when the file's window would otherwise lag by a minute.
    const isSame = before !== undefined && sameAddresses(makeAnswer(before.v4, before.v6, 0, 'disk', name), answer);
    if (isSame && freshUntilWallMs - before.freshUntilWallMs < 60_000) return;
    persisted.set(name, { v4: answer.v4, v6: answer.v6, ttlSeconds: answer.ttlSeconds, qname: answer.qname, freshUntilWallMs });
    void file.save(new Map(persisted));
  }

  function loadFile(from: LastKnownGoodFile): void {
    const nowWall = clock.nowMs();
    const nowMono = clock.monotonicMs();
    for (const [name, stored] of from.load()) {
      const freshUntilMs = nowMono + (stored.freshUntilWallMs - nowWall);
      if (freshUntilMs + config.staleMsMax <= nowMono) continue;
      const state = stateFor(name);
      state.answer = makeAnswer(stored.v4, stored.v6, stored.ttlSeconds, 'disk', stored.qname);
      state.freshUntilMs = freshUntilMs;
      state.staleUntilMs = freshUntilMs + config.staleMsMax;
      persisted.set(name, stored);
    }
  }

  // --- resolve, reportConnect, close ----------------------------------------------------------

  function resolve(hostname: string, rrtype: 'A' | 'AAAA' = 'A'): Promise<ResolvedAddress[]> {
    if (rrtype !== 'A' && rrtype !== 'AAAA') {
      return Promise.reject(new ResoluteError('ERR_CLIENT_CONFIG', `rrtype must be 'A' or 'AAAA', got ${String(rrtype)}`, { hint: 'resolve() answers addresses only' }));
    }
    const literal = isIP(hostname);
    if (literal !== 0) return Promise.resolve(literal === (rrtype === 'A' ? 4 : 6) ? [{ address: hostname, ttl: 0 }] : []);
    return new Promise((resolvePromise, reject) => {
      obtain(stateFor(hostname), true, (served) => {
        if (served.kind === 'closed') return reject(closedError(hostname));
        if (served.kind === 'failure') {
          counters.failures++;
          return reject(resolveError(served.failure.kind, rrtype, hostname));
        }
        const addresses = rrtype === 'A' ? served.answer.v4 : served.answer.v6;
        if (addresses.length === 0) {
          counters.failures++;
          return reject(resolveError('nodata', rrtype, hostname));
        }
        const ttl = ttlOf(served);
        resolvePromise(addresses.map((address) => ({ address, ttl })));
      });
    });
  }

  function ttlOf(served: Extract<Served, { answer: Answer }>): number {
    const now = clock.monotonicMs();
    const isFresh = served.kind === 'fresh' || (served.kind === 'alternate' && served.served === 'fresh');
    if (isFresh) return Math.max(0, Math.ceil((served.state.freshUntilMs - now) / 1000));
    return Math.max(0, Math.min(config.staleTtlSeconds, Math.floor((served.state.staleUntilMs - now) / 1000)));
  }

  function reportConnect(address: string, outcome: ConnectOutcome): void {
    if (outcome !== 'connected') counters.connectFailures++;
    penalties.report(address, outcome);
  }

  async function close(): Promise<void> {
    isClosed = true;
    aborter.abort(new ResoluteError('ERR_CLIENT_CLOSED', 'the resolver was closed'));
    for (const state of new Set(states.values())) {
      state.cancelReask?.();
      state.cancelReask = undefined;
    }
    await file?.flushed();
  }

  // util.promisify(dns.lookup) resolves to { address, family } (or the array with all: true).
  Object.defineProperty(lookup, promisify.custom, {
    value: (hostname: string, options?: unknown) =>
      new Promise((resolvePromise, reject) => {
        lookup(hostname, options ?? {}, (error: Error | null, address: unknown, family: unknown) => {
          if (error !== null) reject(error);
          else resolvePromise(Array.isArray(address) ? address : { address, family });
        });
      }),
  });

  return { lookup: lookup as DnsLookup, resolve, reportConnect, counters, close };
}

function closedError(hostname: string): ResoluteError {
  return new ResoluteError('ERR_CLIENT_CLOSED', `the resolver was closed; cannot look up ${hostname}`, {
    hint: 'create a new resolver, or look names up before close()',
  });
}

function countingAsk(ask: AskServers, counters: ResolverCounters): AskServers {
  return (qname, rrtype, signal) => {
    counters.dnsQueries++;
    return ask(qname, rrtype, signal);
  };
}

export type { DnsError, ConnectOutcome, ResolvedOptions };
