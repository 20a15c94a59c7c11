import type { PlanEndpoint } from './plan.js';

const BUCKET_COUNT = 256;

/** FNV-1a over the canonical name: a fixed hash, so a name's bucket never depends on the plan. */
function bucketOf(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % BUCKET_COUNT;
}

/**
 * The endpoints of a plan by name: an immutable map in 256 buckets by a fixed hash of the name.
 *
 * A new plan shares every bucket it does not change with its parent, so re-planning one name
 * of 100,000 copies one bucket (about 400 entries), not the table, and diffing two plans skips
 * every shared bucket by reference. The buckets are also natural chunks for a store that
 * writes a plan in parts (DESIGN: plans written in chunks).
 */
export class EndpointTable {
  private constructor(
    private readonly buckets: readonly ReadonlyMap<string, PlanEndpoint>[],
    readonly size: number,
  ) {
    Object.freeze(this);
  }

  static readonly EMPTY = new EndpointTable(Array.from({ length: BUCKET_COUNT }, () => new Map<string, PlanEndpoint>()), 0);

  static from(endpoints: Iterable<PlanEndpoint>): EndpointTable {
    return EndpointTable.EMPTY.with(endpoints, []);
  }

  get(name: string): PlanEndpoint | undefined {
    return this.buckets[bucketOf(name)].get(name);
  }

  has(name: string): boolean {
    return this.buckets[bucketOf(name)].has(name);
  }

  /** A new table with these endpoints set (by name) and these names removed. */
  with(set: Iterable<PlanEndpoint>, removed: Iterable<string>): EndpointTable {
    const changed = new Map<number, Map<string, PlanEndpoint>>();
    const bucketFor = (name: string): Map<string, PlanEndpoint> => {
      const index = bucketOf(name);
      let bucket = changed.get(index);
      if (bucket === undefined) {
        bucket = new Map(this.buckets[index]);
        changed.set(index, bucket);
      }
      return bucket;
    };
    for (const endpoint of set) bucketFor(endpoint.name).set(endpoint.name, endpoint);
    for (const name of removed) if (this.has(name)) bucketFor(name).delete(name);
    if (changed.size === 0) return this;
    const buckets = [...this.buckets];
    let size = this.size;
    for (const [index, bucket] of changed) {
      size += bucket.size - buckets[index].size;
      buckets[index] = bucket;
    }
    return new EndpointTable(buckets, size);
  }

  *values(): IterableIterator<PlanEndpoint> {
    for (const bucket of this.buckets) yield* bucket.values();
  }

  /** Names present in either table whose entry differs by reference (shared buckets skipped). */
  *changedNames(other: EndpointTable): IterableIterator<string> {
    for (let i = 0; i < BUCKET_COUNT; i++) {
      const mine = this.buckets[i];
      const theirs = other.buckets[i];
      if (mine === theirs) continue;
      for (const [name, endpoint] of mine) if (theirs.get(name) !== endpoint) yield name;
      for (const name of theirs.keys()) if (!mine.has(name)) yield name;
    }
  }
}
