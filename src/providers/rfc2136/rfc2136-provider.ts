/**
 * The RFC 2136 provider: publishes zones on any DNS server that takes dynamic updates (BIND 9,
 * Knot DNS, PowerDNS), TSIG-signed, over TCP. Its fence is the marker TXT at `_resolute.<zone>`,
 * checked and replaced by the server in the same UPDATE as the records (fence.ts).
 *
 * apply(records, expected):
 *   1. never backwards: `records.generation` at or below an expected generation ⇒ fenced;
 *   2. read the zone whole (AXFR with TSIG): a fence other than `expected` ⇒ fenced at once
 *      (the UPDATE's prerequisite would refuse it anyway);
 *   3. the changes: per managed owner, the RRsets that differ (delete RRset + add records), the
 *      RRsets of types it no longer has, its registry entry; in a group whose marker is missing
 *      or unparsable nothing held is trusted and every desired RRset is rewritten;
 *   4. a group's UPDATE over 64 KiB: regroup first (`regroup`: one fenced UPDATE of markers
 *      only, doubling the group count until every group's change fits);
 *   5. the fenced write (fence.ts), one UPDATE per group (one for an unsplit zone), each under
 *      its own marker and the apex's group count; a group already above this generation is
 *      left alone (never backwards);
 *   6. RFC 2136 §3.4.2.2: read the zone back; every group's marker at (or above) this
 *      generation and the changed owners as sent ⇒ applied; anything else ⇒ unavailable
 *      (ERR_PROVIDER_IGNORED_UPDATE), so the enactor never records a generation the server
 *      does not serve.
 *
 * Groups (a zone too big for one message): owner names are split by a fixed hash
 * (`groupOf`); the apex marker then holds `groups=<n>` and group i's marker, at
 * `g<i>._resolute.<zone>`, its generation; the zone's fence is the lowest over the groups. A
 * group count changes only by `regroup`, under the apex marker and every group marker as read:
 * doubling n splits group i into i and i+n, both keeping group i's generation, so every group
 * stays consistent with one generation throughout.
 * Names without a registry entry are foreign: never written, reported by readBack.
 */
import { systemClock, type Clock } from '../../base/clock.js';
import { ResoluteError } from '../../base/errors.js';
import { systemRandom, type Random } from '../../base/random.js';
import { RRType, Rcode } from '../../dns/wire/constants.js';
import { buildQuery } from '../../dns/wire/message.js';
import { nameToWire } from '../../dns/wire/name.js';
import type { ResourceRecord } from '../../dns/wire/record.js';
import type { TsigKey } from '../../dns/wire/tsig-key.js';
import { requestZoneTransfer } from '../../dns/xfr/transfer-client.js';
import type { ServedRRset } from '../../dns/zone/zone-table.js';
import { unreachable } from '../../base/assert.js';
import type { ApplyOutcome, Fence, FenceRead, Provider, ProviderUnavailable, ReadBack, ZoneRecords } from '../provider.js';
import { fencedUpdate, isSameFence, type MarkerCondition, type Reread } from './fence.js';
import { fenceOfMarker, groupCountOf, groupMarkerName, groupOf, groupsRdata, markerName, markerRdata, registryName, registryRdata, zoneFenceOf } from './marker.js';
import { MAX_TCP_MESSAGE, refusal, refusalOf, serverText, signedExchange, unavailable, type ServerTarget } from './signed-exchange.js';
import { addRecords, deleteRRset, rrsetAbsent } from './update-message.js';
import { zoneStateOf, type ZoneState } from './zone-state.js';

export interface Rfc2136ProviderOptions {
  /** The provider id: the key of its applied generations in the store. */
  readonly id: string;
  /** The zones (apexes, canonical) it publishes on that server. */
  readonly zones: readonly string[];
  /** The server's IP address and port (TCP). */
  readonly server: { readonly address: string; readonly port: number };
  /** Signs every update, query and transfer (RFC 8945); absent: unsigned (a server that allows it by address). */
  readonly key?: TsigKey;
  /** Per exchange; default 10000. */
  readonly timeoutMs?: number;
  readonly clock?: Clock;
  readonly random?: Random;
}

