/**
 * The answer table of zones as a provider serves them: the zone's SOA (serial given) and apex NS
 * from its SOA fields, and the managed names' RRsets. Used for what the naive provider serves and,
 * in the replay, for what the built-in provider serves, so both lanes are answered by the real
 * query path (dns/server/answer.ts) from a real table (dns/zone/table-builder.ts).
 */
import { RRClass, RRType } from '../../dns/wire/constants.js';
import { nameToWire } from '../../dns/wire/name.js';
import { buildZoneTable, type ZoneContent } from '../../dns/zone/table-builder.js';
import type { ServedRRset, ZoneTable } from '../../dns/zone/zone-table.js';
import { zoneSoa } from '../../providers/builtin/soa-serial.js';
import type { ZoneSoaFields } from '../../providers/provider.js';

/** One zone as served: an empty `names` is a zone whose managed names answer nothing. */
export interface ServedZone {
  readonly apex: string;
  readonly soa: ZoneSoaFields;
  readonly serial: number;
  readonly names: ReadonlyMap<string, readonly ServedRRset[]>;
}

/** NS records at the apex live one hour (RFC 1912 §2.2 suggests days; the zone's own choice). */
const APEX_NS_TTL_SECONDS = 3600;

export function servedTable(zones: readonly ServedZone[]): ZoneTable {
  return buildZoneTable(zones.map(zoneContent));
}

function zoneContent(zone: ServedZone): ZoneContent {
  const soa = zoneSoa(zone.apex, zone.soa, zone.serial);
  const rrsets = new Map<string, ReadonlyMap<number, ServedRRset>>();
  for (const [name, sets] of zone.names) rrsets.set(name, new Map(sets.map((s) => [s.type, s])));
  const apex = new Map<number, ServedRRset>(rrsets.get(zone.apex) ?? []);
  apex.set(RRType.SOA, soa);
  apex.set(RRType.NS, { name: zone.apex, type: RRType.NS, class: RRClass.IN, ttlSeconds: APEX_NS_TTL_SECONDS, rdatas: zone.soa.nameservers.map((ns) => nameToWire(ns)) });
  rrsets.set(zone.apex, apex);
  return { origin: zone.apex, soa, rrsets };
}
