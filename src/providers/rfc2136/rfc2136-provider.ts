/**
 * The RFC 2136 provider: publishes zones on any DNS server that takes dynamic updates (BIND 9,
 * Knot DNS, PowerDNS), TSIG-signed, over TCP. Its fence is the marker TXT at `_resolute.<zone>`,
 * checked and replaced by the server in the same UPDATE as the records (fence.ts).
 *
 * apply(records, expected):
 *   1. never backwards: `records.generation` at or below an expected generation ⇒ fenced;
 *   2. read the zone whole (AXFR with TSIG): a fence other than `expected` ⇒ fenced at once
 *      (the UPDATE's prerequisite would refuse it anyway);
 *   3. the changes (owner-changes.ts): per managed owner, the RRsets that differ (delete RRset +
 *      add records), the RRsets of types it no longer has, its registry entry; in a group whose
 *      marker is missing or unparsable nothing held is trusted and every desired RRset is rewritten;
 *   4. a group's change over the UPDATE budget (`maxUpdateBytes`, default 64 KiB): regroup first
 *      (`regroup`: one fenced UPDATE of markers only, doubling the group count until it fits);
 *   5. the fenced writes (fence.ts), groups PACKED (group-writes.ts): as many groups as fit go in
 *      ONE UPDATE carrying each one's marker as read, its changes and its new marker, and the
 *      apex's group count once; the rest in further UPDATEs. A group already above this
 *      generation is left out (never backwards);
 *   6. RFC 2136 §3.4.2.2: read back what was changed — by signed queries pipelined on one TCP
 *      connection (every marker, each changed owner's registry entry and types) when that costs
 *      fewer octets than an AXFR, else by AXFR (read-back-queries.ts); every group's marker at
 *      (or above) this generation and the changed owners as sent ⇒ applied; anything else ⇒
 *      unavailable (ERR_PROVIDER_IGNORED_UPDATE), so the enactor never records a generation the
 *      server does not serve.
 *
 * Why packing is safe: RFC 2136 §3.2 checks every prerequisite of a message before any update,
 * and §3.4 applies its update section all or nothing. A packed UPDATE is therefore exactly the
 * per-group fenced writes of its groups done one after another with nothing in between: each
 * group's marker is still checked by the server at the instant of the write, each group's
 * records and marker still change together (never empty, never backwards, per group), and a
 * refusal (NXRRSET/YXRRSET: one packed group moved, or the group count did) writes none of them;
 * fence.ts then re-reads the markers, as for one group.
 *
 * Why the read before the diff (step 2) stays a whole AXFR, even when the markers still hold what
 * this provider last wrote: the markers fence Resolute's writers only. An operator's edit between
 * two applies leaves them unchanged, so a diff against a remembered zone would not rewrite the
 * edited names, and reconcile's repair of such drift (a new generation with the same content)
 * could be applied by an enactor remembering the zone as clean, without the repair, again and
 * again. Telling edits apart would need the SOA serial too, which servers bump on an UPDATE
 * differently (PowerDNS only with SOA-EDIT-DNSUPDATE). The AXFR keeps the argument simple.
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
import type { ResourceRecord } from '../../dns/wire/record.js';
import type { TsigKey } from '../../dns/wire/tsig-key.js';
import { unreachable } from '../../base/assert.js';
import type { ApplyOutcome, Fence, FenceRead, Provider, ProviderUnavailable, ReadBack, ZoneRecords } from '../provider.js';
import { fencedUpdate, isSameFence, type MarkerCondition, type Reread } from './fence.js';
import { changesOctets, fitsIn, groupCountThatFits, GROUPS_MAX, packGroupWrites, updateBudget, type UpdateBudget } from './group-writes.js';
import { fenceOfMarker, groupCountOf, groupMarkerName, groupOf, groupsRdata, markerName, markerRdata, zoneFenceOf } from './marker.js';
import { ownerChanges, partition, rrsetsKey, type OwnerChange } from './owner-changes.js';
import { isQueryReadCheaper, ownersWithUnaskedTypes, readBackPlan, type ReadBackQuestion } from './read-back-queries.js';
import { refusal, refusalOf, serverText, signedExchange, signedExchangeMany, tcpTransport, unavailable, type Rfc2136Transport, type ServerTarget } from './signed-exchange.js';
import { deleteRRset } from './update-message.js';
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
  /** Default TCP; the simulator passes an in-process server model's. */
  readonly transport?: Rfc2136Transport;
  /**
   * What one UPDATE may take, TSIG included; default 65535 (what a DNS message can carry). A
   * test and simulation knob: a small budget makes a small zone split into groups, so grouping,
   * packing and regrouping run where a zone of a few names would never need them.
   */
  readonly maxUpdateBytes?: number;
}


