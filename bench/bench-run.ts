/**
 * What the process-starting benches (failover, apply) share: wall-clock time, quantiles, and
 * the guard that stops their processes on Ctrl-C or when the run overruns its bound.
 */
import { performance } from 'node:perf_hooks';

/** Wall-clock ms at sub-ms resolution (comparable with other processes' Date.now()). */
export const nowMs = (): number => performance.timeOrigin + performance.now();
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
export const round = (ms: number): string => (Number.isFinite(ms) ? ms.toFixed(0) : 'n/a');

/** The q-quantile (nearest rank); NaN for no values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * Runs a bench's `body`, then `cleanup` and the total time, whatever happens: on SIGINT/SIGTERM
 * (exit 130) and once `boundMs` has passed (exit 2) too, so a bench never leaves its servers
 * running. The exit code is 0 when every figure was measured (a target not met is printed, not
 * an exit code) and 2 when the bench itself failed.
 */
export async function runBench(name: string, boundMs: number, cleanup: () => Promise<void>, body: () => Promise<void>): Promise<void> {
  const startMs = nowMs();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`${signal}: stopping the bench's processes`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  const overall = setTimeout(() => {
    console.error(`the bench did not finish within ${boundMs} ms; stopping`);
    void cleanup().finally(() => process.exit(2));
  }, boundMs);
  let exitCode = 0;
  try {
    await body();
  } catch (error) {
    console.error(`${name} failed: ${error instanceof Error ? error.stack : String(error)}`);
    exitCode = 2;
  } finally {
    clearTimeout(overall);
    await cleanup();
    console.log(`total ${round(nowMs() - startMs)} ms`);
  }
  process.exitCode = exitCode;
}
