/**
 * The answer table: every name of every zone served, with its answers precomputed, as one
 * immutable snapshot. The server holds one reference and swaps it whole (CONVENTIONS rule 12).
 *
 * A new snapshot shares everything it did not change with the previous one (name-trie.ts), so a
 * plan that changes k names costs O(k): see table-builder.ts.
 */
import { assert } from '../../base/assert.js';
import { RRType } from '../wire/constants.js';
import type { RRset } from '../wire/record.js';
import type { AnswersByType } from './answers-by-type.js';
import { wildcardHash } from './name-hash.js';
import type { NameTrie } from './name-trie.js';
import type { PackedIndex } from './packed-index.js';
import type { PrecomputedAnswer } from './precomputed-answer.js';

/** An RRset as served: optionally weighted, with `pick` records drawn per response. */
export interface ServedRRset extends RRset {
  /** One positive weight per record, in the order of `rdatas`. */
  readonly weights?: readonly number[];
  /** How many records each response carries; all of them when absent. */
  readonly pick?: number;
}

/** Where a name stands relative to zone cuts (RFC 1034 §4.2.1). */
export const NodeKind = {
  /** Authoritative data, or an empty non-terminal (RFC 8020) in the zone. */
  AUTHORITATIVE: 0,
  /** A delegation point: NS below the apex. Answers with a referral. */
  CUT: 1,
  /** Below a delegation point: glue. Never answered authoritatively. */
  BELOW_CUT: 2,
} as const;
export type NodeKind = (typeof NodeKind)[keyof typeof NodeKind];

export interface NameNode {
  /** Canonical owner name. */
  readonly name: string;
  /** Lower-case wire form: the trie key. */
  readonly key: Uint8Array;
  readonly hash: number;
  readonly zoneIndex: number;
  readonly kind: NodeKind;
  readonly rrsets: ReadonlyMap<number, ServedRRset>;
  /** Direct child names in the table, so an empty non-terminal is removed with its last child. */
  readonly children: number;
  /**
   * Whether the name's exact answers live in the packed index (packed-record.ts). Then
   * `answers` is empty and `otherwise` unused: the record is the one copy.
   */
  readonly isPacked: boolean;
  /** Exact-name answers by QTYPE (for a name that is not packed). */
  readonly answers: AnswersByType;
  /** The answer for any QTYPE not in `answers` (NODATA, a CNAME chain, a referral). */
  readonly otherwise: PrecomputedAnswer;
  /** For a wildcard owner `*.x`: what it synthesizes for names below x (RFC 4592 §3.3). */
  readonly wildcard: SynthesizedAnswers | undefined;
  /** For a cut: the referral for names below it (owner not the question name). */
  readonly referralBelow: PrecomputedAnswer | undefined;
}

export interface SynthesizedAnswers {
  readonly answers: AnswersByType;
  readonly otherwise: PrecomputedAnswer;
}

export interface ZoneState {
  readonly index: number;
  /** The apex, canonical. */
  readonly origin: string;
  readonly soa: RRset;
  /** The SOA record of negative answers: TTL min(SOA TTL, SOA MINIMUM) (RFC 2308 §3, §5). */
  readonly negativeSoa: Uint8Array;
  readonly nxdomain: PrecomputedAnswer;
  /** SERVFAIL for every name when the zone is configured but has no usable data. */
  readonly servfail: PrecomputedAnswer | undefined;
  /** Owners with a CNAME, whose precomputed chains depend on other names. */
  readonly cnameOwners: readonly string[];
  /** Delegation points, whose referrals depend on glue. */
  readonly cutOwners: readonly string[];
  /** Names in the zone (including empty non-terminals). */
  readonly nameCount: number;
}

export class ZoneTable {
  constructor(
    readonly names: NameTrie<NameNode>,
    /** By index; a name's node refers to its zone by index, so a new SOA replaces one entry. */
    readonly zones: readonly ZoneState[],
    /** A number that identifies this snapshot (the plan generation, or a load counter). */
    readonly version: bigint,
    /** Exact names' answers packed for the query path (packed-index.ts); `names` has the rest. */
    readonly index: PackedIndex,
  ) {}

  /**
   * The answer for the question name given by its label offsets in `bytes` and the hash of each
   * of its suffixes (answer.ts computes both), or undefined when no zone here contains it.
   * A name in the packed index is answered from there first (answer.ts); this finds the rest.
   *
   * RFC 1034 §4.3.2, with RFC 4592 for wildcards: an exact match answers from its own answers;
   * otherwise the closest encloser is searched from the longest suffix; a delegation on the way
   * gives a referral; an existing wildcard child of the closest encloser synthesizes; else
   * NXDOMAIN with the zone's SOA.
   */
  find(
    bytes: Uint8Array,
    labels: number,
    labelOffsets: Int32Array,
    suffixHashes: Int32Array,
    qtype: number,
  ): PrecomputedAnswer | undefined {
    const names = this.names;
    const node = names.get(suffixHashes[0], bytes, labelOffsets[0]);
    if (node !== undefined && node.kind !== NodeKind.BELOW_CUT) {
      const zone = this.zones[node.zoneIndex];
      if (zone.servfail !== undefined) return zone.servfail;
      assert(!node.isPacked, 'a packed name is answered from the packed index');
      return node.answers.get(qtype) ?? node.otherwise;
    }
    for (let i = 1; i <= labels; i++) {
      const encloser = names.get(suffixHashes[i], bytes, labelOffsets[i]);
      if (encloser === undefined || encloser.kind === NodeKind.BELOW_CUT) continue;
      const zone = this.zones[encloser.zoneIndex];
      if (zone.servfail !== undefined) return zone.servfail;
      // Below a cut every encloser up to the cut is BELOW_CUT, so the first other one is it.
      if (encloser.kind === NodeKind.CUT) return encloser.referralBelow;
      const source = names.getWildcard(wildcardHash(suffixHashes[i]), bytes, labelOffsets[i]);
      if (source !== undefined && source.wildcard !== undefined) {
        // RFC 8482 §4.1: ANY gets one RRset — for an exact name answer-unusual.ts picks it; a
        // name the wildcard synthesizes gets the wildcard's RRset of lowest type.
        const type = qtype === RRType.ANY ? Math.min(...source.rrsets.keys()) : qtype;
        return source.wildcard.answers.get(type) ?? source.wildcard.otherwise;
      }
      return zone.nxdomain;
    }
    return undefined;
  }

  /** The zone whose apex is `origin`, if served here. */
  zone(origin: string): ZoneState | undefined {
    return this.zones.find((z) => z.origin === origin);
  }
}