export class Rfc2136Provider implements Provider {
  readonly id: string;
  readonly zones: readonly string[];
  private readonly target: ServerTarget & { readonly transport: Rfc2136Transport };
  private readonly budgets: ReadonlyMap<string, UpdateBudget>;

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
      transport: options.transport ?? tcpTransport,
    };
    this.budgets = new Map(this.zones.map((zone) => [zone, updateBudget(zone, options.key, options.maxUpdateBytes)]));
  }

  /** Its configured zones, whatever the plan holds: a change of `providers:` needs a restart. */
  zonesFor(): readonly string[] {
    return this.zones;
  }

  /** The marker, by one TXT query over TCP (signed when a key is configured); of a split zone, then every group's, pipelined on one connection. */
  async readFence(zone: string): Promise<FenceRead> {
    if (!this.zones.includes(zone)) return this.notMine(zone);
    const apex = await this.readMarker(zone, markerName(zone));
    if (apex.kind === 'unavailable') return apex;
    const groups = groupCountOf(apex.rdatas);
    if (groups === 1) return { kind: 'read', fence: fenceOfMarker(apex.rdatas) };
    const questions = Array.from({ length: groups }, (_, i) => ({ name: groupMarkerName(zone, i), type: RRType.TXT }));
    const read = await this.readRRsets(zone, questions);
    if (read.kind === 'unavailable') return read;
    const fences = questions.map((q) => fenceOfMarker(read.state.served.get(q.name)?.get(RRType.TXT)?.rdatas ?? []));
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
    const budget = this.budgets.get(zone) as UpdateBudget;
    let groupFences = held.groupFences;
    // 4.
    if (!fitsIn(partition(changes, held.groups), budget)) {
      const wanted = groupCountThatFits(changes, held.groups, budget);
      if (wanted === undefined) return unavailable(this.tooBig(zone, changes, budget));
      const regrouped = await this.regroup(zone, held.groups, held.groupFences, wanted);
      if (regrouped.kind !== 'regrouped') return regrouped;
      groupFences = regrouped.groupFences;
    }
    // 5.
    const writes = packGroupWrites({ zone, generation: records.generation, groupFences, parts: partition(changes, groupFences.length), budget });
    for (const write of writes) {
      const outcome = await fencedUpdate(this.target, write.update, this.reread(zone));
      switch (outcome.kind) {
        case 'accepted':
          continue;
        case 'fenced':
        case 'unavailable':
          return outcome;
        case 'conflict':
          return unavailable(this.conflict(zone, held, write.owners));
        default:
          return unreachable(outcome);
      }
    }
    // 6.
    return this.confirm(records, changes.map((c) => c.owner), groupFences.length, held);
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

  private tooBig(zone: string, changes: readonly OwnerChange[], budget: UpdateBudget): ResoluteError {
    const where = `${this.id}: zone ${zone} at ${serverText(this.target)}`;
    const biggest = changes.reduce((a, b) => (changesOctets([b], zone) > changesOctets([a], zone) ? b : a));
    if (changesOctets([biggest], zone) > budget.groupOctetsMax) {
      return new ResoluteError('ERR_PROVIDER_REFUSED', `the change of ${biggest.owner} alone takes ${changesOctets([biggest], zone)} octets, over what one UPDATE can carry`, {
        where,
        hint: 'publish fewer or smaller records at that name',
      });
    }
    return new ResoluteError('ERR_PROVIDER_REFUSED', `the change of ${changes.length} names takes ${changesOctets(changes, zone)} octets, more than ${GROUPS_MAX} groups of one UPDATE each can carry`, {
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

  /**
   * 6. RFC 2136 §3.4.2.2: what the server serves now, against what was sent, group by group —
   * read by queries when the change is small, else by AXFR (read-back-queries.ts).
   */
  private async confirm(records: ZoneRecords, owners: readonly string[], groups: number, held: ZoneState): Promise<ApplyOutcome> {
    const plan = readBackPlan(records.zone, groups, owners, records, held);
    const isByQueries = isQueryReadCheaper(plan, held, this.target.key);
    let read = isByQueries ? await this.readRRsets(records.zone, plan.questions) : await this.readState(records.zone);
    if (read.kind === 'unavailable') return read;
    let how = isByQueries ? `read back by ${plan.questions.length} queries` : 'read back by AXFR';
    // Regrouped since (the groups asked are not the zone's): look at the whole zone.
    if (isByQueries && read.state.groups !== groups) {
      read = await this.readState(records.zone);
      if (read.kind === 'unavailable') return read;
      how = 'read back by AXFR';
    }
    const { fence, names } = read.state;
    const applied: ApplyOutcome = { kind: 'applied', generation: records.generation };
    // Regrouped since, by a newer writer: ours was applied whole first (every group NOERROR).
    if (read.state.groups !== groups) return fence.kind === 'generation' && fence.generation >= records.generation ? applied : this.ignored(records, fence, [], how);
    const unasked = new Set(isByQueries ? ownersWithUnaskedTypes(read.state, plan.asked) : []);
    const differing: string[] = [];
    for (let i = 0; i < groups; i++) {
      const group = read.state.groupFences[i];
      if (group.kind !== 'generation' || group.generation < records.generation) return this.ignored(records, group, [], how);
      // A group above this generation: a newer writer replaced it after ours.
      if (group.generation > records.generation) continue;
      for (const owner of owners) {
        if (groupOf(owner, groups) !== i) continue;
        if (unasked.has(owner) || rrsetsKey(names.get(owner) ?? []) !== rrsetsKey(records.names.get(owner) ?? [])) differing.push(owner);
      }
    }
    return differing.length === 0 ? applied : this.ignored(records, fence, differing, how);
  }

  /** The answers to `questions` (pipelined, signed), as the records of a zone: the RRsets asked, nothing else. */
  private async readRRsets(zone: string, questions: readonly ReadBackQuestion[]): Promise<{ readonly kind: 'read'; readonly state: ZoneState } | ProviderUnavailable> {
    const what = `${questions.length} pipelined queries`;
    const answered = await signedExchangeMany(this.target, questions.map((q) => buildQuery(q.name, q.type, { id: 0 })), zone, what);
    if (answered.kind === 'unavailable') return answered;
    const records: ResourceRecord[] = [];
    for (const [i, response] of answered.responses.entries()) {
      const refused = refusalOf(this.target, zone, what, response, true);
      if (refused !== undefined) return unavailable(refused);
      if (!response.aa) return unavailable(refusal(this.target, zone, what, Rcode.NOTAUTH, undefined, 'the answer is not authoritative'));
      // A CNAME at the owner answers a question of another type: not the RRset asked.
      records.push(...response.answers.filter((r) => r.name === questions[i].name && r.type === questions[i].type));
    }
    return { kind: 'read', state: zoneStateOf(zone, records) };
  }

  private ignored(records: ZoneRecords, fence: Fence, differing: readonly string[], how: string): ApplyOutcome {
    const what =
      differing.length > 0 ? `${differing.slice(0, 5).join(', ')}${differing.length > 5 ? ` and ${differing.length - 5} more` : ''} differ from the update` : `a marker reads ${describeFence(fence)}`;
    return unavailable(
      new ResoluteError('ERR_PROVIDER_IGNORED_UPDATE', `the server answered NOERROR to generation ${records.generation} but ${what} (${how})`, {
        where: `${this.id}: zone ${records.zone} at ${serverText(this.target)}`,
        hint: 'RFC 2136 §3.4.2.2 lets a server ignore parts of an update; read its log (a CNAME or DNSSEC record in the way, an update policy that skips some types); reconcile rewrites it',
      }),
    );
  }

  private async readState(zone: string): Promise<{ readonly kind: 'read'; readonly state: ZoneState } | ProviderUnavailable> {
    const where = `${this.id}: zone ${zone} at ${serverText(this.target)}`;
    try {
      const result = await this.target.transport.transfer({
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
