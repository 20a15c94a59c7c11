/**
 * The enactor: applies the newest plan to every provider with a write fenced by generation
 * (DESIGN, "The safety protocol"). Any number run at once, each its own process; they never
 * coordinate, because the provider itself refuses a write whose fence is no longer true.
 *
 * One step:
 * 1. read the newest plan header, and the plan when its generation is new to us; the store
 *    down, or a plan not read whole → do nothing (never "these names are gone");
 * 2. decode it; a newer major schema → refuse, and say so in the heartbeat;
 * 3. for each provider at once (an unreachable one never holds up the others), for each of
 *    its zones for this plan (`zonesFor`: a zone added by a reload included) in turn: enactZone (enact-zone.ts) — fence read from the provider, skip if it
 *    holds this generation, else the fenced write, refusal → drop a superseded plan, record;
 * 4. a provider holding a generation ABOVE the newest plan → publish the newest content again
 *    with `minGeneration` above it, so the next step converges instead of being refused forever;
 * 5. heartbeat with the outcome.
 * `run(signal)` repeats `step()` as soon as a plan is published (the store's watch on the
 * newest-plan header: a commit heard through inotify with SQLite), and at least every
 * `intervalMs` (the fallback when a notification is missed).
 */
import { unreachable } from '../base/assert.js';
import type { ResoluteError } from '../base/errors.js';
import { zoneLabel, type EnactContext, type ZoneKey } from './enact-context.js';
import { enactZone, zoneEnactEnv, type ZoneEnactEnv, type ZoneOutcome } from './enact-zone.js';
import { NewestPlanReader, noPlanStep } from './newest-plan.js';
import type { BackoffOptions } from './provider-backoff.js';
import { republishPlan, type Republished } from './republish-plan.js';

export interface EnactorOptions extends EnactContext {
  /** Pause between steps of `run`. Default 1000. */
  readonly intervalMs?: number;
  /** A provider call that takes longer is reported unavailable (ERR_PROVIDER_TIMEOUT). Default 10,000. */
  readonly providerTimeoutMs?: number;
  readonly backoff?: BackoffOptions;
  /**
   * TEST-ONLY: awaited after the fence of `zone` was read for plan `generation` and before the
   * write — the instant the 2025 enactor was paused. Unset in production (cli never sets it).
   */
  readonly beforeApply?: (zone: ZoneKey, generation: bigint) => Promise<void>;
}

export type EnactorStep =
  | { readonly kind: 'store-unavailable'; readonly cause: ResoluteError }
  | { readonly kind: 'no-plan' }
  /** The newest plan cannot be applied by this release (ERR_PLAN_SCHEMA): nothing is written. */
  | { readonly kind: 'refused'; readonly generation: bigint; readonly cause: ResoluteError }
  | {
      readonly kind: 'enacted';
      readonly generation: bigint;
      readonly zones: readonly ZoneOutcome[];
      /** Step 4: a provider was ahead of the newest plan. */
      readonly jump?: Republished & { readonly above: bigint };
    };

export class Enactor {
  private readonly context: EnactorOptions;
  private readonly reader: NewestPlanReader;
  private readonly env: ZoneEnactEnv;
  private readonly intervalMs: number;

  constructor(options: EnactorOptions) {
    this.context = options;
    this.intervalMs = options.intervalMs ?? 1000;
    this.reader = new NewestPlanReader(options.store, options.decodePlan);
    this.env = zoneEnactEnv(options, this.reader);
  }

  /** Steps when the store says a newer plan was published (store.ts `watch`), or every `intervalMs`, whichever comes first. */
  async run(signal: AbortSignal): Promise<void> {
    const watch = this.context.store.watch([{ kind: 'newest-plan' }]);
    try {
      while (!signal.aborted) {
        await this.step();
        await watch.next({ timeoutMs: this.intervalMs, signal });
      }
    } finally {
      watch.close();
    }
  }

  async step(): Promise<EnactorStep> {
    const outcome = await this.enact();
    await this.context.store.recordHeartbeat({ id: this.context.id, role: 'enactor', ...heartbeatOf(outcome) });
    return outcome;
  }

  private async enact(): Promise<EnactorStep> {
    const newest = await this.reader.read();
    if (newest.kind !== 'plan') return noPlanStep(newest);
    const { plan } = newest;
    const perProvider = await Promise.all(
      this.context.providers.map(async (provider) => {
        const outcomes: ZoneOutcome[] = [];
        for (const zone of provider.zonesFor(plan)) outcomes.push(await enactZone(this.env, provider, zone, plan));
        return outcomes;
      }),
    );
    const zones = perProvider.flat();
    const ahead = zones.reduce<bigint | undefined>((max, z) => (z.kind === 'ahead' && (max === undefined || z.providerGeneration > max) ? z.providerGeneration : max), undefined);
    if (ahead === undefined) return { kind: 'enacted', generation: plan.generation, zones };
    const jump = await republishPlan(this.context.store, this.context.clock, plan, ahead + 1n);
    if (jump.kind === 'published') {
      await this.context.store.appendAudit({ actor: this.context.id, action: 'jump', detail: `a provider holds ${ahead}, above the newest plan ${plan.generation}: its content republished as ${jump.generation}`, generation: jump.generation });
    }
    return { kind: 'enacted', generation: plan.generation, zones, jump: { ...jump, above: ahead } };
  }

}

/** The heartbeat's outcome word is the most telling zone outcome; the detail lists every zone. */
function heartbeatOf(step: EnactorStep): { outcome: string; detail: string; generation?: bigint } {
  switch (step.kind) {
    case 'store-unavailable':
      return { outcome: 'store-unavailable', detail: step.cause.message };
    case 'no-plan':
      return { outcome: 'no-plan', detail: 'no plan published yet' };
    case 'refused':
      return { outcome: 'refused', detail: step.cause.message, generation: step.generation };
    case 'enacted': {
      const rank = ['unavailable', 'ahead', 'fenced', 'superseded', 'applied', 'waiting', 'not-in-plan', 'current'];
      const kinds = new Set(step.zones.map((z) => z.kind));
      const outcome = rank.find((k) => kinds.has(k as ZoneOutcome['kind'])) ?? 'current';
      const detail = step.zones.map((z) => `${zoneLabel(z)}: ${zoneText(z)}`).join('; ');
      return { outcome, detail: step.jump === undefined ? detail : `${detail}; jump above ${step.jump.above}: ${step.jump.kind}`, generation: step.generation };
    }
    default:
      return unreachable(step);
  }
}

function zoneText(z: ZoneOutcome): string {
  switch (z.kind) {
    case 'applied':
      return `applied ${z.generation}`;
    case 'current':
      return `current at ${z.generation}`;
    case 'superseded':
      return `plan ${z.generation} dropped for ${z.newest}`;
    case 'fenced':
      return `fenced`;
    case 'ahead':
      return `ahead at ${z.providerGeneration}`;
    case 'unavailable':
      return `unavailable, retry in ${z.retryInMs} ms: ${z.cause.message}`;
    case 'waiting':
      return 'waiting (backoff)';
    case 'not-in-plan':
      return 'not in the plan';
    default:
      return unreachable(z);
  }
}
