/**
 * A campaign: seeds `from` … `from + count - 1`, split over `jobs` worker threads (seed k goes to
 * worker k mod jobs), until one seed violates an invariant (the lowest such seed found is
 * reported) or every seed passed. Each seed is independent and deterministic, so a violation
 * found here is replayed exactly by `resolute sim --seed S --trace`.
 */
import { Worker } from 'node:worker_threads';
import type { Invariant } from './invariants.js';
import type { PlantedBug } from './sim-roles.js';
import { runSeed, type SeedResult, type SimMode } from './sim-world.js';

export interface CampaignOptions {
  readonly from: number;
  readonly count: number;
  readonly mode: SimMode;
  readonly plant?: PlantedBug;
  /** Only a violation of this invariant counts (e.g. never-empty for the naive stack). */
  readonly invariant?: Invariant;
  readonly jobs: number;
}

export interface CampaignResult {
  /** Seeds run to their end (or to their violation). */
  readonly seeds: number;
  readonly steps: number;
  readonly elapsedMs: number;
  /** The lowest violating seed found, if any. */
  readonly failed: SeedResult | undefined;
}

/** What a worker is asked, and answers per seed. */
export interface StripeRequest extends CampaignOptions {
  readonly worker: number;
}
export type StripeMessage = { readonly kind: 'seed'; readonly result: SeedResult } | { readonly kind: 'done' };

export function isCounted(result: SeedResult, invariant: Invariant | undefined): boolean {
  return result.violations.some((v) => invariant === undefined || v.invariant === invariant);
}

/** Runs the seeds of one stripe in this thread, reporting each; stops at its first counted violation. */
export async function runStripe(request: StripeRequest, report: (result: SeedResult) => boolean): Promise<void> {
  for (let seed = request.from + request.worker; seed < request.from + request.count; seed += request.jobs) {
    const result = await runSeed({ seed, mode: request.mode, ...(request.plant === undefined ? {} : { plant: request.plant }) });
    if (!report(result) || isCounted(result, request.invariant)) return;
  }
}

export async function runCampaign(options: CampaignOptions, clockMs: () => number): Promise<CampaignResult> {
  const startMs = clockMs();
  let seeds = 0;
  let steps = 0;
  let failed: SeedResult | undefined;
  const onResult = (result: SeedResult): boolean => {
    seeds++;
    steps += result.steps;
    if (isCounted(result, options.invariant) && (failed === undefined || result.seed < failed.seed)) failed = result;
    return failed === undefined;
  };
  if (options.jobs <= 1) {
    await runStripe({ ...options, jobs: 1, worker: 0 }, onResult);
  } else {
    await Promise.all(Array.from({ length: options.jobs }, (_, worker) => runWorker({ ...options, worker }, onResult)));
  }
  return { seeds, steps, elapsedMs: clockMs() - startMs, failed };
}

function runWorker(request: StripeRequest, onResult: (result: SeedResult) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./seed-worker.js', import.meta.url), { workerData: request });
    worker.on('message', (message: StripeMessage) => {
      if (message.kind === 'seed' && !onResult(message.result)) void worker.terminate();
    });
    worker.on('error', reject);
    worker.on('exit', () => resolve());
  });
}
