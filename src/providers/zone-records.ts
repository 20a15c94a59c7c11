/**
 * A plan + a zone apex → what a provider publishes for that zone (`ZoneRecords`): materialized
 * values, never a reference to the plan (DESIGN: cleanup cannot change what is served). Pure.
 *
 * | source | RRset |
 * |---|---|
 * | endpoint, policy `weighted` or `failover` | its A/AAAA records with their weights; `pick: 1` when it has more than one record, so each response is one record drawn by weight (Route 53's weighted records) and a ramp's small weight means a small share of clients |
 * | endpoint, policy `multivalue` | every record (the plan already kept at most `max_records`), weights carried, no `pick` |
 * | static record | grouped by owner and type into one RRset, duplicates dropped, the smallest TTL (RFC 2181 §5, §5.2) |
 *
 * The SOA and the apex NS are not names here: `soa` carries their fields and each provider makes
 * its own (the built-in one from the generation, DESIGN: zone serials).
 */
import { assert } from '../base/assert.js';
import { parseIPv4, parseIPv6 } from '../dns/wire/address-text.js';
import { RRClass, RRType } from '../dns/wire/constants.js';
import type { ServedRRset } from '../dns/zone/zone-table.js';
import type { Plan, PlanEndpoint, PlanZone } from '../plan/plan.js';
import type { ZoneRecords } from './provider.js';
import { staticRecordRdata, staticRecordType } from './static-record-rdata.js';

/** A plan that does not hold `apex` gives undefined: the caller decides (the zone left config). */
export function zoneRecordsOf(plan: Plan, apex: string): ZoneRecords | undefined {
  const zone = plan.zones.find((z) => z.apex === apex);
  if (zone === undefined) return undefined;
  const names = new Map<string, ServedRRset[]>();
  for (const [name, rrsets] of staticRRsets(zone)) names.set(name, rrsets);
  for (const endpoint of plan.endpoints.values()) {
    if (endpoint.zone !== apex) continue;
    // DESIGN invariant 1: never an empty set for a name with targets (the planner fails open).
    assert(endpoint.records.length > 0, `plan ${plan.generation} publishes records for ${endpoint.name}`);
    const rrset = endpointRRset(endpoint);
    const others = (names.get(endpoint.name) ?? []).filter((r) => r.type !== rrset.type);
    names.set(endpoint.name, [...others, rrset]);
  }
  const sorted = new Map([...names].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([n, r]) => [n, Object.freeze(r)] as const));
  return Object.freeze({
    zone: apex,
    generation: plan.generation,
    names: sorted,
    soa: Object.freeze({ nameservers: zone.nameservers, hostmaster: zone.hostmaster, negativeTtlSeconds: zone.negativeTtlSeconds }),
  });
}

export function endpointRRset(endpoint: PlanEndpoint): ServedRRset {
  const type = endpoint.type === 'A' ? RRType.A : RRType.AAAA;
  const parse = endpoint.type === 'A' ? parseIPv4 : parseIPv6;
  const rdatas = endpoint.records.map((record) => {
    const rdata = parse(record.address);
    assert(rdata !== undefined, `plan address ${record.address} of ${endpoint.name} is an ${endpoint.type} address`);
    return rdata;
  });
  const isSampled = endpoint.policy !== 'multivalue' && rdatas.length > 1;
  return Object.freeze({
    name: endpoint.name,
    type,
    class: RRClass.IN,
    ttlSeconds: endpoint.ttlSeconds,
    rdatas: Object.freeze(rdatas),
    weights: Object.freeze(endpoint.records.map((r) => r.weight)),
    ...(isSampled ? { pick: 1 } : {}),
  });
}

function staticRRsets(zone: PlanZone): Map<string, ServedRRset[]> {
  const byOwnerType = new Map<string, { name: string; type: number; ttlSeconds: number; rdatas: Uint8Array[] }>();
  for (const record of zone.records) {
    const type = staticRecordType(record);
    const key = `${record.name} ${type}`;
    const rdata = staticRecordRdata(record, zone.apex);
    const group = byOwnerType.get(key);
    if (group === undefined) {
      byOwnerType.set(key, { name: record.name, type, ttlSeconds: record.ttlSeconds, rdatas: [rdata] });
      continue;
    }
    group.ttlSeconds = Math.min(group.ttlSeconds, record.ttlSeconds);
    if (!group.rdatas.some((r) => Buffer.compare(r, rdata) === 0)) group.rdatas.push(rdata);
  }
  const names = new Map<string, ServedRRset[]>();
  for (const group of byOwnerType.values()) {
    const rrset: ServedRRset = Object.freeze({ ...group, class: RRClass.IN, rdatas: Object.freeze(group.rdatas) });
    names.set(group.name, [...(names.get(group.name) ?? []), rrset]);
  }
  return names;
}
