/**
 * The 2025 enactor. Its one safety check — "is this plan newer than the one I applied last?" —
 * is made once, against its own memory, when it reads the plan; then comes the slow apply
 * (minutes, in 2025), after which it writes without looking again: no fence, nothing re-read.
 *
 * The step is split in two so a scheduler can put any amount of time and any other actor between
 * them: `read()` (read the newest plan, make the check, hold the plan) and `write()` (overwrite
 * the provider with the plan held). `step()` is both at once, with no pause.
 */
import type { ResoluteError } from '../../base/errors.js';
import { decodePlan } from '../../plan/plan-codec.js';
import type { Plan } from '../../plan/plan.js';
import type { Store } from '../../store/store.js';
import type { NaiveProvider } from './naive-provider.js';

export interface NaiveEnactorOptions {
  readonly id: string;
  readonly store: Store;
  readonly provider: NaiveProvider;
}

export type NaiveRead =
  | { readonly kind: 'store-unavailable'; readonly cause: ResoluteError }
  | { readonly kind: 'no-plan' }
  /** The check failed: the newest plan is not newer than the one this enactor applied last. */
  | { readonly kind: 'not-newer'; readonly generation: bigint; readonly lastApplied: bigint }
  /** The check passed: the plan is held until `write()`, and never checked again. */
  | { readonly kind: 'holding'; readonly generation: bigint; readonly lastApplied: bigint | undefined };

export type NaiveWrite =
  /** Nothing held (the last read did not pass its check). */
  | { readonly kind: 'idle' }
  /** The provider now points at `generation`, whatever it pointed at before (`overwrote`). */
  | { readonly kind: 'wrote'; readonly generation: bigint; readonly overwrote: ReadonlyMap<string, bigint | undefined> };

export class NaiveEnactor {
  readonly id: string;
  private readonly store: Store;
  private readonly provider: NaiveProvider;
  /** The enactor's memory of its last write: the only thing its check compares with. */
  private lastAppliedGeneration: bigint | undefined;
  private held: Plan | undefined;

  constructor(options: NaiveEnactorOptions) {
    this.id = options.id;
    this.store = options.store;
    this.provider = options.provider;
  }

  get lastApplied(): bigint | undefined {
    return this.lastAppliedGeneration;
  }

  /** The plan held between `read()` and `write()`. */
  get holding(): bigint | undefined {
    return this.held?.generation;
  }

  /** Reads the newest plan and makes the one-time check against this enactor's memory. */
  async read(): Promise<NaiveRead> {
    this.held = undefined;
    const read = await this.store.readNewestPlan();
    if (read.kind === 'unavailable') return { kind: 'store-unavailable', cause: read.cause };
    if (read.kind === 'none') return { kind: 'no-plan' };
    const generation = read.plan.header.generation;
    const last = this.lastAppliedGeneration;
    if (last !== undefined && generation <= last) return { kind: 'not-newer', generation, lastApplied: last };
    this.held = decodePlan(read.plan.plan, generation);
    return { kind: 'holding', generation, lastApplied: last };
  }

  /** Writes the plan held, however long ago it was read: no fence, no second look. */
  async write(): Promise<NaiveWrite> {
    const plan = this.held;
    if (plan === undefined) return { kind: 'idle' };
    this.held = undefined;
    const overwrote = new Map(this.provider.zones.map((zone) => [zone, this.provider.pointedAt(zone)] as const));
    this.provider.write(plan);
    this.lastAppliedGeneration = plan.generation;
    return { kind: 'wrote', generation: plan.generation, overwrote };
  }

  /** `read()` then `write()` with nothing between them. */
  async step(): Promise<{ readonly read: NaiveRead; readonly write: NaiveWrite }> {
    const read = await this.read();
    return { read, write: await this.write() };
  }
}
