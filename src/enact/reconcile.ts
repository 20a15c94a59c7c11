/**
 * Reconcile: reads back what each provider serves and repairs what differs from the newest
 * plan, without a human (DESIGN invariant 3, "converges ... from any state"). Every repair is
 * an ordinary fenced write (enact-zone.ts), so reconcile can race enactors safely.
 *
 * | read back | repair |
 * |---|---|
 * | marker missing (deleted, a new server) | write the newest plan under "missing" (adoption) |
 * | marker unparsable (a damaged row) | write the newest plan under its exact unparsable value |
 * | marker below the newest (a provider restored from an old backup) | write the newest plan under that marker |
 * | marker at the newest, records differ (edited by hand) | publish the newest content again as a new generation, write it |
 * | marker above the newest (the store restored from an old backup) | publish the newest content above it (`minGeneration`), write it |
 * | marker at the newest, records equal | nothing; make sure the store's applied row says so |
 * Names Resolute did not create are left alone and reported as foreign.
 *
 * One step:
 * 1. read the newest plan (store down, plan not whole, newer schema → nothing);
 * 2. for each provider at once, each of its zones for this plan (`zonesFor`) in turn: read back, classify (table);
 * 3. zones that need a new generation (drift, ahead): publish once, then write each of them;
 * 4. audit every repair, heartbeat (`<id>:reconcile`).
 */
import type { ResoluteError } from '../base/errors.js';
import { channels } from '../base/events.js';
import type { Plan } from '../plan/plan.js';
import type { Provider } from '../providers/provider.js';
import { callProvider } from './call-provider.js';
import { zoneLabel, type EnactContext, type ZoneKey } from './enact-context.js';
import { enactZone, zoneEnactEnv, type ZoneEnactEnv, type ZoneOutcome } from './enact-zone.js';
import { fenceText } from './fence-text.js';
import { NewestPlanReader, noPlanStep } from './newest-plan.js';
import type { BackoffOptions } from './provider-backoff.js';
import { recordApplied } from './record-applied.js';
import { republishPlan, type Republished } from './republish-plan.js';
import { firstDifferentName } from './same-names.js';

export interface ReconcilerOptions extends EnactContext {
  /** Pause between steps of `run`. Default 30,000. */
  readonly intervalMs?: number;
  readonly providerTimeoutMs?: number;
  readonly backoff?: BackoffOptions;
}

export type RepairReason = 'missing-marker' | 'unparsable-marker' | 'behind' | 'drift' | 'ahead';

export type ReconcileZone = ZoneKey &
  (
    | { readonly kind: 'in-sync'; readonly generation: bigint; readonly foreign: readonly string[] }
    | { readonly kind: 'repaired'; readonly reason: RepairReason; readonly detail: string; readonly outcome: ZoneOutcome | Republished; readonly foreign: readonly string[] }
    | { readonly kind: 'unavailable'; readonly cause: ResoluteError; readonly retryInMs: number }
    | { readonly kind: 'waiting' }
    | { readonly kind: 'not-in-plan' }
  );

export type ReconcileStep =
  | { readonly kind: 'store-unavailable'; readonly cause: ResoluteError }
  | { readonly kind: 'no-plan' }
  | { readonly kind: 'refused'; readonly generation: bigint; readonly cause: ResoluteError }
  | { readonly kind: 'reconciled'; readonly generation: bigint; readonly zones: readonly ReconcileZone[]; readonly republished?: Republished };

type Classified = ReconcileZone | { readonly kind: 'needs-generation'; readonly key: ZoneKey; readonly provider: Provider; readonly reason: 'drift' | 'ahead'; readonly detail: string; readonly above?: bigint; readonly foreign: readonly string[] };

export class Reconciler {
  private readonly reader: NewestPlanReader;
  private readonly env: ZoneEnactEnv;

