import { unreachable } from '../base/assert.js';
import type { Fence } from '../providers/provider.js';
import type { Store } from '../store/store.js';
import type { ZoneKey } from './enact-context.js';

export type RecordedApplied =
  | { readonly kind: 'recorded' }
  /** The store already says this generation or more (the built-in provider writes it itself, in its fenced write). */
  | { readonly kind: 'already' }
  /** The row is unreadable and is the provider's own marker: left to the provider's fenced write to repair. */
  | { readonly kind: 'corrupt-left' }
  | { readonly kind: 'unavailable' };

/**
 * Makes the store's applied-generation row of a zone say at least `generation`, after the
 * PROVIDER reported holding it. The row is bookkeeping (status, cleanup), never the fence an
 * enactor trusts — except for the built-in provider, whose fenced write IS this row; that is
 * why a row already at or above `generation` is left alone, and why an unreadable row is
 * replaced only when the provider's own marker reads fine (so the row cannot be the marker).
 *
 * `readFence` re-reads the provider's marker; called only for an unreadable row.
 */
export async function recordApplied(
  store: Store,
  key: ZoneKey,
  generation: bigint,
  by: string,
  readFence: () => Promise<Fence | undefined>,
): Promise<RecordedApplied> {
  const read = await store.readApplied(key);
  let expected: bigint | null | 'corrupt';
  switch (read.kind) {
    case 'unavailable':
      return { kind: 'unavailable' };
    case 'found':
      if (read.applied.generation >= generation) return { kind: 'already' };
      expected = read.applied.generation;
      break;
    case 'none':
      expected = null;
      break;
    case 'corrupt': {
      const fence = await readFence();
      if (fence?.kind !== 'generation' || fence.generation < generation) return { kind: 'corrupt-left' };
      expected = 'corrupt';
      break;
    }
    default:
      return unreachable(read);
  }
  const set = await store.setApplied({ ...key, expected, generation, by });
  switch (set.kind) {
    case 'applied':
      return { kind: 'recorded' };
    case 'fenced':
      // Someone recorded it (or more) between our read and write: the row moves forward only.
      return typeof set.current === 'bigint' && set.current >= generation ? { kind: 'already' } : { kind: 'unavailable' };
    case 'unavailable':
      return { kind: 'unavailable' };
    default:
      return unreachable(set);
  }
}
