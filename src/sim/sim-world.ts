/**
 * One seed's world: the shared store, the RFC 2136 server model, the processes, the faults and
 * the checker. runSeed():
 *   1. start every process at a random instant; draw the first fault;
 *   2. step the scheduler; after every step, look at what each server serves (invariants.ts);
 *      the store's own transactions are watched as they execute (built-in record sets, cleanup);
 *   3. at `faultsMs` every fault stops (crashed processes restart, health is all up);
 *      `plannerTailMs` later the planners stop;
 *   4. `convergeMs` later everything must be at the newest plan (DESIGN invariant 3).
 * A seed is a pure function of its number: same seed, same trace.
 */
import { seededRandom } from '../base/random.js';
import type { Config } from '../config/config.js';
import { Rcode, RRType } from '../dns/wire/constants.js';
import type { HealthView, TargetVerdict } from '../health/quorum-health.js';
import { decodePlan } from '../plan/plan-codec.js';
import { groupCountOf, groupMarkerName, markerName } from '../providers/rfc2136/marker.js';
import { zoneRecordsOf } from '../providers/zone-records.js';
import { openMemoryStore } from '../store/memory/memory-store.js';
import type { AppliedGeneration, EncodedPlan, Store } from '../store/store.js';
import { Faults } from './faults.js';
import { InvariantChecker, type Violation, type ZoneView } from './invariants.js';
import { NaiveProvider } from './naive/index.js';
import { Rfc2136ServerModel } from './rfc2136-server-model.js';
import { Actor, Scheduler } from './scheduler.js';
import { modelFence, modelView, planAddresses, storedView, tableViews, type ManagedNames } from './served-views.js';
import { SimClock } from './sim-clock.js';
import { SIM_ZONE, simConfig, verdict } from './sim-config.js';
import { cleanupRole, dnsRole, enactorRole, naiveRole, plannerRole, reconcileRole, SIM_TSIG_KEY, type PlantedBug, type ProcessSeams, type RoleStep } from './sim-roles.js';
import { simStore, type StoreObserver } from './sim-store.js';
import { simTransport } from './sim-transport.js';

export type SimMode = 'resolute' | 'naive';

export interface SeedOptions {
  readonly seed: number;
  readonly mode: SimMode;
  readonly plant?: PlantedBug;
  readonly isTracing?: boolean;
}

export interface SeedResult {
  readonly seed: number;
  readonly steps: number;
  readonly virtualMs: number;
  /** The first violation of each invariant, in the order found; empty: the seed passed. */
  readonly violations: readonly Violation[];
  readonly trace: readonly string[];
}

const FAULTS_MS = 20_000;
const PLANNER_TAIL_MS = 3_000;
const CONVERGE_MS = 15_000;

/**
 * The RFC 2136 provider's UPDATE budget, by seed number mod 3. The sim's zone (two names of one
 * to three addresses, ~210–290 octets of change each) fits one default UPDATE, so the default
 * never groups. 650 octets leave ~350 for a group's change: one name fits, two do not, so the
 * zone is always split in 2 groups (packed in one UPDATE when one name changes). 800 leave ~500:
 * two names of one address fit, two of three do not, so the zone regroups when a plan grows.
 */
const RFC2136_BUDGETS: readonly (number | undefined)[] = [undefined, 650, 800];

const RESOLUTE_ROLES = ['planner-a', 'planner-b', 'enactor-a', 'enactor-b', 'enactor-c', 'reconcile', 'cleanup', 'dns-1', 'dns-2'];
const NAIVE_ROLES = ['planner-a', 'planner-b', 'naive-a', 'naive-b', 'naive-c'];

interface Running {
  readonly actor: Actor;
  readonly clock: SimClock;
  role: RoleStep | undefined;
  lastTable?: unknown;
}

export async function runSeed(options: SeedOptions): Promise<SeedResult> {
  const world = new SimWorld(options);
  return world.run();
}

