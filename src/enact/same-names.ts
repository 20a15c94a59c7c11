import type { ZoneRecords } from '../providers/provider.js';

type Names = ZoneRecords['names'];
type Rrsets = Names extends ReadonlyMap<string, infer V> ? V : never;

/**
 * The names of a zone as read back equal the plan's: same owners, and per owner the same
 * RRsets (type, class, TTL, the same records with the same weights, the same pick) — record
 * order aside, since a provider may hand them back in any order. Returns the first name that
 * differs, or undefined.
 */
export function firstDifferentName(served: Names, planned: Names): string | undefined {
  for (const [name, rrsets] of planned) {
    const other = served.get(name);
    if (other === undefined || keyOf(other) !== keyOf(rrsets)) return name;
  }
  for (const name of served.keys()) if (!planned.has(name)) return name;
  return undefined;
}

function keyOf(rrsets: Rrsets): string {
  return rrsets
    .map((r) => {
      const records = r.rdatas.map((rdata, i) => `${Buffer.from(rdata).toString('hex')}/${r.weights?.[i] ?? ''}`).sort();
      return `${r.type}:${r.class}:${r.ttlSeconds}:${r.pick === undefined || r.pick === 0 ? '' : r.pick}:${records.join(',')}`;
    })
    .sort()
    .join(';');
}
