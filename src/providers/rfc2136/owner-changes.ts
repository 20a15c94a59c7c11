/**
 * Step 3 of an apply (rfc2136-provider.ts): per managed owner, what the UPDATE must do so that
 * the server serves `records` — the RRsets that differ (delete the RRset, add the records), the
 * RRsets of types it no longer has, its registry entry (marker.ts), and "no CNAME here" for an
 * owner it adds records to. Pure.
 */
import { RRType } from '../../dns/wire/constants.js';
import type { ResourceRecord } from '../../dns/wire/record.js';
import type { ServedRRset } from '../../dns/zone/zone-table.js';
import type { ZoneRecords } from '../provider.js';
import { groupOf, registryName, registryRdata } from './marker.js';
import { addRecords, deleteRRset, rrsetAbsent } from './update-message.js';
import type { ZoneState } from './zone-state.js';

/** Registry entries carry no meaning for resolvers: TTL 0. */
const REGISTRY_TTL_SECONDS = 0;

/** What the update does at one managed owner: its records, its registry entry, its "no CNAME". */
export interface OwnerChange {
  readonly owner: string;
  readonly prerequisites: readonly ResourceRecord[];
  readonly updates: readonly ResourceRecord[];
}

/** Step 3 of apply: the owners whose RRsets differ between what the server holds and `records`. */
export function ownerChanges(zone: string, state: ZoneState, records: ZoneRecords, isFull: (owner: string) => boolean): OwnerChange[] {
  const changes: OwnerChange[] = [];
  const all = [...new Set([...records.names.keys(), ...state.registry.keys()])].sort();
  for (const owner of all) {
    const desired = records.names.get(owner) ?? [];
    const registered = state.registry.get(owner);
    const held = state.names.get(owner) ?? [];
    const isRewrite = isFull(owner);
    const updates: ResourceRecord[] = [];
    let isAdding = false;
    for (const rrset of desired) {
      const current = held.find((r) => r.type === rrset.type);
      const servedCount = state.served.get(owner)?.get(rrset.type)?.rdatas.length ?? 0;
      const isSame = !isRewrite && current !== undefined && servedCount === rrset.rdatas.length && rrsetKey(current) === rrsetKey(rrset);
      if (isSame) continue;
      updates.push(deleteRRset(owner, rrset.type), ...addRecords(owner, rrset.type, rrset.ttlSeconds, rrset.rdatas));
      isAdding = true;
    }
    for (const type of registered?.entry.rrsets.map((r) => r.type) ?? []) {
      if (!desired.some((r) => r.type === type)) updates.push(deleteRRset(owner, type));
    }
    const entryName = registryName(zone, owner);
    const entryCount = state.served.get(entryName)?.get(RRType.TXT)?.rdatas.length ?? 0;
    if (desired.length > 0) {
      const entry = registryRdata(owner, desired);
      if (isRewrite || registered === undefined || entryCount !== 1 || Buffer.compare(registered.rdata, entry) !== 0) {
        updates.push(deleteRRset(entryName, RRType.TXT), ...addRecords(entryName, RRType.TXT, REGISTRY_TTL_SECONDS, [entry]));
      }
    } else if (entryCount > 0) {
      updates.push(deleteRRset(entryName, RRType.TXT));
    }
    if (updates.length === 0) continue;
    // RFC 2136 §3.4.2.2: an A beside a CNAME would be skipped silently; refuse the message instead.
    const prerequisites = isAdding && !desired.some((r) => r.type === RRType.CNAME) ? [rrsetAbsent(owner, RRType.CNAME)] : [];
    changes.push({ owner, prerequisites, updates });
  }
  return changes;
}

/** The changes of each group, by the fixed hash of the owner name. */
export function partition(changes: readonly OwnerChange[], groups: number): OwnerChange[][] {
  const parts: OwnerChange[][] = Array.from({ length: groups }, () => []);
  for (const change of changes) parts[groupOf(change.owner, groups)].push(change);
  return parts;
}

/** An RRset as the contract compares it: type, TTL, records in order, weights, pick. */
export function rrsetKey(rrset: ServedRRset): string {
  return JSON.stringify([rrset.type, rrset.ttlSeconds, rrset.rdatas.map((d) => Buffer.from(d).toString('hex')), rrset.weights ?? null, rrset.pick ?? null]);
}

export function rrsetsKey(rrsets: readonly ServedRRset[]): string {
  return [...rrsets].sort((a, b) => a.type - b.type).map(rrsetKey).join('|');
}