class SimWorld implements StoreObserver {
  private readonly random;
  private readonly scheduler;
  private readonly faults;
  private readonly checker = new InvariantChecker();
  private readonly backend: Store;
  private readonly model: Rfc2136ServerModel;
  private readonly config: Config = simConfig();
  private readonly managed: ManagedNames;
  private readonly lines: string[] = [];
  private readonly trace: ((line: string) => void) | undefined;
  private readonly running = new Map<string, Running>();
  private readonly incarnations = new Map<string, number>();
  private health = new Map<string, TargetVerdict>();
  private readonly naive: NaiveProvider;
  /** Naive mode: each published plan's addresses, and the generations cleanup deleted. */
  private readonly planAddresses = new Map<bigint, Map<string, number>>();
  private readonly deleted = new Set<bigint>();
  private modelVersion = -1;
  private naiveKey = '';
  private servedBeforeDelete = '';
  /** What each process last read of the applied rows (cleanup's floor). */
  private readonly appliedRead = new Map<Actor, readonly AppliedGeneration[]>();
  private arePlannersStopped = false;

  constructor(private readonly options: SeedOptions) {
    this.random = seededRandom(options.seed);
    this.scheduler = new Scheduler(this.random);
    this.faults = new Faults(this.random, FAULTS_MS);
    const storeClock = new SimClock(this.scheduler, undefined);
    this.backend = openMemoryStore({ clock: storeClock, random: this.random });
    this.model = new Rfc2136ServerModel([SIM_ZONE], SIM_TSIG_KEY, 1_000_000 + this.random.int(1_000_000));
    this.naive = new NaiveProvider({ id: 'naive', zones: [SIM_ZONE], store: this.backend });
    this.managed = new Map([[SIM_ZONE, this.config.endpoints.map((e) => e.name)]]);
    for (const endpoint of this.config.endpoints) for (const target of endpoint.targets) this.health.set(target.key, verdict(true, false, 0));
    this.trace = options.isTracing === true ? (line) => this.lines.push(`t=${(this.scheduler.nowMs / 1000).toFixed(3)} ${line}`) : undefined;
  }

  async run(): Promise<SeedResult> {
    this.trace?.(`rfc2136 UPDATE budget ${RFC2136_BUDGETS[this.options.seed % RFC2136_BUDGETS.length] ?? 'default'}`);
    const roles = this.options.mode === 'naive' ? NAIVE_ROLES : RESOLUTE_ROLES;
    for (const role of roles) this.scheduler.at(this.random.int(1_000), undefined, () => this.start(role));
    this.scheduleFault();
    this.scheduler.at(FAULTS_MS, undefined, () => this.endFaults());
    this.scheduler.at(FAULTS_MS + PLANNER_TAIL_MS, undefined, () => this.stopPlanners());
    const endMs = FAULTS_MS + PLANNER_TAIL_MS + CONVERGE_MS;
    while (await this.scheduler.step(endMs)) {
      this.checkServed();
      if (this.isDone()) break;
    }
    if (this.checker.violations.length === 0 && this.options.mode === 'resolute') {
      this.scheduler.nowMs = endMs;
      await this.checkConverged();
    }
    return { seed: this.options.seed, steps: this.scheduler.steps, virtualMs: this.scheduler.nowMs, violations: this.checker.violations, trace: this.lines };
  }

  /** Resolute: the first violation ends the seed. Naive: run on until the empty answer shows (the one it must show). */
  private isDone(): boolean {
    const found = this.checker.violations;
    return this.options.mode === 'naive' ? found.some((v) => v.invariant === 'never-empty') : found.length > 0;
  }

  // ---- processes ----

  private async start(role: string): Promise<void> {
    if (this.running.has(role) || (this.arePlannersStopped && role.startsWith('planner'))) return;
    const incarnation = (this.incarnations.get(role) ?? 0) + 1;
    this.incarnations.set(role, incarnation);
    const actor = new Actor(role, incarnation);
    const clock = new SimClock(this.scheduler, actor);
    const running: Running = { actor, clock, role: undefined };
    this.running.set(role, running);
    this.trace?.(`${actor.name} starts`);
    const seams: ProcessSeams = {
      id: role,
      clock,
      random: this.random,
      store: simStore({ backend: this.backend, scheduler: this.scheduler, actor, faults: this.faults, observer: this, trace: this.trace }),
      transport: simTransport({ scheduler: this.scheduler, actor, faults: this.faults, server: this.model, trace: this.trace }),
      rfc2136MaxUpdateBytes: RFC2136_BUDGETS[this.options.seed % RFC2136_BUDGETS.length],
      plant: this.options.plant,
      trace: this.trace,
    };
    if (role.startsWith('dns')) this.checker.forget(role);
    running.role = await this.roleOf(role, seams);
    void this.loop(running);
  }