/** Registry entries and the marker carry no meaning for resolvers: TTL 0. */
const REGISTRY_TTL_SECONDS = 0;
/** What one group's UPDATE may take: 64 KiB less room for the TSIG record and the markers. */
const GROUP_OCTETS_MAX = MAX_TCP_MESSAGE - 1024;
/** 256 groups keep a regrouping's own UPDATE (every group marker, checked and written) well under 64 KiB. */
const GROUPS_MAX = 256;

export class Rfc2136Provider implements Provider {
  readonly id: string;
  readonly zones: readonly string[];
  private readonly target: ServerTarget;

  constructor(options: Rfc2136ProviderOptions) {
    this.id = options.id;
    this.zones = Object.freeze([...options.zones]);
    this.target = {
      provider: options.id,
      server: options.server,
      key: options.key,
      timeoutMs: options.timeoutMs ?? 10_000,
      clock: options.clock ?? systemClock,
      random: options.random ?? systemRandom,
    };
  }

  /** The marker, by one TXT query over TCP (signed when a key is configured); of a split zone, every group's too. */
  async readFence(zone: string): Promise<FenceRead> {
    if (!this.zones.includes(zone)) return this.notMine(zone);
    const apex = await this.readMarker(zone, markerName(zone));
    if (apex.kind === 'unavailable') return apex;
    const groups = groupCountOf(apex.rdatas);
    if (groups === 1) return { kind: 'read', fence: fenceOfMarker(apex.rdatas) };
    const fences: Fence[] = [];
    for (let i = 0; i < groups; i++) {
      const group = await this.readMarker(zone, groupMarkerName(zone, i));
      if (group.kind === 'unavailable') return group;
      fences.push(fenceOfMarker(group.rdatas));
    }
    return { kind: 'read', fence: zoneFenceOf(fences) };
  }

  async apply(records: ZoneRecords, expected: Fence): Promise<ApplyOutcome> {
    const zone = records.zone;
    if (!this.zones.includes(zone)) return this.notMine(zone);
    // 1. DESIGN invariant 2: never backwards, even under the right fence.
    if (expected.kind === 'generation' && records.generation <= expected.generation) return this.fencedNow(zone);
    // 2.
    const state = await this.readState(zone);
    if (state.kind === 'unavailable') return state;
    if (!isSameFence(state.state.fence, expected)) return { kind: 'fenced', current: state.state.fence };
    // 3.
    const { state: held } = state;
    const changes = ownerChanges(zone, held, records, (owner) => held.groupFences[groupOf(owner, held.groups)].kind !== 'generation');
    let groups = held.groups;
    let groupFences = held.groupFences;
    // 4.
    if (!fitsIn(partition(changes, groups))) {
      const wanted = groupCountThatFits(changes, groups);
      if (wanted === undefined) return unavailable(this.tooBig(zone, changes));
      const regrouped = await this.regroup(zone, held.groups, held.groupFences, wanted);
      if (regrouped.kind !== 'regrouped') return regrouped;
      groups = wanted;
      groupFences = regrouped.groupFences;
    }
    // 5.
    const parts = partition(changes, groups);
    for (let i = 0; i < groups; i++) {
      const current = groupFences[i];
      if (current.kind === 'generation' && current.generation >= records.generation) continue;
      const marker = groups === 1 ? markerName(zone) : groupMarkerName(zone, i);
      const outcome = await fencedUpdate(
        this.target,
        {
          zone,
          what: groups === 1 ? `UPDATE of ${zone} to generation ${records.generation}` : `UPDATE of group ${i} of ${groups} of ${zone} to generation ${records.generation}`,
          conditions: [...this.apexConditions(zone, groups), { name: marker, fence: current }],
          prerequisites: parts[i].flatMap((c) => c.prerequisites),
          updates: parts[i].flatMap((c) => c.updates),
          markers: [{ name: marker, rdata: markerRdata(records.generation) }],
        },
        this.reread(zone),
      );
      switch (outcome.kind) {
        case 'accepted':
          continue;
        case 'fenced':
        case 'unavailable':
          return outcome;
        case 'conflict':
          return unavailable(this.conflict(zone, held, parts[i].map((c) => c.owner)));
        default:
          return unreachable(outcome);
      }
    }
    // 6.
    return this.confirm(records, changes.map((c) => c.owner), groups);
  }

