/**
 * Builds answer tables: whole (a zone file loaded) or as a change of k names to a previous table
 * (a plan applied), in O(k) — the previous table keeps answering while the new one is built,
 * and shares every node the change did not touch.
 *
 * Steps of a change:
 *  1. drafts: the changed names' new RRsets, their kind (authoritative, cut, below a cut), and
 *     the empty non-terminals (RFC 8020) they create or leave behind, with child counts;
 *  2. dependants: names whose precomputed answers read a changed name — CNAME chains that pass
 *     through it, delegations whose glue it is, the apex when the SOA changes;
 *  3. answers precomputed for drafts and dependants (answer-encoder.ts), nodes written into the
 *     trie under one edit token, the zone's state replaced, a new ZoneTable returned.
 * A change that adds or removes a delegation below the apex changes the kind of every name under
 * it, so it rebuilds that one zone (still without touching the others).
 */
import { assert } from '../../base/assert.js';
import { ResoluteError } from '../../base/errors.js';
import { RRType } from '../wire/constants.js';
import { nameFromWire, nameToWire, parentName } from '../wire/name.js';
import type { RRset } from '../wire/record.js';
import { cnameTarget, CNAME_HOPS_MAX, encodeNegativeSoa, encodeNodeAnswers, encodeNxdomain, encodeServfail } from './answer-encoder.js';
import { hashWireName } from './name-hash.js';
import { AnswerArena } from './answer-arena.js';
import { NameTrie, rootBitsFor, type NameTrieEditor } from './name-trie.js';
import { PackedIndex, type PackedIndexEditor } from './packed-index.js';
import { copyRecord, packName } from './packed-record.js';
import { AnswersByType } from './answers-by-type.js';
import { NodeKind, ZoneTable, type NameNode, type ServedRRset, type ZoneState } from './zone-table.js';

/** What a table is built from: a zone file's Zone satisfies it, and so will a plan's zones. */
export interface ZoneContent {
  readonly origin: string;
  readonly soa: RRset;
  readonly rrsets: ReadonlyMap<string, ReadonlyMap<number, ServedRRset>>;
}

/** A name's new RRsets in a change; an empty map (or null) removes the name's data. */
export type NameChange = ReadonlyMap<number, ServedRRset> | null;

const NO_RRSETS: ReadonlyMap<number, ServedRRset> = new Map();

/** The data of a node before its answers are computed. */
export interface NodeDraft {
  readonly name: string;
  readonly zoneIndex: number;
  readonly kind: NodeKind;
  readonly rrsets: ReadonlyMap<number, ServedRRset>;
  children: number;
}

/** Reads names through the drafts of a change, then the previous table. */
export interface NameView {
  node(name: string): NodeDraft | undefined;
  zone(index: number): ZoneState;
}

export interface TableOptions {
  /** The snapshot's version (a plan generation); defaults to the previous one plus 1. */
  readonly version?: bigint;
  /** Origins served with no data: every query in them gets SERVFAIL. */
  readonly unavailable?: readonly string[];
}

/** A table serving `zones` (the deepest zone wins where one contains another). */
export function buildZoneTable(zones: readonly ZoneContent[], options: TableOptions = {}): ZoneTable {
  const origins = new Set(zones.map((z) => z.origin));
  assert(origins.size === zones.length, 'each zone is given once');
  const unavailable = new Set(options.unavailable ?? []);
  const drafts = new Map<string, NodeDraft>();
  const states: ZoneState[] = [];
  zones.forEach((zone, index) => {
    const placed = placeZone(zone, index, origins, drafts);
    states.push(zoneState(zone, index, placed, unavailable.has(zone.origin)));
  });
  const view = draftView(drafts, states, undefined);
  let index = PackedIndex.empty(new AnswerArena(), drafts.size);
  const names = NameTrie.empty<NameNode>(rootBitsFor(drafts.size)).edit((trie) => {
    index = index.edit((packed) => {
      for (const draft of drafts.values()) writeNode(trie, packed, index.arena, draft, view);
    });
  });
  return new ZoneTable(names, states, options.version ?? 0n, index);
}

/**
 * A new table where the names of `changes` (all in the zone `origin`) have their new RRsets,
 * and the zone its new SOA when `soa` is given. `table` is unchanged and keeps answering.
 */