  private async roleOf(role: string, seams: ProcessSeams): Promise<RoleStep> {
    const health = (): HealthView => this.health;
    if (role.startsWith('planner')) return plannerRole(seams, this.config, health);
    if (role.startsWith('enactor')) return enactorRole(seams);
    if (role === 'reconcile') return reconcileRole(seams);
    if (role === 'cleanup') return cleanupRole(seams);
    if (role.startsWith('dns')) return dnsRole(seams);
    return naiveRole(seams, this.naive, () => this.faults.delayMs(this.scheduler.nowMs));
  }

  private async loop(running: Running): Promise<void> {
    const { actor, clock } = running;
    const role = running.role as RoleStep;
    while (actor.isAlive) {
      try {
        await role.step();
      } catch (error) {
        // A process that dies of an exception is a bug of ours, whatever the faults.
        this.checker.report('no-crash', this.scheduler.nowMs, `${actor.name} threw: ${(error as Error)?.stack ?? String(error)}`);
        this.stop(actor.role);
        return;
      }
      await clock.sleep(role.intervalMs);
    }
  }

  private stop(role: string): void {
    const running = this.running.get(role);
    if (running === undefined) return;
    running.actor.isAlive = false;
    this.running.delete(role);
  }

  // ---- faults ----

  private scheduleFault(): void {
    this.scheduler.at(this.faults.nextFaultInMs(), undefined, () => {
      if (this.scheduler.nowMs >= FAULTS_MS) return;
      this.inject();
      this.scheduleFault();
    });
  }

  private inject(): void {
    const now = this.scheduler.nowMs;
    const kind = this.faults.kind();
    const duration = this.faults.durationMs(now);
    switch (kind) {
      case 'crash': {
        const roles = [...this.running.keys()];
        const role = roles[this.random.int(roles.length)];
        if (role === undefined) return;
        this.trace?.(`FAULT crash ${this.running.get(role)?.actor.name}, restart in ${duration} ms`);
        this.stop(role);
        this.scheduler.at(duration, undefined, () => this.start(role));
        return;
      }
      case 'store-outage':
        this.trace?.(`FAULT store down for ${duration} ms`);
        this.faults.storeDownUntilMs = now + duration;
        return;
      case 'server-outage':
        this.faults.isServerSilent = this.random.next() < 0.5;
        this.trace?.(`FAULT rfc2136 server down (${this.faults.isServerSilent ? 'silent' : 'refusing connections'}) for ${duration} ms`);
        this.faults.serverDownUntilMs = now + duration;
        return;
      case 'server-refuses': {
        const rcode = this.random.next() < 0.5 ? Rcode.REFUSED : Rcode.SERVFAIL;
        this.trace?.(`FAULT rfc2136 server answers UPDATEs with rcode ${rcode} for ${duration} ms`);
        this.model.refuseUpdatesWith = rcode;
        this.scheduler.at(duration, undefined, () => {
          this.model.refuseUpdatesWith = undefined;
        });
        return;
      }
      case 'clock-jump': {
        const roles = [...this.running.values()];
        const running = roles[this.random.int(roles.length)];
        if (running === undefined) return;
        // Within the TSIG fudge (300 s, RFC 8945 §5.2.3): a larger skew is a misconfiguration, not a fault to survive.
        running.clock.skewMs = this.random.int(240_001) - 120_000;
        this.trace?.(`FAULT clock of ${running.actor.name} jumps to ${running.clock.skewMs} ms off`);
        return;
      }
      case 'health-flap': {
        const keys = [...this.health.keys()];
        const key = keys[this.random.int(keys.length)];
        const isUp = this.health.get(key)?.state !== 'up';
        this.health = new Map(this.health).set(key, verdict(isUp, this.random.next() < 0.7, now));
        this.trace?.(`FAULT health of ${key}: ${isUp ? 'up' : 'down'}`);
        return;
      }
      case 'hand-edit':
        this.editByHand();
        return;
    }
  }