  /**
   * Splits the zone into `wanted` groups in ONE fenced UPDATE of markers only, under the apex
   * marker and every group marker as read. Group j of `wanted` takes the generation of group
   * j mod `groups` (the names it holds were all there); a group that was missing or
   * unparsable starts missing (written whole next, under "does not exist").
   */
  private async regroup(zone: string, groups: number, fences: readonly Fence[], wanted: number): Promise<{ readonly kind: 'regrouped'; readonly groupFences: readonly Fence[] } | ApplyOutcome> {
    const conditions: MarkerCondition[] =
      groups === 1 ? [{ name: markerName(zone), fence: fences[0] }] : [...this.apexConditions(zone, groups), ...fences.map((fence, i) => ({ name: groupMarkerName(zone, i), fence }))];
    const groupFences: Fence[] = Array.from({ length: wanted }, (_, j) => {
      const old = fences[j % groups];
      return old.kind === 'generation' ? old : { kind: 'missing' };
    });
    const outcome = await fencedUpdate(
      this.target,
      {
        zone,
        what: `regrouping of ${zone} from ${groups} to ${wanted} groups`,
        conditions,
        prerequisites: [],
        // A group marker that was not a generation goes: the group starts missing.
        updates: fences.flatMap((f, i) => (groups > 1 && f.kind !== 'generation' ? [deleteRRset(groupMarkerName(zone, i), RRType.TXT)] : [])),
        markers: [
          { name: markerName(zone), rdata: groupsRdata(wanted) },
          ...groupFences.flatMap((f, j) => (f.kind === 'generation' ? [{ name: groupMarkerName(zone, j), rdata: markerRdata(f.generation) }] : [])),
        ],
      },
      this.reread(zone),
    );
    switch (outcome.kind) {
      case 'accepted':
        return { kind: 'regrouped', groupFences };
      case 'fenced':
      case 'unavailable':
        return outcome;
      case 'conflict':
        return unavailable(new ResoluteError('ERR_ASSERTION', 'a regrouping, which has no prerequisite but markers, failed with its markers as read', { where: `${this.id}: ${zone}` }));
      default:
        return unreachable(outcome);
    }
  }

  /** A split zone's every group write also requires the apex to still hold its group count. */
  private apexConditions(zone: string, groups: number): MarkerCondition[] {
    return groups === 1 ? [] : [{ name: markerName(zone), fence: fenceOfMarker([groupsRdata(groups)]) }];
  }

  private reread(zone: string): Reread {
    return {
      marker: async (name) => {
        const read = await this.readMarker(zone, name);
        return read.kind === 'unavailable' ? read : { kind: 'read', fence: fenceOfMarker(read.rdatas) };
      },
      zone: () => this.readFence(zone),
    };
  }

  private async readMarker(zone: string, name: string): Promise<{ readonly kind: 'read'; readonly rdatas: readonly Uint8Array[] } | ProviderUnavailable> {
    const what = `TXT query for ${name}`;
    const answered = await signedExchange(this.target, buildQuery(name, RRType.TXT, { id: 0 }), zone, what);
    if (answered.kind === 'unavailable') return answered;
    const refused = refusalOf(this.target, zone, what, answered.response, true);
    if (refused !== undefined) return unavailable(refused);
    if (!answered.response.aa) return unavailable(refusal(this.target, zone, what, Rcode.NOTAUTH, undefined, 'the answer is not authoritative'));
    return { kind: 'read', rdatas: answered.response.answers.filter((r) => r.type === RRType.TXT && r.name === name).map((r) => r.rdata) };
  }