export function updateZoneTable(
  table: ZoneTable,
  origin: string,
  changes: ReadonlyMap<string, NameChange>,
  options: TableOptions & { readonly soa?: RRset } = {},
): ZoneTable {
  const zone = table.zone(origin);
  if (zone === undefined) {
    throw new ResoluteError('ERR_ZONE_INVALID', `zone ${origin} is not served by this table`, {
      hint: 'add the zone before changing its names',
    });
  }
  const version = options.version ?? table.version + 1n;
  const soa = options.soa ?? zone.soa;
  if (changesDelegation(table, zone, changes)) return rebuildZone(table, zone, changes, soa, version);

  const drafts = new Map<string, NodeDraft | null>();
  const states = table.zones.slice();
  const view = draftView(drafts, states, table);
  let cnameOwners = new Set(zone.cnameOwners);
  const changed = new Set<string>();

  for (const [name, rrsetsOrNull] of changes) {
    checkInZone(table, zone, name);
    // The apex always keeps its SOA (the zone's, given apart from the changes).
    const rrsets = name === zone.origin ? withSoa(rrsetsOrNull ?? NO_RRSETS, soa) : (rrsetsOrNull ?? NO_RRSETS);
    changed.add(name);
    const old = view.node(name);
    if (rrsets.has(RRType.CNAME)) cnameOwners.add(name);
    else if (cnameOwners.has(name)) cnameOwners = withoutName(cnameOwners, name);
    if (rrsets.size === 0 && name !== zone.origin) {
      if (old === undefined) continue;
      if (old.children > 0) drafts.set(name, { ...draftOf(old), rrsets: NO_RRSETS });
      else removeName(drafts, view, name, zone.origin);
      continue;
    }
    const kind = old?.kind ?? kindOf(name, zone, view);
    drafts.set(name, { name, zoneIndex: zone.index, kind, rrsets, children: old?.children ?? 0 });
    if (old === undefined) addParents(drafts, view, name, zone);
  }

  const soaChanged = soa !== zone.soa;
  const nameCount = zone.nameCount + countDelta(drafts, table);
  states[zone.index] = zoneState({ origin, soa }, zone.index, {
    cnameOwners: [...cnameOwners],
    cutOwners: zone.cutOwners,
    nameCount,
  }, zone.servfail !== undefined, zone);

  // Dependants: the apex holds the SOA answer; chains and referrals read other names.
  if (soaChanged && !changes.has(zone.origin)) {
    const apex = view.node(zone.origin) as NodeDraft;
    drafts.set(zone.origin, { ...draftOf(apex), rrsets: withSoa(apex.rrsets, soa) });
  }
  // Every name drafted counts as changed: empty non-terminals created or removed with a changed
  // name (a chain ending there turns NODATA ⇄ NXDOMAIN), and the apex when its SOA changed.
  for (const name of drafts.keys()) changed.add(name);
  for (const owner of cnameOwners) if (chainReads(owner, changed, view, zone)) touch(drafts, view, owner);
  for (const cut of zone.cutOwners) if (referralReads(cut, changed, view)) touch(drafts, view, cut);

  let index = table.index;
  const names = table.names.edit((trie) => {
    index = index.edit((packed) => {
      for (const [name, draft] of drafts) {
        if (draft === null) {
          const key = nameToWire(name);
          const hash = hashWireName(key, 0);
          trie.delete(hash, key);
          packed.set(hash, key, -1);
        } else {
          writeNode(trie, packed, index.arena, draft, view);
        }
      }
    });
  });
  return compacted(new ZoneTable(names, states, version, index));
}

/**
 * Replaced records stay in the shared arena for the versions that still read them; once the
 * arena holds more garbage than live records, the next version repacks every name into a new
 * arena: O(n) once per O(n) changed octets, so O(k) per change over time.
 */
function compacted(table: ZoneTable): ZoneTable {
  const arena = table.index.arena;
  if (arena.appendedOctets <= 2 * table.index.liveOctets + (1 << 20)) return table;
  let index = PackedIndex.empty(new AnswerArena(), table.names.size);
  index = index.edit((packed) => {
    for (const [, node] of table.names.entries()) {
      if (!node.isPacked) continue;
      const location = table.index.find(node.hash, node.key, 0);
      assert(location >= 0, `packed name ${node.name} is in the index`);
      packed.set(node.hash, node.key, copyRecord(arena, location, index.arena));
    }
  });
  return new ZoneTable(table.names, table.zones, table.version, index);
}

/** Marks a zone as having no usable data (SERVFAIL) or gives it back its data. */
export function setZoneAvailability(table: ZoneTable, origin: string, available: boolean): ZoneTable {
  const zone = table.zone(origin);
  assert(zone !== undefined, `zone ${origin} is served`);
  const states = table.zones.slice();
  states[zone.index] = { ...zone, servfail: available ? undefined : encodeServfail(zone.index) };
  return new ZoneTable(table.names, states, table.version + 1n, table.index);
}