  /** An operator at the RFC 2136 server: an address replaced (drift), or a marker deleted (the apex's, or a group's of a split zone). */
  private editByHand(): void {
    if (this.options.mode === 'naive') return;
    const names = this.managed.get(SIM_ZONE) ?? [];
    const name = names[this.random.int(names.length)];
    const markers = [markerName(SIM_ZONE), ...Array.from({ length: groupCountOf(this.model.txt(SIM_ZONE, markerName(SIM_ZONE))) }, (_, i) => groupMarkerName(SIM_ZONE, i))];
    const marker = markers.length === 1 ? markers[0] : markers[this.random.int(markers.length)];
    if (this.random.next() < 0.5 && this.model.addressCount(SIM_ZONE, name) > 0) {
      const address = new Uint8Array([198, 51, 100, 1 + this.random.int(200)]);
      this.trace?.(`FAULT by hand at the rfc2136 server: ${name} A replaced by 198.51.100.${address[3]}`);
      this.model.editByHand(SIM_ZONE, name, RRType.A, [address]);
    } else if (this.model.txt(SIM_ZONE, marker).length === 1) {
      this.trace?.(`FAULT by hand at the rfc2136 server: marker ${marker} deleted`);
      this.model.editByHand(SIM_ZONE, marker, RRType.TXT, undefined);
      this.checkServed();
      this.checker.forgetGeneration('rfc2136-server', SIM_ZONE);
    }
  }

  private endFaults(): void {
    this.trace?.('faults stop');
    this.model.refuseUpdatesWith = undefined;
    this.health = new Map([...this.health.keys()].map((k) => [k, verdict(true, false, this.scheduler.nowMs)]));
  }

  private stopPlanners(): void {
    this.trace?.('planners stop');
    this.arePlannersStopped = true;
    for (const role of [...this.running.keys()]) if (role.startsWith('planner')) this.stop(role);
  }

  // ---- what is served ----

  /** After every step: each server whose content changed is looked at again. */
  private checkServed(): void {
    const now = this.scheduler.nowMs;
    for (const [role, running] of this.running) {
      const follower = running.role?.follower;
      if (follower === undefined || follower.table === running.lastTable) continue;
      running.lastTable = follower.table;
      for (const [zone, view] of tableViews(follower.table, follower.served, this.managed)) this.checker.observe(role, zone, view, now);
    }
    if (this.model.version !== this.modelVersion) {
      this.modelVersion = this.model.version;
      for (const [zone, names] of this.managed) this.checker.observe('rfc2136-server', zone, modelView(this.model, zone, names), now);
    }
    if (this.options.mode === 'naive') this.checkNaive(now);
  }

  private checkNaive(now: number): void {
    const key = `${this.naive.pointedAt(SIM_ZONE)} ${this.deleted.size}`;
    if (key === this.naiveKey) return;
    this.naiveKey = key;
    const view = this.naiveView();
    if (view !== undefined) this.checker.observe('naive-provider', SIM_ZONE, view, now);
  }

  private naiveView(): ZoneView | undefined {
    const generation = this.naive.pointedAt(SIM_ZONE);
    if (generation === undefined) return undefined;
    const names = this.managed.get(SIM_ZONE) ?? [];
    const addresses = this.deleted.has(generation) ? new Map(names.map((n) => [n, 0])) : this.planAddresses.get(generation);
    return addresses === undefined ? undefined : { generation, serial: undefined, addresses };
  }

  // ---- the store's transactions, as they execute (StoreObserver) ----

  async before(method: string, args: readonly unknown[], actor: Actor): Promise<void> {
    if (method !== 'deletePlans') return;
    this.checkCleanupFloor((args[0] as { below: bigint }).below, actor);
    this.servedBeforeDelete = await this.servedText();
  }

