/**
 * Step 6 of an apply (rfc2136-provider.ts) for a small change: the read-back of RFC 2136
 * §3.4.2.2 by signed queries pipelined on one TCP connection instead of an AXFR of the whole
 * zone. What is asked is what the AXFR check looks at: every marker (the apex's and each
 * group's) and, per changed owner, its registry entry and every type it has or had (the desired
 * ones and those of the entry read before the update). The answers, fed to `zoneStateOf` like an
 * AXFR's records, give the same comparison. One more rule makes up for what was not asked: an
 * entry served now that lists a type not asked is not the entry sent (that lists only the
 * desired types), so the owner differs.
 *
 * Which read: queries when they are few and cost fewer octets than the AXFR, whose cost is the
 * whole zone as read before the update (`zoneOctets`). A signed query and its answer cost about
 * two names, two headers and two TSIG records (~300 octets with a short key name) where an AXFR
 * carries a record in ~30–130 octets; so a 1 % change of a large zone is read by queries (~40×
 * fewer octets for 100 names of 10,000), and a change of most of a zone, or any change of a
 * tiny one, by AXFR. At most READ_BACK_QUERIES_MAX queries go on one connection, which bounds
 * what is in flight at once. Pure, but for the octet counts.
 */
import { RRType } from '../../dns/wire/constants.js';
import { nameToWire } from '../../dns/wire/name.js';
import type { TsigKey } from '../../dns/wire/tsig-key.js';
import type { ZoneRecords } from '../provider.js';
import { groupMarkerName, markerName, registryName } from './marker.js';
import type { ZoneState } from './zone-state.js';

/** At most this many queries are pipelined on one connection; a larger read-back is an AXFR. */
export const READ_BACK_QUERIES_MAX = 1024;

export interface ReadBackQuestion {
  readonly name: string;
  readonly type: number;
}

export interface ReadBackPlan {
  readonly questions: readonly ReadBackQuestion[];
  /** Per changed owner, the types asked. */
  readonly asked: ReadonlyMap<string, ReadonlySet<number>>;
}

/** The questions that read back the markers of `groups` groups and the changed `owners`. */
export function readBackPlan(zone: string, groups: number, owners: readonly string[], records: ZoneRecords, held: ZoneState): ReadBackPlan {
  const questions: ReadBackQuestion[] = [{ name: markerName(zone), type: RRType.TXT }];
  if (groups > 1) for (let i = 0; i < groups; i++) questions.push({ name: groupMarkerName(zone, i), type: RRType.TXT });
  const asked = new Map<string, Set<number>>();
  for (const owner of owners) {
    const types = new Set<number>([...(records.names.get(owner) ?? []).map((r) => r.type), ...(held.registry.get(owner)?.entry.rrsets.map((r) => r.type) ?? [])]);
    asked.set(owner, types);
    questions.push({ name: registryName(zone, owner), type: RRType.TXT }, ...[...types].map((type) => ({ name: owner, type })));
  }
  return { questions, asked };
}

/** Whether the queries cost fewer octets than an AXFR of the zone as `held` (see the header). */
export function isQueryReadCheaper(plan: ReadBackPlan, held: ZoneState, key: TsigKey | undefined): boolean {
  if (plan.questions.length > READ_BACK_QUERIES_MAX) return false;
  // Per exchange: the question twice, two headers, two TSIG records (or none).
  const tsig = key === undefined ? 0 : nameToWire(key.name).length + 100;
  let queries = 0;
  for (const q of plan.questions) queries += 2 * (nameToWire(q.name).length + 4 + 12 + tsig);
  return queries <= zoneOctets(held);
}

/** About the octets an AXFR of the zone carries: each record's owner (uncompressed), header and rdata. */
function zoneOctets(held: ZoneState): number {
  let octets = 0;
  for (const [owner, types] of held.served) {
    const ownerOctets = nameToWire(owner).length + 10;
    for (const set of types.values()) for (const rdata of set.rdatas) octets += ownerOctets + rdata.length;
  }
  return octets;
}

/** Changed owners whose entry, as served now, lists a type that was not asked: not the entry sent. */
export function ownersWithUnaskedTypes(state: ZoneState, asked: ReadonlyMap<string, ReadonlySet<number>>): string[] {
  const owners: string[] = [];
  for (const [owner, types] of asked) {
    const entry = state.registry.get(owner)?.entry;
    if (entry !== undefined && entry.rrsets.some((r) => !types.has(r.type))) owners.push(owner);
  }
  return owners;
}
