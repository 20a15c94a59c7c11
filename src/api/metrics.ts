/**
 * Prometheus metrics (CONVENTIONS rule 13: lower layers publish diagnostics_channel events;
 * api/metrics subscribes and counts). Two sources:
 *
 * | source | metrics |
 * |---|---|
 * | events, as they happen in this process | applies, fence refusals, repairs, plans computed/published, plan and apply durations, probe states, DNS and transfer counters |
 * | the store, read at each scrape (so any process serving /metrics sees every role's work) | newest generation, applied generation per provider and zone, lag, freeze, drains, heartbeats, probe states |
 *
 * Names and units follow Prometheus conventions: `resolute_` prefix, `_total` counters,
 * `_seconds` durations, `_timestamp_seconds` times. Generations are gauges (float64: exact up
 * to 2^53). No label carries free text: reasons are bounded enums, or they are not labels.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { channels, type ChannelName } from '../base/events.js';
import type { Store } from '../store/store.js';

export interface MetricsOptions {
  /** Read at each scrape for the store-backed gauges; omit for event metrics only. */
  readonly store?: Store;
  /** Default: a new registry (never prom-client's global one, so two instances never clash). */
  readonly registry?: Registry;
}

export interface Metrics {
  readonly registry: Registry;
  /** The Prometheus text exposition of every metric. */
  text(): Promise<string>;
  /** Unsubscribes from the channels. */
  close(): void;
}

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Health transitions read back per scrape: enough for every target's latest state in practice. */
const TRANSITIONS_PER_SCRAPE = 10_000;

