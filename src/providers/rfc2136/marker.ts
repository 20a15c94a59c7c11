/**
 * The names Resolute keeps of its own in a zone it drives by RFC 2136 — all under
 * `_resolute.<zone>`, so a glance at the zone shows them and a transfer carries them:
 *
 * | owner | type | content | role |
 * |---|---|---|---|
 * | `_resolute.<zone>` | TXT | one string: the generation in decimal (`"42"`) | THE marker: the fence (fence.ts) |
 * | `<h>._resolute.<zone>` | TXT | `"resolute-owner"`, the owner name, then per RRset `t=<type>` [`p=<pick>`] and per record `r=<hex rdata>[:<weight>]` | the registry: one per managed owner |
 *
 * `<h>` is the first 32 hex digits of SHA-256 of the canonical owner name: a fixed-length label
 * whatever the owner's length. The registry is the ownership record (external-dns's TXT
 * registry): a name is Resolute's if and only if it has an entry; anything else in the zone is
 * foreign and never touched. It also carries what a DNS server cannot (the weights, `pick`, the
 * order of the records), so a read-back gives the `ServedRRset`s that were applied; the served
 * records themselves always come from the server, so drift shows.
 */
import { createHash } from 'node:crypto';
import { RRType } from '../../dns/wire/constants.js';
import { rdataFromText, rdataToText } from '../../dns/wire/rdata-text.js';
import type { ServedRRset } from '../../dns/zone/zone-table.js';
import type { Fence } from '../provider.js';
import { presentationFields } from '../static-record-rdata.js';

export const MARKER_LABEL = '_resolute';
const REGISTRY_TAG = 'resolute-owner';
const GENERATION_TEXT = /^(0|[1-9][0-9]{0,19})$/;

export function markerName(zone: string): string {
  return `${MARKER_LABEL}.${zone}`;
}

/** The marker of group `index` of a zone split into groups (the apex marker then holds `groups=<n>`). */
export function groupMarkerName(zone: string, index: number): string {
  return `g${index}.${markerName(zone)}`;
}

/** The group of `owner` among `groups`: a fixed hash of the owner name (first 4 octets of SHA-256, mod n). */
export function groupOf(owner: string, groups: number): number {
  return groups === 1 ? 0 : Number.parseInt(ownerDigestHex(owner).slice(0, 8), 16) % groups;
}

/**
 * SHA-256 of an owner name in hex, remembered: one apply hashes every managed owner several
 * times (its registry name in the read, the diff and the read-back; its group): about 40,000
 * hashes per apply to a 10,000-name zone otherwise, a fifth of its CPU time (bench:apply).
 * A pure function, so remembering changes nothing but the time; forgotten whole past a bound.
 */
const ownerDigests = new Map<string, string>();
const OWNER_DIGESTS_MAX = 300_000;

function ownerDigestHex(owner: string): string {
  let digest = ownerDigests.get(owner);
  if (digest === undefined) {
    if (ownerDigests.size >= OWNER_DIGESTS_MAX) ownerDigests.clear();
    digest = createHash('sha256').update(owner).digest('hex');
    ownerDigests.set(owner, digest);
  }
  return digest;
}

export function groupsRdata(groups: number): Uint8Array {
  return txtRdata([`groups=${groups}`]);
}

/** The group count an apex marker names (`groups=<n>`, n ≥ 2); 1 for any other marker (the marker is then the zone's one fence). */
export function groupCountOf(apexRdatas: readonly Uint8Array[]): number {
  if (apexRdatas.length !== 1) return 1;
  const strings = txtStrings(apexRdatas[0]);
  const match = strings !== undefined && strings.length === 1 ? /^groups=([1-9][0-9]{0,3})$/.exec(strings[0]) : null;
  return match === null || Number(match[1]) < 2 ? 1 : Number(match[1]);
}

/**
 * The zone's fence from its groups' fences: one group → its marker; every group at a
 * generation → the LOWEST (the provider's applied generation is the lowest over its groups);
 * every group marker missing → missing; a mix → unparsable, describing each group.
 */
export function zoneFenceOf(groupFences: readonly Fence[]): Fence {
  if (groupFences.length === 1) return groupFences[0];
  if (groupFences.every((f) => f.kind === 'generation')) {
    return { kind: 'generation', generation: groupFences.reduce((min, f) => (f.kind === 'generation' && f.generation < min ? f.generation : min), (groupFences[0] as { generation: bigint }).generation) };
  }
  if (groupFences.every((f) => f.kind === 'missing')) return { kind: 'missing' };
  const describe = (f: Fence): string => (f.kind === 'generation' ? `${f.generation}` : f.kind === 'missing' ? '-' : '?');
  return { kind: 'unparsable', raw: `groups=${groupFences.length} ${groupFences.map(describe).join(' ')}` };
}

export function registryName(zone: string, owner: string): string {
  return `${ownerDigestHex(owner).slice(0, 32)}.${markerName(zone)}`;
}

/** Whether `name` is one of Resolute's own names in `zone` (the marker or a registry entry). */
export function isResoluteName(zone: string, name: string): boolean {
  const marker = markerName(zone);
  return name === marker || name.endsWith(`.${marker}`);
}

