/**
 * The replay's naive lane: the scenario played by the naive 2025 stack (sim/naive) over an
 * in-memory store. Its DNS answers come from the zone the naive provider serves — derived from
 * the plan its records refer to — through the real query path.
 */
import { assert, unreachable } from '../../base/assert.js';
import type { Random } from '../../base/random.js';
import { openMemoryStore } from '../../store/memory/memory-store.js';
import type { Store } from '../../store/store.js';
import { NaiveCleanup, NaiveEnactor, NaiveProvider, type NaiveCleanupStep, type NaiveRead, type NaiveWrite } from '../naive/index.js';
import { answerName, type DnsAnswer } from './answer-name.js';
import type { Lane, LaneAction } from './lane.js';
import { plannerPublishes } from './publish-plan.js';
import type { ReplayClock } from './replay-clock.js';
import type { ReplayEvent, Scenario } from './scenario.js';

export class NaiveLane implements Lane {
  readonly name = 'naive' as const;
  private readonly store: Store;
  private readonly provider: NaiveProvider;
  private readonly enactors = new Map<string, NaiveEnactor>();
  private readonly cleanups = new Map<string, NaiveCleanup>();

  constructor(
    private readonly scenario: Scenario,
    private readonly clock: ReplayClock,
    private readonly random: Random,
  ) {
    this.store = openMemoryStore({ clock, random });
    this.provider = new NaiveProvider({ id: 'naive', zones: [scenario.zone], store: this.store });
    for (const id of scenario.enactors) {
      const enactor = new NaiveEnactor({ id, store: this.store, provider: this.provider });
      this.enactors.set(id, enactor);
      this.cleanups.set(id, new NaiveCleanup({ store: this.store, enactor, providers: [this.provider], keepGenerations: scenario.cleanupKeepGenerations }));
    }
  }

  async play(event: ReplayEvent): Promise<readonly LaneAction[]> {
    switch (event.kind) {
      case 'publish':
        return [await plannerPublishes(this.store, this.clock, this.scenario, event.plan)];
      case 'enact': {
        const enactor = this.enactor(event.enactor);
        const read = await enactor.read();
        if (read.kind !== 'holding') return [readAction(event.enactor, read)];
        return [writeAction(event.enactor, await enactor.write(), read)];
      }
      case 'stall': {
        const read = await this.enactor(event.enactor).read();
        if (read.kind !== 'holding') return [readAction(event.enactor, read)];
        return [readAction(event.enactor, read), { actor: event.enactor, kind: 'paused', text: `stalls in its slow apply of plan ${read.generation}` }];
      }
      case 'resume':
        return [writeAction(event.enactor, await this.enactor(event.enactor).write(), undefined)];
      case 'cleanup':
        return [cleanupAction(`${event.enactor} cleanup`, await this.cleanup(event.enactor).step())];
      default:
        return unreachable(event);
    }
  }

  async answer(): Promise<DnsAnswer> {
    return answerName(await this.provider.table(), this.scenario.endpoint, this.scenario.zone, this.random);
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  private enactor(id: string): NaiveEnactor {
    const enactor = this.enactors.get(id);
    assert(enactor !== undefined, `the scenario lists enactor ${id}`);
    return enactor;
  }

  private cleanup(id: string): NaiveCleanup {
    const cleanup = this.cleanups.get(id);
    assert(cleanup !== undefined, `the scenario lists enactor ${id}`);
    return cleanup;
  }
}

function readAction(actor: string, read: NaiveRead): LaneAction {
  switch (read.kind) {
    case 'holding':
      return { actor, kind: 'read', text: `read plan ${read.generation}; its one check: newer than ${read.lastApplied ?? 'nothing'}, its own last write` };
    case 'not-newer':
      return { actor, kind: 'idle', text: `plan ${read.generation} is not newer than its own last write (${read.lastApplied}): nothing to do` };
    case 'no-plan':
      return { actor, kind: 'idle', text: 'no plan yet' };
    case 'store-unavailable':
      return { actor, kind: 'unavailable', text: `store unavailable: ${read.cause.message}` };
    default:
      return unreachable(read);
  }
}

function writeAction(actor: string, write: NaiveWrite, read: Extract<NaiveRead, { kind: 'holding' }> | undefined): LaneAction {
  if (write.kind === 'idle') return { actor, kind: 'idle', text: 'holds no plan: nothing to write' };
  const before = [...write.overwrote.values()][0];
  const over = before === undefined ? '' : ` over plan ${before}`;
  const stale = before !== undefined && before > write.generation ? ' — a STALE write, nothing re-checked' : '';
  const checked = read === undefined ? '' : ` (read it, newer than ${read.lastApplied ?? 'nothing'})`;
  return { actor, kind: 'wrote', text: `wrote plan ${write.generation}${over}${checked}${stale}` };
}

function cleanupAction(actor: string, step: NaiveCleanupStep): LaneAction {
  switch (step.kind) {
    case 'kept':
      return { actor, kind: 'idle', text: `deleted nothing: ${step.reason}` };
    case 'store-unavailable':
      return { actor, kind: 'unavailable', text: `store unavailable: ${step.cause.message}` };
    case 'deleted': {
      const emptied = step.emptied.map((e) => `; ${e.zone} referred to plan ${e.generation}: its records are GONE`).join('');
      return { actor, kind: 'cleaned', text: `deleted plans ${step.generations.join(', ')} (below ${step.below})${emptied}` };
    }
    default:
      return unreachable(step);
  }
}