  constructor(private readonly options: ReconcilerOptions) {
    this.reader = new NewestPlanReader(options.store, options.decodePlan);
    this.env = zoneEnactEnv(options, this.reader);
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.step();
      await this.options.clock.sleep(this.options.intervalMs ?? 30_000, signal).catch(() => undefined);
    }
  }

  async step(): Promise<ReconcileStep> {
    const outcome = await this.reconcile();
    const repaired = outcome.kind === 'reconciled' ? outcome.zones.filter((z) => z.kind === 'repaired') : [];
    const readBack = outcome.kind === 'reconciled' ? outcome.zones.flatMap((z) => ('foreign' in z ? [[zoneLabel(z), z.foreign] as const] : [])) : [];
    const foreign = readBack.flatMap(([label, names]) => (names.length > 0 ? [`${label}: ${names.join(' ')}`] : []));
    await this.options.store.recordHeartbeat({
      id: `${this.options.id}:reconcile`,
      role: 'reconcile',
      outcome: outcome.kind === 'reconciled' ? (repaired.length > 0 ? 'repaired' : 'in-sync') : outcome.kind,
      detail: [...repaired.map((z) => `${zoneLabel(z)}: ${z.kind === 'repaired' ? z.detail : ''}`), ...(foreign.length > 0 ? [`foreign names: ${foreign.join('; ')}`] : [])].join('; '),
      ...(outcome.kind === 'reconciled' || outcome.kind === 'refused' ? { generation: outcome.generation } : {}),
      ...(readBack.length > 0 ? { foreign: Object.fromEntries(readBack) } : {}),
    });
    return outcome;
  }

  private async reconcile(): Promise<ReconcileStep> {
    const newest = await this.reader.read();
    if (newest.kind !== 'plan') return noPlanStep(newest);
    const plan = newest.plan;
    const perProvider = await Promise.all(
      this.options.providers.map(async (provider) => {
        const zones: Classified[] = [];
        for (const zone of provider.zonesFor(plan)) zones.push(await this.classify(provider, zone, plan));
        return zones;
      }),
    );
    const classified = perProvider.flat();
    const needing = classified.filter((z): z is Extract<Classified, { kind: 'needs-generation' }> => z.kind === 'needs-generation');
    if (needing.length === 0) return { kind: 'reconciled', generation: plan.generation, zones: classified as ReconcileZone[] };
    const above = needing.reduce<bigint | undefined>((max, z) => (z.above !== undefined && (max === undefined || z.above > max) ? z.above : max), undefined);
    const republished = await republishPlan(this.options.store, this.options.clock, plan, above === undefined ? undefined : above + 1n);
    const next = republished.kind === 'published' ? await this.reader.read() : undefined;
    const done: ReconcileZone[] = [];
    for (const z of classified) {
      if (z.kind !== 'needs-generation') {
        done.push(z);
        continue;
      }
      const outcome = next?.kind === 'plan' ? await this.repair(z.provider, z.key.zone, next.plan, z.reason, z.detail) : republished;
      done.push({ ...z.key, kind: 'repaired', reason: z.reason, detail: z.detail, outcome, foreign: z.foreign });
    }
    return { kind: 'reconciled', generation: plan.generation, zones: done, republished };
  }

  /** Step 2: what the zone serves against the newest plan (the table above). */
  private async classify(provider: Provider, zone: string, plan: Plan): Promise<Classified> {
    const key: ZoneKey = { provider: provider.id, zone };
    const label = zoneLabel(key);
    if (this.env.backoff.isWaiting(label)) return { ...key, kind: 'waiting' };
    const records = this.env.records(plan, zone);
    if (records === undefined) return { ...key, kind: 'not-in-plan' };
    const read = await callProvider(this.env.clock, this.env.providerTimeoutMs, `${label}: read back`, () => provider.readBack(zone));
    if (read.kind === 'unavailable') return { ...key, kind: 'unavailable', cause: read.cause, retryInMs: this.env.backoff.fail(label) };
    this.env.backoff.succeed(label);
    const { fence, foreign } = read;
    const g = plan.generation;
    if (fence.kind === 'missing') return this.repaired(provider, key, plan, 'missing-marker', 'marker missing: adopted', foreign);
    if (fence.kind === 'unparsable') return this.repaired(provider, key, plan, 'unparsable-marker', `marker ${fenceText(fence)} replaced`, foreign);
    if (fence.generation < g) return this.repaired(provider, key, plan, 'behind', `serves ${fence.generation}, below the newest ${g}`, foreign);
    if (fence.generation > g) return { kind: 'needs-generation', key, provider, reason: 'ahead', detail: `serves ${fence.generation}, above the newest ${g}`, above: fence.generation, foreign };
    const differing = firstDifferentName(read.names, records.names);
    if (differing !== undefined) return { kind: 'needs-generation', key, provider, reason: 'drift', detail: `serves other records than plan ${g} (first: ${differing})`, foreign };
    await recordApplied(this.options.store, key, g, this.options.id, async () => fence);
    return { ...key, kind: 'in-sync', generation: g, foreign };
  }

  private async repaired(provider: Provider, key: ZoneKey, plan: Plan, reason: RepairReason, detail: string, foreign: readonly string[]): Promise<ReconcileZone> {
    return { ...key, kind: 'repaired', reason, detail, outcome: await this.repair(provider, key.zone, plan, reason, detail), foreign };
  }

  /** A repair is the enactor's own fenced write of the newest plan; audited and announced when it lands. */
  private async repair(provider: Provider, zone: string, plan: Plan, reason: RepairReason, detail: string): Promise<ZoneOutcome> {
    const outcome = await enactZone(this.env, provider, zone, plan);
    if (outcome.kind === 'applied') {
      channels.enactRepaired.publish({ enactor: this.options.id, provider: provider.id, zone, reason, generation: plan.generation });
      await this.options.store.appendAudit({ actor: this.options.id, action: 'repair', detail: `${provider.id} ${zone}: ${detail}; wrote ${plan.generation}`, generation: plan.generation });
    }
    return outcome;
  }
}
