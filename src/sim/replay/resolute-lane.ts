/**
 * The replay's Resolute lane: the scenario played by the REAL code — Enactor (enact/enactor.ts,
 * enact-zone.ts), Cleanup (enact/cleanup.ts), the BuiltinProvider and its fenced write, and the
 * ZoneFollower a DNS process runs (providers/builtin/) — over one in-memory store backend
 * that each "process" opens its own handle on, on the replay's virtual clock. A stall is the
 * Enactor's own beforeApply seam held by a StallGate. DNS answers come from the follower's table
 * through the real query path.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assert, unreachable } from '../../base/assert.js';
import type { Random } from '../../base/random.js';
import { Cleanup, type CleanupStep } from '../../enact/cleanup.js';
import { Enactor, type EnactorStep } from '../../enact/enactor.js';
import type { ZoneOutcome } from '../../enact/enact-zone.js';
import { fenceText } from '../../enact/fence-text.js';
import { decodePlan } from '../../plan/plan-codec.js';
import { BuiltinProvider } from '../../providers/builtin/builtin-provider.js';
import { ZoneFollower } from '../../providers/builtin/zone-follower.js';
import { zoneRecordsOf } from '../../providers/zone-records.js';
import { MemoryKeyValue } from '../../store/memory/memory-key-value.js';
import { openMemoryStore } from '../../store/memory/memory-store.js';
import type { Store } from '../../store/store.js';
import { answerName, type DnsAnswer } from './answer-name.js';
import type { Lane, LaneAction } from './lane.js';
import { plannerPublishes } from './publish-plan.js';
import type { ReplayClock } from './replay-clock.js';
import type { ReplayEvent, Scenario } from './scenario.js';
import { StallGate } from './stall-gate.js';

const PROVIDER_ID = 'builtin';

interface EnactorProcess {
  readonly id: string;
  readonly enactor: Enactor;
  readonly cleanup: Cleanup;
  readonly store: Store;
  readonly gate: StallGate;
  stalled: Promise<EnactorStep> | undefined;
}

export class ResoluteLane implements Lane {
  readonly name = 'resolute' as const;
  private readonly kv = new MemoryKeyValue();
  private readonly stores: Store[] = [];
  private readonly planner: Store;
  /** A reader of the provider's fence, as an operator's `resolute status` would be. */
  private readonly observer: BuiltinProvider;
  private readonly processes = new Map<string, EnactorProcess>();

  private constructor(
    private readonly scenario: Scenario,
    private readonly clock: ReplayClock,
    private readonly random: Random,
    private readonly dir: string,
    private follower: ZoneFollower | undefined,
  ) {
    this.planner = this.openStore();
    this.observer = new BuiltinProvider({ id: PROVIDER_ID, zones: [scenario.zone], store: this.openStore(), by: 'replay' });
    for (const id of scenario.enactors) {
      const store = this.openStore();
      const providers = [new BuiltinProvider({ id: PROVIDER_ID, zones: [scenario.zone], store, by: id })];
      const gate = new StallGate();
      const enactor = new Enactor({ clock, random, store, providers, decodePlan, zoneRecordsOf, id, beforeApply: gate.beforeApply });
      // keepLast: the plans from the applied one down to keepGenerations below it, as the naive lane keeps.
      const cleanup = new Cleanup({ clock, store, providers, decodePlan, id: `${id} cleanup`, keepLast: scenario.cleanupKeepGenerations + 1 });
      this.processes.set(id, { id, enactor, cleanup, store, gate, stalled: undefined });
    }
  }

  /** The DNS process's follower keeps a snapshot file (zone-snapshot-file.ts): in a directory of its own, removed by close(). */
  static async open(scenario: Scenario, clock: ReplayClock, random: Random): Promise<ResoluteLane> {
    const dir = mkdtempSync(path.join(tmpdir(), 'resolute-replay-'));
    const lane = new ResoluteLane(scenario, clock, random, dir, undefined);
    lane.follower = await ZoneFollower.open({ store: lane.openStore(), provider: PROVIDER_ID, zones: [scenario.zone], snapshotFile: path.join(dir, 'dns.zones'), clock });
    return lane;
  }

  async play(event: ReplayEvent): Promise<readonly LaneAction[]> {
    switch (event.kind) {
      case 'publish':
        return [await plannerPublishes(this.planner, this.clock, this.scenario, event.plan)];
      case 'enact': {
        const role = this.process(event.enactor);
        return describeStep(event.enactor, await role.enactor.step(), await this.fencedDetail(role));
      }
      case 'stall':
        return this.stall(event.enactor);
      case 'resume': {
        const role = this.process(event.enactor);
        assert(role.stalled !== undefined, `the scenario resumes ${event.enactor}, which it did not stall`);
        role.gate.open();
        const step = await role.stalled;
        role.stalled = undefined;
        return describeStep(event.enactor, step, await this.fencedDetail(role));
      }
      case 'cleanup':
        return [cleanupAction(`${event.enactor} cleanup`, await this.process(event.enactor).cleanup.step())];
      default:
        return unreachable(event);
    }
  }

  async answer(): Promise<DnsAnswer> {
    const follower = this.follower;
    assert(follower !== undefined, 'the lane was opened with open()');
    await follower.step();
    return answerName(follower.table, this.scenario.endpoint, this.scenario.zone, this.random);
  }

  async close(): Promise<void> {
    for (const role of this.processes.values()) role.gate.open();
    await this.follower?.close();
    for (const store of this.stores) await store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Starts a step held at its write; says what it read (the plan, and the fence at the provider). */
  private async stall(id: string): Promise<readonly LaneAction[]> {
    const role = this.process(id);
    const reached = role.gate.arm();
    const step = role.enactor.step();
    role.stalled = step;
    const held = await Promise.race([reached, step.then(() => undefined)]);
    if (held === undefined) {
      role.stalled = undefined;
      return describeStep(id, await step, undefined); // it had nothing to write: no stall
    }
    const fence = await this.observer.readFence(this.scenario.zone);
    const fenceSeen = fence.kind === 'read' ? fenceText(fence.fence) : 'unreadable';
    return [
      { actor: id, kind: 'read', text: `read plan ${held} and the provider's fence (${fenceSeen})` },
      { actor: id, kind: 'paused', text: `stalls before its fenced write of plan ${held}` },
    ];
  }

  /** The audit entry a refused write leaves (enact-zone.ts), if this step left one. */
  private async fencedDetail(role: EnactorProcess): Promise<string | undefined> {
    const audit = await role.store.readAudit({ limit: 10 });
    if (audit.kind !== 'listed') return undefined;
    return audit.items.find((e) => e.actor === role.id && e.action === 'fenced' && e.atMs === this.clock.nowMs())?.detail;
  }

  private process(id: string): EnactorProcess {
    const role = this.processes.get(id);
    assert(role !== undefined, `the scenario lists enactor ${id}`);
    return role;
  }

  private openStore(): Store {
    const store = openMemoryStore({ clock: this.clock, random: this.random, keyValue: this.kv });
    this.stores.push(store);
    return store;
  }
}