/** TXT rdata: each string behind its length octet (RFC 1035 §3.3.14). */
export function txtRdata(strings: readonly string[]): Uint8Array {
  const parts: Buffer[] = [];
  for (const s of strings) {
    const octets = Buffer.from(s, 'utf8');
    if (octets.length > 255) throw new RangeError(`a TXT string of ${octets.length} octets`);
    parts.push(Buffer.from([octets.length]), octets);
  }
  return new Uint8Array(Buffer.concat(parts));
}

/** The strings of a TXT rdata, or undefined when the lengths do not add up. */
export function txtStrings(rdata: Uint8Array): string[] | undefined {
  const strings: string[] = [];
  for (let i = 0; i < rdata.length; ) {
    const length = rdata[i];
    if (i + 1 + length > rdata.length) return undefined;
    strings.push(Buffer.from(rdata.subarray(i + 1, i + 1 + length)).toString('utf8'));
    i += 1 + length;
  }
  return strings;
}

export function markerRdata(generation: bigint): Uint8Array {
  return txtRdata([generation.toString()]);
}

/**
 * The fence a marker RRset gives: none → missing; one record of one decimal string →
 * generation; anything else → unparsable, its `raw` the records in presentation form, sorted,
 * one per line (so `markerRdatasOfRaw` rebuilds the exact RRset for an RFC 2136 §2.4.2
 * "exists, value dependent" prerequisite).
 */
export function fenceOfMarker(rdatas: readonly Uint8Array[]): Fence {
  if (rdatas.length === 0) return { kind: 'missing' };
  if (rdatas.length === 1) {
    const strings = txtStrings(rdatas[0]);
    if (strings !== undefined && strings.length === 1 && GENERATION_TEXT.test(strings[0])) {
      return { kind: 'generation', generation: BigInt(strings[0]) };
    }
  }
  return { kind: 'unparsable', raw: rdatas.map((r) => rdataToText(RRType.TXT, r)).sort().join('\n') };
}

/** The marker RRset an unparsable fence names (see fenceOfMarker); undefined if `raw` is not one we produce. */
export function markerRdatasOfRaw(raw: string, zone: string): Uint8Array[] | undefined {
  try {
    return raw.split('\n').map((line) => rdataFromText(RRType.TXT, presentationFields(line), zone));
  } catch {
    return undefined;
  }
}

/** What the registry holds for one RRset of a managed owner. */
export interface RegisteredRRset {
  readonly type: number;
  readonly pick: number | undefined;
  /** The rdatas in the order applied, each with its weight when the RRset had weights. */
  readonly records: readonly { readonly rdataHex: string; readonly weight: number | undefined }[];
}

export interface RegistryEntry {
  readonly owner: string;
  readonly rrsets: readonly RegisteredRRset[];
}

/** One owner's registry TXT rdata: its strings as in the table above. */
export function registryRdata(owner: string, rrsets: readonly ServedRRset[]): Uint8Array {
  const strings = [REGISTRY_TAG, owner];
  for (const rrset of [...rrsets].sort((a, b) => a.type - b.type)) {
    strings.push(rrset.pick === undefined ? `t=${rrset.type}` : `t=${rrset.type} p=${rrset.pick}`);
    rrset.rdatas.forEach((rdata, i) => {
      const hex = Buffer.from(rdata).toString('hex');
      const weight = rrset.weights?.[i];
      // A record over 127 octets of rdata is split: `r=` then `+` continuation strings.
      const text = weight === undefined ? `r=${hex}` : `r=${hex}:${weight}`;
      for (let at = 0; at < text.length; at += 250) strings.push(at === 0 ? text.slice(0, 250) : `+${text.slice(at, at + 250)}`);
    });
  }
  return txtRdata(strings);
}

/** The entry a registry TXT rdata holds, or undefined for a TXT that is not one. */
export function parseRegistryRdata(rdata: Uint8Array): RegistryEntry | undefined {
  const strings = txtStrings(rdata);
  if (strings === undefined || strings.length < 2 || strings[0] !== REGISTRY_TAG) return undefined;
  const rrsets: { type: number; pick: number | undefined; records: { rdataHex: string; weight: number | undefined }[] }[] = [];
  const texts: string[] = [];
  for (const s of strings.slice(2)) {
    if (s.startsWith('+') && texts.length > 0) texts[texts.length - 1] += s.slice(1);
    else texts.push(s);
  }
  for (const text of texts) {
    const typeMatch = /^t=(\d+)(?: p=(\d+))?$/.exec(text);
    if (typeMatch !== null) {
      rrsets.push({ type: Number(typeMatch[1]), pick: typeMatch[2] === undefined ? undefined : Number(typeMatch[2]), records: [] });
      continue;
    }
    const recordMatch = /^r=([0-9a-f]*)(?::(\d+(?:\.\d+)?))?$/.exec(text);
    const current = rrsets[rrsets.length - 1];
    if (recordMatch === null || current === undefined) return undefined;
    current.records.push({ rdataHex: recordMatch[1], weight: recordMatch[2] === undefined ? undefined : Number(recordMatch[2]) });
  }
  return { owner: strings[1], rrsets };
}
