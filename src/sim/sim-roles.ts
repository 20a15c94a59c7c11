/**
 * The roles a simulated process runs, each built from the REAL code over one process's seams
 * (clock, random, store, providers): the Planner, the Enactor, the Reconciler, Cleanup, the
 * built-in provider's ZoneFollower (a DNS process), the RFC 2136 provider over the server model,
 * and — with `--naive` — the 2025 stack of sim/naive. Each returns its one step; the world runs
 * it in a loop and kills it at will.
 */
import { unreachable } from '../base/assert.js';
import type { Clock } from '../base/clock.js';
import { ResoluteError } from '../base/errors.js';
import type { Random } from '../base/random.js';
import type { Config } from '../config/config.js';
import { Cleanup } from '../enact/cleanup.js';
import { Enactor } from '../enact/enactor.js';
import { Reconciler } from '../enact/reconcile.js';
import type { HealthView } from '../health/quorum-health.js';
import { decodePlan, encodePlan } from '../plan/plan-codec.js';
import { Planner } from '../plan/planner.js';
import { BuiltinProvider } from '../providers/builtin/builtin-provider.js';
import { ZoneFollower } from '../providers/builtin/zone-follower.js';
import type { Provider } from '../providers/provider.js';
import { Rfc2136Provider } from '../providers/rfc2136/rfc2136-provider.js';
import type { Rfc2136Transport } from '../providers/rfc2136/signed-exchange.js';
import { zoneRecordsOf } from '../providers/zone-records.js';
import { StorePlanLog } from '../store/store-plan-log.js';
import type { Store } from '../store/store.js';
import { NaiveCleanup, NaiveEnactor, type NaiveProvider } from './naive/index.js';
import { SIM_ZONE } from './sim-config.js';

/** Bugs planted in our own code through test-only switches, for the simulator to find. */
export const PLANTED_BUGS = ['enactor-fence-from-store', 'cleanup-ignores-provider', 'planner-drops-fail-open'] as const;
export type PlantedBug = (typeof PLANTED_BUGS)[number];

/** What one process is given (CONVENTIONS rule 4). */
export interface ProcessSeams {
  readonly id: string;
  readonly clock: Clock;
  readonly random: Random;
  readonly store: Store;
  readonly transport: Rfc2136Transport;
  /** The RFC 2136 provider's UPDATE budget (undefined: its default, 65535); small, it splits the sim's zone into groups. */
  readonly rfc2136MaxUpdateBytes: number | undefined;
  readonly plant: PlantedBug | undefined;
  readonly trace: ((line: string) => void) | undefined;
}

export interface RoleStep {
  readonly intervalMs: number;
  step(): Promise<void>;
  /** A DNS process's follower, for the checker to query. */
  readonly follower?: ZoneFollower;
}

export const RFC2136_SERVER = Object.freeze({ address: '192.0.2.53', port: 53 });
export const SIM_TSIG_KEY = Object.freeze({ name: 'sim-key.', algorithm: 'hmac-sha256' as const, secret: new Uint8Array(32).fill(7) });

/** The providers of one process: the built-in one over its store, the RFC 2136 one over its transport. */
function providersOf(seams: ProcessSeams): Provider[] {
  return [
    new BuiltinProvider({ id: 'builtin', zones: [SIM_ZONE], store: seams.store, by: seams.id }),
    new Rfc2136Provider({
      id: 'rfc2136',
      zones: [SIM_ZONE],
      server: RFC2136_SERVER,
      key: SIM_TSIG_KEY,
      timeoutMs: 3_000,
      clock: seams.clock,
      random: seams.random,
      transport: seams.transport,
      ...(seams.rfc2136MaxUpdateBytes === undefined ? {} : { maxUpdateBytes: seams.rfc2136MaxUpdateBytes }),
    }),
  ];
}

function enactContext(seams: ProcessSeams) {
  return {
    clock: seams.clock,
    random: seams.random,
    store: seams.store,
    providers: providersOf(seams),
    decodePlan,
    zoneRecordsOf,
    id: seams.id,
    providerTimeoutMs: 5_000,
    backoff: { baseMs: 200, maxMs: 5_000 },
    ...(seams.plant === 'enactor-fence-from-store' ? { testOnlyFenceFromStore: true } : {}),
  };
}

