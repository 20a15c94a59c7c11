/**
 * A zone as an RFC 2136 server holds it (the records of one AXFR) → what Resolute reads of it:
 * the fence (the marker), the managed names (registry entries, with the records the server
 * SERVES for them), and the foreign names. Pure.
 */
import { RRClass, RRType } from '../../dns/wire/constants.js';
import type { ResourceRecord } from '../../dns/wire/record.js';
import type { ServedRRset } from '../../dns/zone/zone-table.js';
import type { Fence } from '../provider.js';
import { fenceOfMarker, groupCountOf, groupMarkerName, isResoluteName, markerName, parseRegistryRdata, registryName, zoneFenceOf, type RegistryEntry } from './marker.js';

export interface ServedSet {
  readonly ttlSeconds: number;
  readonly rdatas: readonly Uint8Array[];
}

export interface ZoneState {
  /** The zone's fence (zoneFenceOf its groups'). */
  readonly fence: Fence;
  /** How many groups the zone is split into (1: the apex marker is the one fence). */
  readonly groups: number;
  /** Each group's own fence; with one group, the apex marker's. */
  readonly groupFences: readonly Fence[];
  /** Managed owner → its registry entry and that entry's rdata as served. */
  readonly registry: ReadonlyMap<string, { readonly entry: RegistryEntry; readonly rdata: Uint8Array }>;
  /** Every owner → type → records, as served. */
  readonly served: ReadonlyMap<string, ReadonlyMap<number, ServedSet>>;
  /** Managed names as served, weights/pick/order restored from the registry where the records match it. */
  readonly names: ReadonlyMap<string, readonly ServedRRset[]>;
  readonly foreign: readonly string[];
}

export function zoneStateOf(zone: string, records: readonly ResourceRecord[]): ZoneState {
  const served = new Map<string, Map<number, { ttlSeconds: number; rdatas: Uint8Array[] }>>();
  for (const rr of records) {
    if (rr.class !== RRClass.IN) continue;
    const types = served.get(rr.name) ?? new Map<number, { ttlSeconds: number; rdatas: Uint8Array[] }>();
    served.set(rr.name, types);
    const set = types.get(rr.type) ?? { ttlSeconds: rr.ttlSeconds, rdatas: [] };
    types.set(rr.type, set);
    set.ttlSeconds = Math.min(set.ttlSeconds, rr.ttlSeconds);
    set.rdatas.push(rr.rdata);
  }
  const apexRdatas = served.get(markerName(zone))?.get(RRType.TXT)?.rdatas ?? [];
  const groups = groupCountOf(apexRdatas);
  const groupFences =
    groups === 1 ? [fenceOfMarker(apexRdatas)] : Array.from({ length: groups }, (_, i) => fenceOfMarker(served.get(groupMarkerName(zone, i))?.get(RRType.TXT)?.rdatas ?? []));
  const fence = zoneFenceOf(groupFences);
  const registry = new Map<string, { entry: RegistryEntry; rdata: Uint8Array }>();
  for (const [owner, types] of served) {
    if (owner === markerName(zone) || !isResoluteName(zone, owner)) continue;
    for (const rdata of types.get(RRType.TXT)?.rdatas ?? []) {
      const entry = parseRegistryRdata(rdata);
      // An entry counts only at the owner its name hashes to: a copied or forged one is ignored.
      if (entry !== undefined && registryName(zone, entry.owner) === owner) registry.set(entry.owner, { entry, rdata });
    }
  }
  const names = new Map<string, readonly ServedRRset[]>();
  for (const [owner, { entry }] of [...registry].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const rrsets = entry.rrsets.flatMap((registered) => {
      const set = served.get(owner)?.get(registered.type);
      return set === undefined ? [] : [servedRRset(owner, registered, set)];
    });
    if (rrsets.length > 0) names.set(owner, rrsets);
  }
  const foreign = [...served.keys()]
    .filter((owner) => !isResoluteName(zone, owner) && !registry.has(owner) && !isBareApex(zone, owner, served.get(owner)))
    .sort();
  return { fence, groups, groupFences, registry, served, names, foreign };
}

/** The apex with only the server's own SOA and NS (and DNSSEC records) is nobody's name. */
function isBareApex(zone: string, owner: string, types: ReadonlyMap<number, ServedSet> | undefined): boolean {
  const own = new Set<number>([RRType.SOA, RRType.NS, 46, 47, 48, 50, 51]);
  return owner === zone && [...(types?.keys() ?? [])].every((t) => own.has(t));
}

const hex = (rdata: Uint8Array): string => Buffer.from(rdata).toString('hex');

function servedRRset(owner: string, registered: RegistryEntry['rrsets'][number], set: ServedSet): ServedRRset {
  const servedHex = set.rdatas.map(hex);
  const isAsRegistered =
    servedHex.length === registered.records.length && new Set(servedHex).size === servedHex.length && registered.records.every((r) => servedHex.includes(r.rdataHex));
  if (!isAsRegistered) {
    // Drift (edited by hand, or an update ignored): the records as served, no weights.
    return { name: owner, type: registered.type, class: RRClass.IN, ttlSeconds: set.ttlSeconds, rdatas: [...set.rdatas].sort((a, b) => Buffer.compare(a, b)) };
  }
  const weights = registered.records.map((r) => r.weight);
  const hasWeights = weights.every((w) => w !== undefined);
  return {
    name: owner,
    type: registered.type,
    class: RRClass.IN,
    ttlSeconds: set.ttlSeconds,
    rdatas: registered.records.map((r) => new Uint8Array(Buffer.from(r.rdataHex, 'hex'))),
    ...(hasWeights ? { weights: weights as number[] } : {}),
    ...(registered.pick === undefined ? {} : { pick: registered.pick }),
  };
}
