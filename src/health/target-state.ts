/**
 * One checker's view of one target. `unknown` until `rise` successes or `fall` failures in a
 * row; then up and down move only after `rise` / `fall` consecutive results the other way, so
 * one lost packet does not move traffic (the rise/fall of HAProxy and keepalived).
 */
export interface TargetState {
  readonly state: 'unknown' | 'up' | 'down';
  /** Wall-clock ms of the last transition (or of the first probe, while unknown). */
  readonly sinceMs: number;
  /** The last probe's detail, e.g. `status 503`. */
  readonly detail: string;
  /** Consecutive results that disagree with `state` (for unknown: of the last result's kind). */
  readonly streak: number;
  readonly isLastUp: boolean;
}

export interface Transition {
  readonly target: string;
  readonly from: TargetState['state'];
  readonly to: 'up' | 'down';
  readonly atMs: number;
  readonly detail: string;
}

export const INITIAL_TARGET_STATE: TargetState = Object.freeze({ state: 'unknown', sinceMs: 0, detail: 'not probed yet', streak: 0, isLastUp: false });

/** The state after one probe result, and the transition when it is one. Pure. */
export function nextTargetState(
  current: TargetState,
  result: { readonly isUp: boolean; readonly detail: string },
  nowMs: number,
  thresholds: { readonly rise: number; readonly fall: number },
): { state: TargetState; transition?: { from: TargetState['state']; to: 'up' | 'down' } } {
  const isAgreeing = current.state === (result.isUp ? 'up' : 'down');
  if (isAgreeing) return { state: { ...current, detail: result.detail, streak: 0, isLastUp: result.isUp } };
  const streak = current.isLastUp === result.isUp || current.streak === 0 ? current.streak + 1 : 1;
  const needed = result.isUp ? thresholds.rise : thresholds.fall;
  if (streak >= needed) {
    const to = result.isUp ? 'up' : 'down';
    return { state: { state: to, sinceMs: nowMs, detail: result.detail, streak: 0, isLastUp: result.isUp }, transition: { from: current.state, to } };
  }
  const sinceMs = current.state === 'unknown' && current.sinceMs === 0 ? nowMs : current.sinceMs;
  return { state: { ...current, sinceMs, detail: result.detail, streak, isLastUp: result.isUp } };
}