  private tooBig(zone: string, changes: readonly OwnerChange[]): ResoluteError {
    const where = `${this.id}: zone ${zone} at ${serverText(this.target)}`;
    const biggest = changes.reduce((a, b) => (octetsOf([b]) > octetsOf([a]) ? b : a));
    if (octetsOf([biggest]) > GROUP_OCTETS_MAX) {
      return new ResoluteError('ERR_PROVIDER_REFUSED', `the change of ${biggest.owner} alone takes ${octetsOf([biggest])} octets, over what one UPDATE can carry`, {
        where,
        hint: 'publish fewer or smaller records at that name',
      });
    }
    return new ResoluteError('ERR_PROVIDER_REFUSED', `the change of ${changes.length} names takes ${octetsOf(changes)} octets, more than ${GROUPS_MAX} groups of one UPDATE each can carry`, {
      where,
      hint: 'split the zone into several zones',
    });
  }

  async readBack(zone: string): Promise<ReadBack> {
    if (!this.zones.includes(zone)) return this.notMine(zone);
    const read = await this.readState(zone);
    if (read.kind === 'unavailable') return read;
    return { kind: 'read', fence: read.state.fence, names: read.state.names, foreign: read.state.foreign };
  }

  async close(): Promise<void> {
    // Every exchange opens and closes its own connection: nothing is held.
  }

  /** 6. RFC 2136 §3.4.2.2: what the server serves now, against what was sent, group by group. */
  private async confirm(records: ZoneRecords, owners: readonly string[], groups: number): Promise<ApplyOutcome> {
    const read = await this.readState(records.zone);
    if (read.kind === 'unavailable') return read;
    const { fence, names } = read.state;
    const applied: ApplyOutcome = { kind: 'applied', generation: records.generation };
    // Regrouped since, by a newer writer: ours was applied whole first (every group NOERROR).
    if (read.state.groups !== groups) return fence.kind === 'generation' && fence.generation >= records.generation ? applied : this.ignored(records, fence, []);
    const differing: string[] = [];
    for (let i = 0; i < groups; i++) {
      const group = read.state.groupFences[i];
      if (group.kind !== 'generation' || group.generation < records.generation) return this.ignored(records, group, []);
      // A group above this generation: a newer writer replaced it after ours.
      if (group.generation > records.generation) continue;
      for (const owner of owners) {
        if (groupOf(owner, groups) === i && rrsetsKey(names.get(owner) ?? []) !== rrsetsKey(records.names.get(owner) ?? [])) differing.push(owner);
      }
    }
    return differing.length === 0 ? applied : this.ignored(records, fence, differing);
  }

  private ignored(records: ZoneRecords, fence: Fence, differing: readonly string[]): ApplyOutcome {
    const what =
      differing.length > 0 ? `${differing.slice(0, 5).join(', ')}${differing.length > 5 ? ` and ${differing.length - 5} more` : ''} differ from the update` : `a marker reads ${describeFence(fence)}`;
    return unavailable(
      new ResoluteError('ERR_PROVIDER_IGNORED_UPDATE', `the server answered NOERROR to generation ${records.generation} but ${what}`, {
        where: `${this.id}: zone ${records.zone} at ${serverText(this.target)}`,
        hint: 'RFC 2136 §3.4.2.2 lets a server ignore parts of an update; read its log (a CNAME or DNSSEC record in the way, an update policy that skips some types); reconcile rewrites it',
      }),
    );
  }