type Event = Record<string, unknown>;
const label = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = options.registry ?? new Registry();
  const store = options.store;
  const registers = [registry];

  const storeUp = new Gauge({ name: 'resolute_store_up', help: 'Whether the store answered the last scrape (1) or not (0).', registers });
  const planGeneration = new Gauge({ name: 'resolute_plan_generation', help: 'The newest plan generation in the store.', registers });
  const plansStored = new Gauge({ name: 'resolute_plans_stored', help: 'Plans held in the store (cleanup keeps the last K).', registers });
  const applied = new Gauge({ name: 'resolute_provider_applied_generation', help: 'The generation each provider (and zone) has applied, as recorded in the store.', labelNames: ['provider', 'zone'], registers });
  const lag = new Gauge({ name: 'resolute_provider_generation_lag', help: 'Newest plan generation minus the generation applied at each provider and zone.', labelNames: ['provider', 'zone'], registers });
  const frozen = new Gauge({ name: 'resolute_planner_frozen', help: 'Whether planning is frozen (resolute freeze, rollback): 1 frozen, 0 running.', registers });
  const drained = new Gauge({ name: 'resolute_targets_drained', help: 'Targets an operator drained (resolute drain).', registers });
  const heartbeat = new Gauge({ name: 'resolute_heartbeat_timestamp_seconds', help: 'Time of the last heartbeat of each role instance (an enactor, …): alert on time() minus it.', labelNames: ['id', 'role'], registers });
  const targetUp = new Gauge({ name: 'resolute_target_up', help: "Each checker's probe state of each target: 1 up, 0 down.", labelNames: ['checker', 'target'], registers });

  const plansComputed = new Counter({ name: 'resolute_plans_computed_total', help: 'Plans the planner computed that differ from their parent.', registers });
  const plansPublished = new Counter({ name: 'resolute_plans_published_total', help: "Plans that won the store's compare-and-set, by who published them.", labelNames: ['by'], registers });
  const planDuration = new Histogram({ name: 'resolute_plan_duration_seconds', help: 'Time to compute a plan (reads of the parent and window included).', buckets: DURATION_BUCKETS, registers });
  const applies = new Counter({ name: 'resolute_enactor_applies_total', help: 'Fenced writes a provider accepted.', labelNames: ['enactor', 'provider', 'zone'], registers });
  const applyDuration = new Histogram({ name: 'resolute_apply_duration_seconds', help: "Duration of a provider's fenced write that was accepted.", labelNames: ['provider'], buckets: DURATION_BUCKETS, registers });
  const fenceRefusals = new Counter({ name: 'resolute_fence_refusals_total', help: "Writes a provider refused because its fence moved (a stale or concurrent enactor).", labelNames: ['enactor', 'provider', 'zone'], registers });
  const repairs = new Counter({ name: 'resolute_repairs_total', help: 'Zones reconcile found differing from the newest plan and rewrote.', labelNames: ['provider', 'zone', 'reason'], registers });
  const transitions = new Counter({ name: 'resolute_health_transitions_total', help: 'Target state changes seen by a checker in this process.', labelNames: ['to'], registers });
  const dnsErrors = new Counter({ name: 'resolute_dns_server_errors_total', help: 'Socket errors of the DNS server.', labelNames: ['transport'], registers });
  const tableSwaps = new Counter({ name: 'resolute_dns_table_swaps_total', help: 'Zone tables the DNS server swapped in.', registers });
  const transfers = new Counter({ name: 'resolute_xfr_transfers_total', help: 'Zone transfers answered (axfr, ixfr) or refused.', labelNames: ['kind'], registers });
  const notifies = new Counter({ name: 'resolute_xfr_notifies_total', help: 'NOTIFY messages to secondaries, by outcome.', labelNames: ['outcome'], registers });
  const clientStale = new Counter({ name: 'resolute_client_stale_answers_total', help: 'Last-known-good answers resolute/client served in this process.', registers });
  const clientAlternate = new Counter({ name: 'resolute_client_alternate_answers_total', help: "Answers resolute/client took from an alternate name in this process.", registers });

  const onEvent: Partial<Record<ChannelName, (e: Event) => void>> = {
    planComputed: (e) => {
      plansComputed.inc();
      if (typeof e.durationMs === 'number') planDuration.observe(e.durationMs / 1000);
    },
    planPublished: (e) => {
      plansPublished.inc({ by: label(e.by) });
      if (e.generation !== undefined) planGeneration.set(Number(e.generation));
    },
    enactApplied: (e) => {
      applies.inc({ enactor: label(e.enactor), provider: label(e.provider), zone: label(e.zone) });
      if (typeof e.durationMs === 'number') applyDuration.observe({ provider: label(e.provider) }, e.durationMs / 1000);
      applied.set({ provider: label(e.provider), zone: label(e.zone) }, Number(e.generation));
    },
    enactFenced: (e) => fenceRefusals.inc({ enactor: label(e.enactor), provider: label(e.provider), zone: label(e.zone) }),
    enactRepaired: (e) => repairs.inc({ provider: label(e.provider), zone: label(e.zone), reason: label(e.reason) }),
    healthTransition: (e) => {
      transitions.inc({ to: label(e.to) });
      targetUp.set({ checker: label(e.checkerId), target: label(e.target) }, e.to === 'up' ? 1 : 0);
    },
    dnsServerError: (e) => dnsErrors.inc({ transport: label(e.transport) }),
    dnsTableSwapped: () => tableSwaps.inc(),
    xfrTransfer: (e) => transfers.inc({ kind: label(e.kind) }),
    xfrNotify: (e) => notifies.inc({ outcome: label(e.outcome) }),
    clientStale: () => clientStale.inc(),
    clientAlternate: () => clientAlternate.inc(),
  };
  const subscriptions: [ChannelName, (message: unknown) => void][] = [];
  for (const [name, handle] of Object.entries(onEvent) as [ChannelName, (e: Event) => void][]) {
    const onMessage = (message: unknown): void => {
      try {
        handle(message as Event);
      } catch {
        // A malformed event must not fail its publisher.
      }
    };
    channels[name].subscribe(onMessage);
    subscriptions.push([name, onMessage]);
  }

  return {
    registry,
    async text() {
      if (store !== undefined) await readStore(store);
      return registry.metrics();
    },
    close() {
      for (const [name, onMessage] of subscriptions) channels[name].unsubscribe(onMessage);
    },
  };

  /** The store-backed gauges, refreshed before each scrape; a store that does not answer sets resolute_store_up 0 and keeps the last values. */
  async function readStore(s: Store): Promise<void> {
    const [head, list, appliedList, freeze, drains, beats, health] = await Promise.all([
      s.readNewestHeader(),
      s.listPlans(),
      s.listApplied(),
      s.readFreeze(),
      s.listDrains(),
      s.listHeartbeats(),
      s.readHealthTransitions({ sinceMs: 0, limit: TRANSITIONS_PER_SCRAPE }),
    ]);
    const reads = [head, list, appliedList, freeze, drains, beats, health];
    storeUp.set(reads.some((r) => r.kind === 'unavailable') ? 0 : 1);
    const newest = head.kind === 'found' ? head.header.generation : undefined;
    if (newest !== undefined) planGeneration.set(Number(newest));
    if (list.kind === 'listed') plansStored.set(list.items.length);
    if (appliedList.kind === 'listed') {
      for (const a of appliedList.items) {
        const labels = { provider: a.provider, zone: a.zone ?? '' };
        applied.set(labels, Number(a.generation));
        if (newest !== undefined) lag.set(labels, Number(newest - a.generation));
      }
    }
    if (freeze.kind === 'found') frozen.set(freeze.freeze.isFrozen ? 1 : 0);
    if (drains.kind === 'listed') drained.set(drains.items.filter((d) => d.isDrained).length);
    if (beats.kind === 'listed') for (const b of beats.items) heartbeat.set({ id: b.id, role: b.role }, b.atMs / 1000);
    if (health.kind === 'listed') for (const t of health.items) targetUp.set({ checker: t.checkerId, target: t.target }, t.to === 'up' ? 1 : 0);
  }
}