function withoutName(names: Set<string>, name: string): Set<string> {
  const copy = new Set(names);
  copy.delete(name);
  return copy;
}

interface ZonePlacement {
  readonly cnameOwners: readonly string[];
  readonly cutOwners: readonly string[];
  readonly nameCount: number;
}

/** Drafts every name of `zone` (skipping names a deeper served zone answers for). */
function placeZone(zone: ZoneContent, index: number, origins: ReadonlySet<string>, drafts: Map<string, NodeDraft>): ZonePlacement {
  const cnameOwners: string[] = [];
  const cutOwners: string[] = [];
  for (const [name, rrsets] of zone.rrsets) {
    if (name !== zone.origin && rrsets.has(RRType.NS) && !shadowedByDeeperZone(name, zone.origin, origins)) cutOwners.push(name);
  }
  const cuts = new Set(cutOwners);
  let nameCount = 0;
  const ensure = (name: string, rrsets: ReadonlyMap<number, ServedRRset>): void => {
    const existing = drafts.get(name);
    if (existing !== undefined) {
      if (rrsets.size > 0) drafts.set(name, { ...existing, rrsets });
      return;
    }
    const kind = cuts.size === 0 ? NodeKind.AUTHORITATIVE : staticKind(name, zone.origin, cuts);
    drafts.set(name, { name, zoneIndex: index, kind, rrsets, children: 0 });
    nameCount++;
    if (name === zone.origin) return;
    const parent = parentName(name) as string;
    ensure(parent, zone.rrsets.get(parent) ?? NO_RRSETS);
    (drafts.get(parent) as NodeDraft).children++;
  };
  ensure(zone.origin, zone.rrsets.get(zone.origin) ?? NO_RRSETS);
  for (const [name, rrsets] of zone.rrsets) {
    if (shadowedByDeeperZone(name, zone.origin, origins)) continue;
    ensure(name, rrsets);
    if (rrsets.has(RRType.CNAME)) cnameOwners.push(name);
  }
  return { cnameOwners, cutOwners, nameCount };
}

function shadowedByDeeperZone(name: string, origin: string, origins: ReadonlySet<string>): boolean {
  for (let n: string | undefined = name; n !== undefined && n !== origin; n = parentName(n)) {
    if (origins.has(n)) return true;
  }
  return false;
}

/** The kind of a name given the zone's delegation points (NS below the apex). */
function staticKind(name: string, origin: string, cuts: ReadonlySet<string>): NodeKind {
  if (name === origin) return NodeKind.AUTHORITATIVE;
  for (let n = parentName(name); n !== undefined && n !== origin; n = parentName(n)) {
    if (cuts.has(n)) return NodeKind.BELOW_CUT;
  }
  return cuts.has(name) ? NodeKind.CUT : NodeKind.AUTHORITATIVE;
}

/** The kind of a new name from the nodes above it (a change never adds a cut: see below). */
function kindOf(name: string, zone: ZoneState, view: NameView): NodeKind {
  for (let n = parentName(name); n !== undefined && n !== zone.origin; n = parentName(n)) {
    const node = view.node(n);
    if (node !== undefined) return node.kind === NodeKind.AUTHORITATIVE ? NodeKind.AUTHORITATIVE : NodeKind.BELOW_CUT;
  }
  return NodeKind.AUTHORITATIVE;
}

function zoneState(
  zone: { readonly origin: string; readonly soa: RRset },
  index: number,
  placed: ZonePlacement,
  unavailable: boolean,
  previous?: ZoneState,
): ZoneState {
  return Object.freeze({
    index,
    origin: zone.origin,
    soa: zone.soa,
    negativeSoa: previous !== undefined && previous.soa === zone.soa ? previous.negativeSoa : encodeNegativeSoa(zone.soa),
    nxdomain: previous?.nxdomain ?? encodeNxdomain(index),
    servfail: unavailable ? (previous?.servfail ?? encodeServfail(index)) : undefined,
    cnameOwners: placed.cnameOwners,
    cutOwners: placed.cutOwners,
    nameCount: placed.nameCount,
  });
}

function draftView(
  drafts: ReadonlyMap<string, NodeDraft | null>,
  states: readonly ZoneState[],
  base: ZoneTable | undefined,
): NameView {
  return {
    node(name) {
      const draft = drafts.get(name);
      if (draft !== undefined) return draft ?? undefined;
      if (base === undefined) return undefined;
      const key = nameToWire(name);
      return base.names.get(hashWireName(key, 0), key, 0);
    },
    zone: (index) => states[index],
  };
}

