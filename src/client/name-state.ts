import type { Answer } from './answer.js';
import type { Failure, FailureKind } from './failure.js';

/** What the resolver has for a name when a caller asks. */
export type Served =
  | { readonly kind: 'fresh'; readonly answer: Answer; readonly state: NameState }
  | { readonly kind: 'stale'; readonly answer: Answer; readonly state: NameState }
  | { readonly kind: 'alternate'; readonly answer: Answer; readonly state: NameState; readonly alternate: string; readonly served: 'fresh' | 'stale' }
  | { readonly kind: 'failure'; readonly failure: Failure }
  | { readonly kind: 'closed' };

export interface Waiter {
  readonly mayUseAlternates: boolean;
  readonly deliver: (served: Served) => void;
}

/**
 * Everything the resolver knows about one name (lower case, as the caller wrote it: a trailing
 * dot makes it absolute). Mutable, but only create-resolver.ts changes it, in the transitions
 * of its state table.
 *
 * `answer` is the last good answer: fresh until `freshUntilMs`, then — only after a refresh
 * failed (`isStale`) — served stale until `staleUntilMs`. Times are monotonic ms.
 */
export class NameState {
  answer: Answer | undefined = undefined;
  freshUntilMs = -Infinity;
  staleUntilMs = -Infinity;
  isStale = false;
  /** Why the last refresh failed, while stale; `pending` when RFC 8767's client response timer fired first. */
  staleReason: FailureKind | 'pending' = 'pending';
  /** The negative answer of a name with no good answer, cached until `failureUntilMs` (RFC 2308). */
  failure: Failure | undefined = undefined;
  failureUntilMs = -Infinity;
  isRefreshing = false;
  waiters: Waiter[] = [];
  reaskAttempt = 0;
  cancelReask: (() => void) | undefined = undefined;
  cancelResponseTimer: (() => void) | undefined = undefined;

  constructor(readonly name: string) {}

  /** Past its TTL but still inside the stale window: may be served when a refresh fails. */
  isStaleEligible(nowMs: number): boolean {
    return this.answer !== undefined && this.answer.source !== 'hosts' && nowMs < this.staleUntilMs;
  }
}
