/**
 * Steps 4–5 of an apply (rfc2136-provider.ts): how a zone's change is cut into UPDATE messages.
 *
 * - The budget: what one UPDATE may take (`maxUpdateBytes`, default 65535, RFC 1035 §4.2.2), less
 *   what every message carries beside the changes (header, zone section, TSIG record, the apex's
 *   group count, one group's marker condition and replacement). A group's change must fit in
 *   what is left (`groupOctetsMax`), or the zone is regrouped (doubling, `groupCountThatFits`).
 * - Packing: the groups to write are taken in order and as many as fit go in ONE message: every
 *   included group's marker condition (as read) and marker replacement, their changes, and the
 *   apex's group count once. RFC 2136 §3.2 checks every prerequisite before any update and §3.4
 *   applies the update section all or nothing, so a packed message IS the per-group fenced
 *   writes of its groups done at one instant: each group's fence is still checked by the server
 *   at the write, and a refusal writes none of them. Groups that do not fit go in further
 *   messages. Pure: no I/O.
 */
import { ResoluteError } from '../../base/errors.js';
import { RRType } from '../../dns/wire/constants.js';
import { nameToWire } from '../../dns/wire/name.js';
import { algorithmName, type TsigKey } from '../../dns/wire/tsig-key.js';
import type { Fence } from '../provider.js';
import { markerRecords, type FencedUpdate, type MarkerCondition } from './fence.js';
import { fenceOfMarker, groupMarkerName, groupsRdata, markerName, markerRdata } from './marker.js';
import { partition, type OwnerChange } from './owner-changes.js';
import { MAX_TCP_MESSAGE } from './signed-exchange.js';
import { recordsOctets, rrsetIs } from './update-message.js';

/** 256 groups keep a regrouping's own UPDATE (every group marker, checked and written) well under 64 KiB. */
export const GROUPS_MAX = 256;
/** The largest generation a marker holds (2^64 - 1): 20 digits. */
const GENERATION_MAX = 2n ** 64n - 1n;
/** Below this a group could not hold one owner of a few records and its registry entry. */
const GROUP_OCTETS_MIN = 256;

export interface UpdateBudget {
  readonly zone: string;
  /** What one UPDATE may take, TSIG included. */
  readonly messageOctetsMax: number;
  /** What every UPDATE carries beside its groups: header, zone section, TSIG, the apex's group count. */
  readonly baseOctets: number;
  /** What one group's changes may take, so that the group alone fits in a message. */
  readonly groupOctetsMax: number;
}

/** The budget of a zone's UPDATEs; `maxUpdateBytes` too small to carry one group throws (a programming error). */
export function updateBudget(zone: string, key: TsigKey | undefined, maxUpdateBytes: number = MAX_TCP_MESSAGE): UpdateBudget {
  // RFC 8945 §4.2: owner, RR header, algorithm, time (6), fudge, MAC size, MAC (≤ 64), original ID, error, other length, other (6).
  const tsig = key === undefined ? 0 : nameToWire(key.name).length + 10 + nameToWire(algorithmName(key.algorithm)).length + 6 + 2 + 2 + 64 + 2 + 2 + 2 + 6;
  const apexCondition = recordsOctets(rrsetIs(markerName(zone), RRType.TXT, [groupsRdata(GROUPS_MAX)]), zone);
  const baseOctets = 12 + nameToWire(zone).length + 4 + tsig + apexCondition;
  const markerOctets = groupMarkerOctets(zone, GROUPS_MAX - 1, { kind: 'generation', generation: GENERATION_MAX }, GENERATION_MAX);
  const groupOctetsMax = Math.min(maxUpdateBytes, MAX_TCP_MESSAGE) - baseOctets - markerOctets;
  if (groupOctetsMax < GROUP_OCTETS_MIN) {
    throw new ResoluteError('ERR_ASSERTION', `maxUpdateBytes ${maxUpdateBytes} leaves ${groupOctetsMax} octets for a group's change`, {
      where: `rfc2136 provider, zone ${zone}`,
      hint: `give at least ${maxUpdateBytes - groupOctetsMax + GROUP_OCTETS_MIN} (the default, 65535, is what a DNS message can carry)`,
    });
  }
  return { zone, messageOctetsMax: Math.min(maxUpdateBytes, MAX_TCP_MESSAGE), baseOctets, groupOctetsMax };
}

/** An upper bound of the octets `changes` take in an UPDATE of `zone` (recordsOctets). */
export function changesOctets(changes: readonly OwnerChange[], zone: string): number {
  let octets = 0;
  for (const change of changes) octets += recordsOctets(change.prerequisites, zone) + recordsOctets(change.updates, zone);
  return octets;
}

