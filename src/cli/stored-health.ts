/**
 * The planner's health when no checker runs in its own process: every checker records its
 * transitions and heartbeats in the store (health-loop.ts), and this rebuilds each checker's
 * last verdict per target from them, then takes the quorum (health/quorum-health.ts).
 *
 * Limit: the newest HISTORY_MAX transitions are read; a target whose last transition is older
 * reads as unknown, which the planner treats as "keep the previous state", never as down.
 */
import type { Clock } from '../base/clock.js';
import type { HealthSettings } from '../config/config.js';
import type { CheckerReport } from '../health/checker.js';
import { quorumHealth, type HealthView } from '../health/quorum-health.js';
import type { TargetState } from '../health/target-state.js';
import type { Store } from '../store/store.js';

const HISTORY_MAX = 100_000;

/** Throws the store's ERR_STORE_UNAVAILABLE: the planner's step fails and is retried. */
export async function storedHealth(store: Store, settings: HealthSettings, clock: Clock): Promise<HealthView> {
  const [heartbeats, transitions] = await Promise.all([store.listCheckerHeartbeats(), store.readHealthTransitions({ sinceMs: 0, limit: HISTORY_MAX })]);
  if (heartbeats.kind === 'unavailable') throw heartbeats.cause;
  if (transitions.kind === 'unavailable') throw transitions.cause;
  const states = new Map<string, Map<string, TargetState>>();
  for (const t of transitions.items) {
    let byTarget = states.get(t.checkerId);
    if (byTarget === undefined) states.set(t.checkerId, (byTarget = new Map()));
    // Oldest first: the last one per target wins.
    byTarget.set(t.target, { state: t.to, sinceMs: t.atMs, detail: t.detail, streak: 0, isLastUp: t.to === 'up' });
  }
  const reports: CheckerReport[] = heartbeats.items.map((h) => ({ checkerId: h.checkerId, heartbeatMs: h.atMs, states: states.get(h.checkerId) ?? new Map() }));
  return quorumHealth(reports, settings, clock.nowMs());
}