export function plannerRole(seams: ProcessSeams, config: Config, health: () => HealthView): RoleStep {
  const planner = new Planner({ clock: seams.clock, log: new StorePlanLog(seams.store, decodePlan), ...(seams.plant === 'planner-drops-fail-open' ? { testOnlyDropFailOpen: true } : {}) });
  return {
    intervalMs: 1_000,
    async step() {
      const outcome = await publishStep(planner, seams.store, config, health);
      seams.trace?.(`${seams.id} plan: ${outcome}`);
    },
  };
}

/**
 * One planner step as cli/planner-loop.ts takes it (plan against the newest, compare-and-set,
 * recompute on a conflict, at most 3 times), without its freeze, drains and heartbeat.
 */
async function publishStep(planner: Planner, store: Store, config: Config, health: () => HealthView): Promise<string> {
  for (let attempt = 0; attempt < 3; attempt++) {
    let draft;
    try {
      draft = await planner.plan(config, health());
    } catch (error) {
      if (error instanceof ResoluteError && error.code === 'ERR_STORE_UNAVAILABLE') return 'store unavailable';
      throw error;
    }
    if (draft === undefined) return 'unchanged';
    const published = await store.publishPlan({ parentGeneration: draft.parentGeneration, createdAtMs: draft.createdAtMs, plan: encodePlan(draft) });
    switch (published.kind) {
      case 'published':
        return `published ${published.generation} (parent ${draft.parentGeneration})`;
      case 'conflict':
        continue;
      case 'unavailable':
        return 'store unavailable';
      default:
        return unreachable(published);
    }
  }
  return 'conflicts';
}

export function enactorRole(seams: ProcessSeams): RoleStep {
  const enactor = new Enactor({ ...enactContext(seams), intervalMs: 1_000 });
  return {
    intervalMs: 1_000,
    async step() {
      const outcome = await enactor.step();
      seams.trace?.(`${seams.id} enact: ${outcome.kind === 'enacted' ? `${outcome.generation}: ${outcome.zones.map((z) => `${z.provider} ${z.kind}`).join(', ')}` : outcome.kind}`);
    },
  };
}

export function reconcileRole(seams: ProcessSeams): RoleStep {
  const reconciler = new Reconciler({ ...enactContext(seams), intervalMs: 5_000 });
  return {
    intervalMs: 5_000,
    async step() {
      const outcome = await reconciler.step();
      seams.trace?.(`${seams.id} reconcile: ${outcome.kind === 'reconciled' ? outcome.zones.map((z) => `${z.provider} ${z.kind}${z.kind === 'repaired' ? ` (${z.reason})` : ''}`).join(', ') : outcome.kind}`);
    },
  };
}

export function cleanupRole(seams: ProcessSeams): RoleStep {
  const cleanup = new Cleanup({
    clock: seams.clock,
    store: seams.store,
    providers: providersOf(seams),
    decodePlan,
    id: seams.id,
    keepLast: 3,
    ...(seams.plant === 'cleanup-ignores-provider' ? { testOnlyIgnoredProvider: 'rfc2136' } : {}),
  });
  return {
    intervalMs: 3_000,
    async step() {
      const outcome = await cleanup.step();
      seams.trace?.(`${seams.id} cleanup: ${outcome.kind === 'deleted' ? `deleted below ${outcome.below}` : outcome.kind}`);
    },
  };
}

export async function dnsRole(seams: ProcessSeams): Promise<RoleStep> {
  const follower = await ZoneFollower.open({ store: seams.store, provider: 'builtin', zones: [SIM_ZONE], clock: seams.clock });
  return {
    intervalMs: 1_000,
    follower,
    async step() {
      await follower.step();
    },
  };
}

/** The 2025 enactor: read and check once, a slow apply (its length drawn like any delay), write, clean up by age. */
export function naiveRole(seams: ProcessSeams, provider: NaiveProvider, applyMs: () => number): RoleStep {
  const enactor = new NaiveEnactor({ id: seams.id, store: seams.store, provider });
  const cleanup = new NaiveCleanup({ store: seams.store, enactor, providers: [provider], keepGenerations: 2 });
  return {
    intervalMs: 1_000,
    async step() {
      const read = await enactor.read();
      if (read.kind !== 'holding') return;
      await seams.clock.sleep(applyMs());
      const wrote = await enactor.write();
      const cleaned = await cleanup.step();
      seams.trace?.(`${seams.id} naive: read ${read.generation}, ${wrote.kind === 'wrote' ? `wrote ${wrote.generation}` : wrote.kind}; cleanup ${cleaned.kind === 'deleted' ? `deleted below ${cleaned.below}` : cleaned.kind}`);
    },
  };
}