export function fitsIn(parts: readonly (readonly OwnerChange[])[], budget: UpdateBudget): boolean {
  return parts.every((part) => changesOctets(part, budget.zone) <= budget.groupOctetsMax);
}

/** The group count, doubling from `groups`, at which every group's change fits in one UPDATE. */
export function groupCountThatFits(changes: readonly OwnerChange[], groups: number, budget: UpdateBudget): number | undefined {
  for (let n = groups * 2; n <= GROUPS_MAX; n *= 2) if (fitsIn(partition(changes, n), budget)) return n;
  return undefined;
}

/** One UPDATE of packed groups, and the owners it writes (for a conflict's message). */
export interface GroupWrite {
  readonly update: FencedUpdate;
  readonly groups: readonly number[];
  readonly owners: readonly string[];
}

export interface GroupWritesInput {
  readonly zone: string;
  readonly generation: bigint;
  /** Each group's fence as read (or as the regrouping left it); its length is the group count. */
  readonly groupFences: readonly Fence[];
  /** Each group's changes (`partition`). */
  readonly parts: readonly (readonly OwnerChange[])[];
  readonly budget: UpdateBudget;
}

/**
 * Step 5: the UPDATEs that take every group to `generation`, as few as fit. A group already at or
 * above `generation` is left out (never backwards). Each message carries, per included group, its
 * marker as read and its new marker; on a split zone also the apex's `groups=<n>`, once.
 */
export function packGroupWrites(input: GroupWritesInput): GroupWrite[] {
  const { zone, generation, groupFences, parts, budget } = input;
  const groups = groupFences.length;
  const apex: MarkerCondition[] = groups === 1 ? [] : [{ name: markerName(zone), fence: fenceOfMarker([groupsRdata(groups)]) }];
  const room = budget.messageOctetsMax - budget.baseOctets;
  const writes: GroupWrite[] = [];
  let packed: number[] = [];
  let used = 0;
  const flush = (): void => {
    if (packed.length === 0) return;
    writes.push(groupWrite(input, apex, packed));
    packed = [];
    used = 0;
  };
  for (let i = 0; i < groups; i++) {
    const current = groupFences[i];
    if (current.kind === 'generation' && current.generation >= generation) continue;
    const octets = changesOctets(parts[i], zone) + groupMarkerOctets(zone, groups === 1 ? undefined : i, current, generation);
    if (packed.length > 0 && used + octets > room) flush();
    packed.push(i);
    used += octets;
  }
  flush();
  return writes;
}

function groupWrite(input: GroupWritesInput, apex: readonly MarkerCondition[], packed: readonly number[]): GroupWrite {
  const { zone, generation, groupFences, parts } = input;
  const groups = groupFences.length;
  const marker = (i: number): string => (groups === 1 ? markerName(zone) : groupMarkerName(zone, i));
  const changes = packed.flatMap((i) => parts[i]);
  return {
    groups: packed,
    owners: changes.map((c) => c.owner),
    update: {
      zone,
      what: groups === 1 ? `UPDATE of ${zone} to generation ${generation}` : `UPDATE of ${groupsText(packed)} of ${groups} of ${zone} to generation ${generation}`,
      conditions: [...apex, ...packed.map((i) => ({ name: marker(i), fence: groupFences[i] }))],
      prerequisites: changes.flatMap((c) => c.prerequisites),
      updates: changes.flatMap((c) => c.updates),
      markers: packed.map((i) => ({ name: marker(i), rdata: markerRdata(generation) })),
    },
  };
}

/** The octets of one group's marker condition and replacement (`index` undefined: the apex marker of an unsplit zone). */
function groupMarkerOctets(zone: string, index: number | undefined, fence: Fence, generation: bigint): number {
  const name = index === undefined ? markerName(zone) : groupMarkerName(zone, index);
  const records = markerRecords({ zone, conditions: [{ name, fence }], markers: [{ name, rdata: markerRdata(generation) }] });
  // A raw value that is not a marker: the write is refused before it is sent (fence.ts).
  return records === undefined ? 0 : recordsOctets(records.prerequisites, zone) + recordsOctets(records.updates, zone);
}

/** `group 3`, `groups 0–63`, `5 groups (0, 2, 7, …)`. */
function groupsText(indices: readonly number[]): string {
  if (indices.length === 1) return `group ${indices[0]}`;
  const isRun = indices.every((g, k) => k === 0 || g === indices[k - 1] + 1);
  if (isRun) return `groups ${indices[0]}–${indices[indices.length - 1]}`;
  return `${indices.length} groups (${indices.slice(0, 4).join(', ')}${indices.length > 4 ? ', …' : ''})`;
}
