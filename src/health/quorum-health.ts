import type { CheckerReport } from './checker.js';

/** A target's state as the planner sees it: the quorum of its checkers' verdicts. */
export interface TargetVerdict {
  /** `unknown`: too few fresh checkers agree (no quorum); the planner keeps the previous state. */
  readonly state: 'up' | 'down' | 'unknown';
  /** Down by a quorum with no fresh checker saying up: exempt from the velocity limit. */
  readonly isConfirmedDown: boolean;
  /** When the quorum was reached: the time the quorum-th agreeing checker moved. */
  readonly sinceMs: number;
  /** The agreeing checkers' last detail, e.g. `status 503`. */
  readonly detail: string;
  readonly upVotes: number;
  readonly downVotes: number;
  /** Fresh checkers (heartbeat within staleAfterMs). */
  readonly reporting: number;
}

/** Verdicts by target key; a key that no checker reports is absent. */
export type HealthView = ReadonlyMap<string, TargetVerdict>;

/**
 * Combines several checkers' reports (one per checker process) into one verdict per target.
 *
 * | fresh votes | verdict |
 * |---|---|
 * | up ≥ quorum | up (up wins a tie: with too low a quorum, fail open rather than drain) |
 * | down ≥ quorum | down; confirmed when no fresh checker says up |
 * | otherwise | unknown: the planner keeps the previous state, never guesses |
 *
 * A checker whose heartbeat is older than staleAfterMs is not counted at all: a checker that
 * stops reporting must not keep a target up (or down) on a vote it no longer casts.
 */
export function quorumHealth(
  reports: readonly CheckerReport[],
  settings: { readonly quorum: number; readonly staleAfterMs: number },
  nowMs: number,
): HealthView {
  const fresh = reports.filter((r) => nowMs - r.heartbeatMs <= settings.staleAfterMs);
  const keys = new Set<string>();
  for (const report of fresh) for (const key of report.states.keys()) keys.add(key);
  const view = new Map<string, TargetVerdict>();
  for (const key of keys) {
    const up: { sinceMs: number; detail: string }[] = [];
    const down: { sinceMs: number; detail: string }[] = [];
    for (const report of fresh) {
      const state = report.states.get(key);
      if (state?.state === 'up') up.push(state);
      else if (state?.state === 'down') down.push(state);
    }
    const base = { upVotes: up.length, downVotes: down.length, reporting: fresh.length };
    const agreeing = up.length >= settings.quorum ? up : down.length >= settings.quorum ? down : undefined;
    if (agreeing === undefined) {
      view.set(key, { ...base, state: 'unknown', isConfirmedDown: false, sinceMs: 0, detail: `no quorum: ${up.length} up, ${down.length} down of ${fresh.length} reporting, ${settings.quorum} needed` });
      continue;
    }
    const sorted = [...agreeing].sort((a, b) => a.sinceMs - b.sinceMs);
    const isUp = agreeing === up;
    view.set(key, {
      ...base,
      state: isUp ? 'up' : 'down',
      isConfirmedDown: !isUp && up.length === 0,
      sinceMs: sorted[settings.quorum - 1].sinceMs,
      detail: sorted[sorted.length - 1].detail,
    });
  }
  return view;
}
