/**
 * THE fenced write of the built-in provider (DESIGN: "set applied generation to g and store
 * these changed names' record sets, only if it is still a and a < g"). The check and the write
 * are ONE store transaction (store.ts `applyRecordSets`: one compare-and-set on the zone's
 * applied-generation key, which also names the record sets), so a stale enactor is refused by
 * the store at the instant of its write, however long it was paused.
 */
import type { RecordSetChange, Store, ExpectedGeneration } from '../../store/store.js';
import type { ApplyOutcome, Fence } from '../provider.js';
import { unreachable } from '../../base/assert.js';

export interface FencedWrite {
  readonly provider: string;
  readonly zone: string;
  readonly expected: Fence;
  readonly generation: bigint;
  /** The enactor's id, kept with the applied generation. */
  readonly by: string;
  readonly changes: readonly RecordSetChange[];
  /** `changes` is the whole zone: what is not in it goes (adoption, repair). */
  readonly isFull: boolean;
}

export async function fencedWrite(store: Store, write: FencedWrite): Promise<ApplyOutcome> {
  const outcome = await store.applyRecordSets({
    provider: write.provider,
    zone: write.zone,
    expected: expectedOf(write.expected),
    generation: write.generation,
    by: write.by,
    changes: write.changes,
    isFull: write.isFull,
  });
  switch (outcome.kind) {
    case 'applied':
      return { kind: 'applied', generation: outcome.generation };
    case 'fenced':
      return { kind: 'fenced', current: await fenceOf(store, write.provider, write.zone, outcome.current) };
    case 'unavailable':
      return outcome;
    default:
      return unreachable(outcome);
  }
}

/** The marker as the store names it: a generation, "does not exist" (null), or "unreadable". */
export function expectedOf(fence: Fence): ExpectedGeneration {
  switch (fence.kind) {
    case 'generation':
      return fence.generation;
    case 'missing':
      return null;
    case 'unparsable':
      return 'corrupt';
    default:
      return unreachable(fence);
  }
}

/** The store's view back as a Fence; an unreadable one carries what the store says of it. */
async function fenceOf(store: Store, provider: string, zone: string, current: ExpectedGeneration): Promise<Fence> {
  if (typeof current === 'bigint') return { kind: 'generation', generation: current };
  if (current === null) return { kind: 'missing' };
  const read = await store.readApplied({ provider, zone });
  return { kind: 'unparsable', raw: read.kind === 'corrupt' ? read.detail : 'unreadable' };
}