  async after(method: string, args: readonly unknown[], result: unknown, actor: Actor): Promise<void> {
    const outcome = result as { kind: string; generation?: bigint; generations?: readonly bigint[]; items?: readonly AppliedGeneration[] };
    if (method === 'listApplied' && outcome.kind === 'listed') {
      this.appliedRead.set(actor, outcome.items ?? []);
    } else if (method === 'applyRecordSets' && outcome.kind === 'applied') {
      const zone = (args[0] as { zone: string }).zone;
      const view = storedView(await this.backend.readRecordSets({ provider: 'builtin', zone }), zone, this.managed.get(zone) ?? []);
      if (view !== undefined) this.checker.observe('builtin-store', zone, view, this.scheduler.nowMs);
    } else if (method === 'publishPlan' && outcome.kind === 'published' && this.options.mode === 'naive') {
      const plan = decodePlan((args[0] as { plan: EncodedPlan }).plan, outcome.generation as bigint);
      this.planAddresses.set(plan.generation, planAddresses(plan, SIM_ZONE, this.managed.get(SIM_ZONE) ?? []));
    } else if (method === 'deletePlans' && outcome.kind === 'deleted') {
      for (const g of outcome.generations ?? []) this.deleted.add(g);
      this.checkServed();
      const after = await this.servedText();
      if (after !== this.servedBeforeDelete) this.checker.report('cleanup-harmless', this.scheduler.nowMs, `deleting plans ${(outcome.generations ?? []).join(', ')} changed what is served: ${this.servedBeforeDelete} → ${after}`);
    }
  }

  /**
   * DESIGN: cleanup deletes only plans below the oldest generation applied anywhere, as the
   * applied rows it read say (a row written after its read, e.g. by an enactor whose record
   * was late, cannot hold it back: that race is harmless, records being materialized).
   */
  private checkCleanupFloor(below: bigint, actor: Actor): void {
    for (const row of this.appliedRead.get(actor) ?? []) {
      if (row.generation < below) this.checker.report('cleanup-harmless', this.scheduler.nowMs, `cleanup deletes plans below ${below} though it read that ${row.provider} ${row.zone ?? ''} holds ${row.generation}`);
    }
  }

  /** What the providers serve, as text (cleanup must not change it). */
  private async servedText(): Promise<string> {
    const names = this.managed.get(SIM_ZONE) ?? [];
    const text = (view: ZoneView | undefined): string => (view === undefined ? '-' : `${view.generation}:${[...view.addresses.values()].join('/')}`);
    const stored = storedView(await this.backend.readRecordSets({ provider: 'builtin', zone: SIM_ZONE }), SIM_ZONE, names);
    return `builtin ${text(stored)} rfc2136 ${text(modelView(this.model, SIM_ZONE, names))} naive ${text(this.naiveView())}`;
  }

  // ---- the end ----

  /** DESIGN invariant 3: faults and planners stopped long enough ago, everything is at the newest plan. */
  private async checkConverged(): Promise<void> {
    const head = await this.backend.readNewestHeader();
    if (head.kind !== 'found') return;
    const newest = head.header.generation;
    const read = await this.backend.readPlan(newest);
    if (read.kind !== 'found') return;
    const plan = decodePlan(read.plan.plan, newest);
    const behind: string[] = [];
    const builtin = await this.backend.readApplied({ provider: 'builtin', zone: SIM_ZONE });
    if (builtin.kind !== 'found' || builtin.applied.generation !== newest) behind.push(`builtin at ${builtin.kind === 'found' ? builtin.applied.generation : builtin.kind}`);
    const marker = modelFence(this.model, SIM_ZONE);
    if (marker !== newest) behind.push(`rfc2136 server marker at ${marker ?? 'none'}`);
    const records = zoneRecordsOf(plan, SIM_ZONE);
    for (const name of this.managed.get(SIM_ZONE) ?? []) {
      const wanted = (records?.names.get(name) ?? []).flatMap((r) => (r.type === RRType.A ? r.rdatas.map(hexOf) : [])).sort().join(',');
      const served = [...(this.model.zones.get(SIM_ZONE)?.owners.get(name)?.get(RRType.A)?.rdatas ?? [])].map(hexOf).sort().join(',');
      if (wanted !== served) behind.push(`rfc2136 server serves ${name} ${served} not ${wanted}`);
    }
    for (const [role, running] of this.running) {
      const served = running.role?.follower?.served.get(SIM_ZONE);
      if (running.role?.follower !== undefined && served !== newest) behind.push(`${role} serves ${served ?? 'nothing'}`);
    }
    if (behind.length > 0) this.checker.report('converges', this.scheduler.nowMs, `${CONVERGE_MS} ms after the planners stopped, newest plan ${newest}: ${behind.join('; ')}`);
  }
}

const hexOf = (rdata: Uint8Array): string => Buffer.from(rdata).toString('hex');
