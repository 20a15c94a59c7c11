/**
 * THE fenced write of the RFC 2136 provider (DESIGN, "The safety protocol"): ONE UPDATE
 * message, TSIG-signed, over TCP, whose prerequisite section requires the zone's marker
 * (TXT at `_resolute.<zone>`, or the marker of the group written) to be exactly what the enactor
 * read, and whose update section changes the RRsets that differ AND replaces the marker.
 * RFC 2136 §3.2–§3.4: the server checks every prerequisite before it applies any update, and
 * applies the update section all or nothing, so a stale enactor is refused by the server itself
 * at the instant of its write.
 *
 * | condition on a marker | prerequisite (RFC 2136) |
 * |---|---|
 * | `{ generation: a }` | §2.4.2 "RRset exists (value dependent)": TXT `"a"`, and nothing else |
 * | `{ missing }` | §2.4.3 "RRset does not exist": TXT (adoption) |
 * | `{ unparsable, raw }` | §2.4.2 on the exact records `raw` names (`groups=<n>` on a split zone's apex is one) |
 *
 * Beside them, each owner the update adds records to carries "no CNAME here" (§2.4.3 on CNAME):
 * §3.4.2.2 lets a server silently skip an A added beside a CNAME; this makes the whole message
 * fail instead. A failed prerequisite (YXRRSET, NXRRSET, YXDOMAIN, NXDOMAIN) is answered by
 * re-reading the markers: one changed → `fenced` with the zone's fence now; none changed → a
 * CNAME is in the way (`conflict`).
 */
import { RRType, Rcode } from '../../dns/wire/constants.js';
import type { Message } from '../../dns/wire/message.js';
import type { ResourceRecord } from '../../dns/wire/record.js';
import { unreachable } from '../../base/assert.js';
import type { Fence, FenceRead, ProviderUnavailable } from '../provider.js';
import { markerRdata, markerRdatasOfRaw } from './marker.js';
import { refusalOf, signedExchange, type ServerTarget } from './signed-exchange.js';
import { addRecords, deleteRRset, rrsetAbsent, rrsetIs, updateMessage } from './update-message.js';

export interface MarkerCondition {
  /** The marker's owner: the apex marker, or a group's. */
  readonly name: string;
  /** What it must hold for the write to happen. */
  readonly fence: Fence;
}

export interface FencedUpdate {
  readonly zone: string;
  /** For messages: `UPDATE of demo.test. to generation 7`. */
  readonly what: string;
  readonly conditions: readonly MarkerCondition[];
  /** Prerequisites beside the markers' ("no CNAME" per owner added to). */
  readonly prerequisites: readonly ResourceRecord[];
  /** The RRsets that differ (deletes and adds). */
  readonly updates: readonly ResourceRecord[];
  /** The markers' new values, replaced last in the same message. */
  readonly markers: readonly { readonly name: string; readonly rdata: Uint8Array }[];
}

export type FencedUpdateOutcome =
  /** The server applied the whole message (NOERROR); the caller still reads it back (§3.4.2.2). */
  | { readonly kind: 'accepted' }
  | { readonly kind: 'fenced'; readonly current: Fence }
  /** Every marker is as required, yet a prerequisite failed: a CNAME at an owner being written. */
  | { readonly kind: 'conflict' }
  | ProviderUnavailable;

/** How to re-read after a refusal: one marker, and the zone's whole fence. */
export interface Reread {
  marker(name: string): Promise<FenceRead>;
  zone(): Promise<FenceRead>;
}

export const MARKER_TTL_SECONDS = 0;

export async function fencedUpdate(target: ServerTarget, write: FencedUpdate, reread: Reread): Promise<FencedUpdateOutcome> {
  const message = fencedUpdateMessage(write);
  // A raw value we could not have read: the marker holds something else now.
  if (message === undefined) return rereadZone(reread);
  const answered = await signedExchange(target, message, write.zone, write.what);
  if (answered.kind === 'unavailable') return answered;
  const { rcode } = answered.response;
  if (rcode === Rcode.NOERROR) return { kind: 'accepted' };
  // RFC 2136 §3.2.1–§3.2.3: a prerequisite that does not hold; nothing was changed.
  if (rcode === Rcode.YXRRSET || rcode === Rcode.NXRRSET || rcode === Rcode.YXDOMAIN || rcode === Rcode.NXDOMAIN) {
    for (const condition of write.conditions) {
      const read = await reread.marker(condition.name);
      if (read.kind === 'unavailable') return read;
      if (!isSameFence(read.fence, condition.fence)) return rereadZone(reread);
    }
    return { kind: 'conflict' };
  }
  const refusal = refusalOf(target, write.zone, write.what, answered.response, false);
  return { kind: 'unavailable', cause: refusal as NonNullable<typeof refusal> };
}

/** The UPDATE of `write`: the marker conditions first, the markers replaced last; undefined as markerRecords. */
export function fencedUpdateMessage(write: FencedUpdate): Message | undefined {
  const markers = markerRecords(write);
  if (markers === undefined) return undefined;
  return updateMessage({ id: 0, zone: write.zone, prerequisites: [...markers.prerequisites, ...write.prerequisites], updates: [...write.updates, ...markers.updates] });
}

/**
 * The records of a write's markers: each condition as prerequisites, each new marker value as
 * "delete the TXT, add the value" (replaced last in the message); undefined when a condition's
 * `raw` is not a marker we could have read.
 */
export function markerRecords(write: Pick<FencedUpdate, 'zone' | 'conditions' | 'markers'>): { readonly prerequisites: ResourceRecord[]; readonly updates: ResourceRecord[] } | undefined {
  const prerequisites: ResourceRecord[] = [];
  for (const condition of write.conditions) {
    const records = markerCondition(condition, write.zone);
    if (records === undefined) return undefined;
    prerequisites.push(...records);
  }
  const updates = write.markers.flatMap((m) => [deleteRRset(m.name, RRType.TXT), ...addRecords(m.name, RRType.TXT, MARKER_TTL_SECONDS, [m.rdata])]);
  return { prerequisites, updates };
}

/** The prerequisite records of one marker condition; undefined when `raw` is not a marker we could have read. */
function markerCondition(condition: MarkerCondition, zone: string): ResourceRecord[] | undefined {
  const { name, fence } = condition;
  switch (fence.kind) {
    case 'generation':
      return rrsetIs(name, RRType.TXT, [markerRdata(fence.generation)]);
    case 'missing':
      return [rrsetAbsent(name, RRType.TXT)];
    case 'unparsable': {
      const rdatas = markerRdatasOfRaw(fence.raw, zone);
      return rdatas === undefined ? undefined : rrsetIs(name, RRType.TXT, rdatas);
    }
    default:
      return unreachable(fence);
  }
}

async function rereadZone(reread: Reread): Promise<FencedUpdateOutcome> {
  const read = await reread.zone();
  return read.kind === 'unavailable' ? read : { kind: 'fenced', current: read.fence };
}

export function isSameFence(a: Fence, b: Fence): boolean {
  if (a.kind === 'generation' && b.kind === 'generation') return a.generation === b.generation;
  if (a.kind === 'unparsable' && b.kind === 'unparsable') return a.raw === b.raw;
  return a.kind === b.kind;
}