function describeStep(actor: string, step: EnactorStep, fenced: string | undefined): LaneAction[] {
  switch (step.kind) {
    case 'store-unavailable':
      return [{ actor, kind: 'unavailable', text: `store unavailable: ${step.cause.message}` }];
    case 'no-plan':
      return [{ actor, kind: 'idle', text: 'no plan yet' }];
    case 'refused':
      return [{ actor, kind: 'idle', text: `refuses plan ${step.generation}: ${step.cause.message}` }];
    case 'enacted':
      return step.zones.flatMap((zone) => describeZone(actor, zone, fenced));
    default:
      return unreachable(step);
  }
}

function describeZone(actor: string, zone: ZoneOutcome, fenced: string | undefined): LaneAction[] {
  switch (zone.kind) {
    case 'applied':
      return [{ actor, kind: 'wrote', text: `applied plan ${zone.generation} (fenced write: the provider held ${zone.from.kind === 'missing' ? 'no marker yet' : fenceText(zone.from)})` }];
    case 'current':
      return [{ actor, kind: 'current', text: `the provider already holds plan ${zone.generation}: nothing to write` }];
    case 'superseded':
      return [
        ...(fenced === undefined ? [] : [{ actor, kind: 'fenced' as const, text: `its write of plan ${zone.generation} is REFUSED by the provider's fence (${fenced})` }]),
        { actor, kind: 'dropped', text: `drops plan ${zone.generation} for the newest, ${zone.newest}` },
      ];
    case 'fenced':
      return [{ actor, kind: 'fenced', text: `its write of plan ${zone.generation} is refused by the provider's fence (${fenceText(zone.current)}); re-decided next step` }];
    case 'ahead':
      return [{ actor, kind: 'idle', text: `the provider holds ${zone.providerGeneration}, above plan ${zone.generation}` }];
    case 'unavailable':
      return [{ actor, kind: 'unavailable', text: `provider unavailable: ${zone.cause.message}` }];
    case 'waiting':
      return [{ actor, kind: 'idle', text: 'waits (backoff after a failure)' }];
    case 'not-in-plan':
      return [{ actor, kind: 'idle', text: `plan ${zone.generation} has no zone ${zone.zone}` }];
    default:
      return unreachable(zone);
  }
}

function cleanupAction(actor: string, step: CleanupStep): LaneAction {
  switch (step.kind) {
    case 'kept':
      return { actor, kind: 'idle', text: `deleted nothing: ${step.reason}` };
    case 'store-unavailable':
      return { actor, kind: 'unavailable', text: `store unavailable: ${step.cause.message}` };
    case 'deleted':
      return { actor, kind: 'cleaned', text: `deleted plans ${step.generations.join(', ')} (below ${step.below}); providers hold records, not references: nothing served changes` };
    default:
      return unreachable(step);
  }
}
