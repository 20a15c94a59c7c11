/** What one probe found. Failures are values, not errors: a down target is normal news. */
export interface ProbeResult {
  readonly isUp: boolean;
  /** Why, in a few words, for reasons and the dashboard: `status 503`, `connect ECONNREFUSED`. */
  readonly detail: string;
}

/**
 * One target's active check, ready to run: what to probe (the target key) and how often.
 * `probe` must settle soon after `signal` aborts; the checker aborts it at the timeout.
 */
export interface Check {
  readonly key: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly rise: number;
  readonly fall: number;
  probe(signal: AbortSignal): Promise<ProbeResult>;
}