function writeNode(
  trie: NameTrieEditor<NameNode>,
  packed: PackedIndexEditor,
  arena: AnswerArena,
  draft: NodeDraft,
  view: NameView,
): void {
  const key = nameToWire(draft.name);
  const hash = hashWireName(key, 0);
  const encoded = encodeNodeAnswers(draft, view);
  const location = packName(arena, { key, hash, zoneIndex: draft.zoneIndex, kind: draft.kind, ...encoded });
  const isPacked = location >= 0;
  const node: NameNode = Object.freeze({
    name: draft.name,
    key,
    hash,
    zoneIndex: draft.zoneIndex,
    kind: draft.kind,
    rrsets: draft.rrsets,
    children: draft.children,
    isPacked,
    answers: isPacked ? AnswersByType.EMPTY : encoded.answers,
    otherwise: isPacked ? view.zone(draft.zoneIndex).nxdomain : encoded.otherwise,
    wildcard: encoded.wildcard,
    referralBelow: encoded.referralBelow,
  });
  trie.set(hash, key, node);
  packed.set(hash, key, location);
}

function checkInZone(table: ZoneTable, zone: ZoneState, name: string): void {
  const inZone = name === zone.origin || name.endsWith(`.${zone.origin}`);
  if (!inZone) {
    throw new ResoluteError('ERR_ZONE_INVALID', `${name} is not in zone ${zone.origin}`, {
      hint: 'a change names only owners at or below the zone apex',
    });
  }
  for (let n = parentName(name); n !== undefined && n !== zone.origin; n = parentName(n)) {
    if (table.zone(n) !== undefined) {
      throw new ResoluteError('ERR_ZONE_INVALID', `${name} belongs to the served zone ${n}, not ${zone.origin}`, {
        hint: `change it in zone ${n}`,
      });
    }
  }
}

/** Creates (or counts the new child in) the parents of a name new to the table. */
function addParents(drafts: Map<string, NodeDraft | null>, view: NameView, name: string, zone: ZoneState): void {
  let child = name;
  for (let parent = parentName(child); parent !== undefined; parent = parentName(child)) {
    const existing = view.node(parent);
    if (existing !== undefined) {
      drafts.set(parent, { ...draftOf(existing), children: existing.children + 1 });
      return;
    }
    assert(child !== zone.origin, 'the apex is always in the table');
    drafts.set(parent, { name: parent, zoneIndex: zone.index, kind: kindOf(parent, zone, view), rrsets: NO_RRSETS, children: 1 });
    child = parent;
  }
}

/** Removes a name with no children; parents left empty with no children go too (RFC 8020). */
function removeName(drafts: Map<string, NodeDraft | null>, view: NameView, name: string, origin: string): void {
  drafts.set(name, null);
  for (let parent = parentName(name); parent !== undefined; parent = parentName(parent)) {
    const node = view.node(parent) as NodeDraft;
    const children = node.children - 1;
    if (children === 0 && node.rrsets.size === 0 && parent !== origin) {
      drafts.set(parent, null);
      continue;
    }
    drafts.set(parent, { ...draftOf(node), children });
    return;
  }
}

/** Puts an unchanged name among the drafts so its answers are computed again. */
function touch(drafts: Map<string, NodeDraft | null>, view: NameView, name: string): void {
  if (drafts.has(name)) return;
  const node = view.node(name);
  if (node !== undefined) drafts.set(name, draftOf(node));
}

function draftOf(node: NodeDraft): NodeDraft {
  return { name: node.name, zoneIndex: node.zoneIndex, kind: node.kind, rrsets: node.rrsets, children: node.children };
}

function withSoa(rrsets: ReadonlyMap<number, ServedRRset>, soa: RRset): ReadonlyMap<number, ServedRRset> {
  if (rrsets.get(RRType.SOA) === soa) return rrsets;
  return new Map(rrsets).set(RRType.SOA, soa);
}

function countDelta(drafts: ReadonlyMap<string, NodeDraft | null>, table: ZoneTable): number {
  let delta = 0;
  for (const [name, draft] of drafts) {
    const key = nameToWire(name);
    const existed = table.names.get(hashWireName(key, 0), key, 0) !== undefined;
    if (draft === null && existed) delta--;
    else if (draft !== null && !existed) delta++;
  }
  return delta;
}