  private async readState(zone: string): Promise<{ readonly kind: 'read'; readonly state: ZoneState } | ProviderUnavailable> {
    const where = `${this.id}: zone ${zone} at ${serverText(this.target)}`;
    try {
      const result = await requestZoneTransfer({
        server: this.target.server,
        zone,
        ...(this.target.key === undefined ? {} : { key: this.target.key }),
        timeoutMs: this.target.timeoutMs,
        clock: this.target.clock,
        random: this.target.random,
      });
      switch (result.kind) {
        case 'refused':
          return unavailable(refusal(this.target, zone, `AXFR of ${zone}`, result.rcode, result.tsigError === 0 ? undefined : result.tsigError));
        case 'axfr':
          return { kind: 'read', state: zoneStateOf(zone, [result.soa, ...result.records]) };
        case 'ixfr':
        case 'current':
          return unavailable(new ResoluteError('ERR_XFR_FAILED', `an AXFR was answered as an IXFR`, { where }));
        default:
          return unreachable(result);
      }
    } catch (error) {
      if (error instanceof ResoluteError) {
        const hint = error.code === 'ERR_TSIG_VERIFY' ? 'give the server and the provider the same key name, algorithm and secret, and allow the key to transfer the zone' : 'check that the server runs, and that its transfer ACL allows this host with the key';
        return unavailable(new ResoluteError(error.code, error.reason, { where, hint, cause: error }));
      }
      throw error;
    }
  }

  private async fencedNow(zone: string): Promise<ApplyOutcome> {
    const read = await this.readFence(zone);
    return read.kind === 'read' ? { kind: 'fenced', current: read.fence } : read;
  }

  private conflict(zone: string, state: ZoneState, owners: readonly string[]): ResoluteError {
    const withCname = owners.filter((owner) => state.served.get(owner)?.has(RRType.CNAME) === true);
    return new ResoluteError('ERR_PROVIDER_CONFLICT', `${withCname.length > 0 ? withCname.join(', ') : 'a name being written'} holds a CNAME Resolute did not create, so the update was refused whole`, {
      where: `${this.id}: zone ${zone} at ${serverText(this.target)}`,
      hint: 'remove the CNAME from the zone, or stop managing that name',
    });
  }

  private notMine(zone: string): ProviderUnavailable {
    return unavailable(new ResoluteError('ERR_ASSERTION', `provider ${this.id} does not publish zone ${zone}`, { where: this.id }));
  }
}

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

/** An upper bound of the octets `changes` take in an UPDATE (names uncompressed). */
function octetsOf(changes: readonly OwnerChange[]): number {
  let octets = 0;
  for (const change of changes) {
    for (const rr of [...change.prerequisites, ...change.updates]) octets += nameToWire(rr.name).length + 10 + rr.rdata.length;
  }
  return octets;
}

function fitsIn(parts: readonly (readonly OwnerChange[])[]): boolean {
  return parts.every((part) => octetsOf(part) <= GROUP_OCTETS_MAX);
}

/** The group count, doubling from `groups`, at which every group's change fits in one UPDATE. */
function groupCountThatFits(changes: readonly OwnerChange[], groups: number): number | undefined {
  for (let n = groups * 2; n <= GROUPS_MAX; n *= 2) if (fitsIn(partition(changes, n))) return n;
  return undefined;
}

/** An RRset as the contract compares it: type, TTL, records in order, weights, pick. */
function rrsetKey(rrset: ServedRRset): string {
  return JSON.stringify([rrset.type, rrset.ttlSeconds, rrset.rdatas.map((d) => Buffer.from(d).toString('hex')), rrset.weights ?? null, rrset.pick ?? null]);
}

function rrsetsKey(rrsets: readonly ServedRRset[]): string {
  return [...rrsets].sort((a, b) => a.type - b.type).map(rrsetKey).join('|');
}

function describeFence(fence: Fence): string {
  switch (fence.kind) {
    case 'generation':
      return `generation ${fence.generation}`;
    case 'missing':
      return 'missing';
    case 'unparsable':
      return 'unparsable';
    default:
      return unreachable(fence);
  }
}