/** Whether the CNAME chain starting at `owner` reads any changed name (RFC 1034 §3.6.2). */
function chainReads(owner: string, changed: ReadonlySet<string>, view: NameView, zone: ZoneState): boolean {
  let name = owner;
  for (let hop = 0; hop < CNAME_HOPS_MAX; hop++) {
    const node = nodeAnswering(name, view, zone);
    const cname = node?.rrsets.get(RRType.CNAME);
    if (cname === undefined) return false;
    const target = cnameTarget(cname);
    if (target !== zone.origin && !target.endsWith(`.${zone.origin}`)) return false;
    // The target, or a wildcard that covers it (RFC 4592), may come from any ancestor.
    for (let a: string | undefined = target; a !== undefined; a = a === zone.origin ? undefined : parentName(a)) {
      if (changed.has(a) || changed.has(`*.${a}`)) return true;
    }
    name = target;
  }
  return false;
}

/**
 * The node whose records answer `name`: the name's own node when it exists (an empty
 * non-terminal included), else the wildcard at its closest encloser (RFC 4592 §3.3.1) — a
 * chain may go on through a CNAME that a wildcard synthesizes.
 */
function nodeAnswering(name: string, view: NameView, zone: ZoneState): NodeDraft | undefined {
  const node = view.node(name);
  if (node !== undefined || name === zone.origin) return node;
  for (let encloser = parentName(name); encloser !== undefined; encloser = encloser === zone.origin ? undefined : parentName(encloser)) {
    if (view.node(encloser) !== undefined) return view.node(`*.${encloser}`);
  }
  return undefined;
}

/** Whether a delegation's referral (its NS and their glue) reads any changed name. */
function referralReads(cut: string, changed: ReadonlySet<string>, view: NameView): boolean {
  if (changed.has(cut)) return true;
  const ns = view.node(cut)?.rrsets.get(RRType.NS);
  if (ns === undefined) return false;
  return ns.rdatas.some((rdata) => changed.has(rdataName(rdata)));
}

function rdataName(rdata: Uint8Array): string {
  return nameFromWire(rdata, 0).name;
}

/** Whether a change adds or removes NS below the apex (a delegation): then the zone is rebuilt. */
function changesDelegation(table: ZoneTable, zone: ZoneState, changes: ReadonlyMap<string, NameChange>): boolean {
  for (const [name, rrsets] of changes) {
    if (name === zone.origin) continue;
    const key = nameToWire(name);
    const old = table.names.get(hashWireName(key, 0), key, 0);
    const wasCut = old?.rrsets.has(RRType.NS) === true;
    const isCut = rrsets?.has(RRType.NS) === true;
    if (wasCut !== isCut) return true;
  }
  return false;
}

/** The whole zone again, from the old table's names with the changes applied: O(zone). */
function rebuildZone(
  table: ZoneTable,
  zone: ZoneState,
  changes: ReadonlyMap<string, NameChange>,
  soa: RRset,
  version: bigint,
): ZoneTable {
  const rrsets = new Map<string, ReadonlyMap<number, ServedRRset>>();
  const oldNames: NameNode[] = [];
  for (const [, node] of table.names.entries()) {
    if (node.zoneIndex !== zone.index) continue;
    oldNames.push(node);
    if (node.rrsets.size > 0) rrsets.set(node.name, node.rrsets);
  }
  for (const [name, change] of changes) {
    checkInZone(table, zone, name);
    if (change === null || change.size === 0) rrsets.delete(name);
    else rrsets.set(name, change);
  }
  // The apex always keeps its SOA (the zone's, given apart from the changes), as in the O(k) path.
  rrsets.set(zone.origin, withSoa(rrsets.get(zone.origin) ?? NO_RRSETS, soa));
  const content: ZoneContent = { origin: zone.origin, soa, rrsets };
  const drafts = new Map<string, NodeDraft>();
  const origins = new Set(table.zones.map((z) => z.origin));
  const placed = placeZone(content, zone.index, origins, drafts);
  const states = table.zones.slice();
  states[zone.index] = zoneState(content, zone.index, placed, zone.servfail !== undefined, zone);
  const view = draftView(drafts, states, undefined);
  let index = table.index;
  const names = table.names.edit((trie) => {
    index = index.edit((packed) => {
      for (const node of oldNames) {
        if (drafts.has(node.name)) continue;
        trie.delete(node.hash, node.key);
        packed.set(node.hash, node.key, -1);
      }
      for (const draft of drafts.values()) writeNode(trie, packed, index.arena, draft, view);
    });
  });
  return compacted(new ZoneTable(names, states, version, index));
}
