/**
 * Precomputes the wire bytes of every answer a name can give (RFC 1034 §4.3.2), once per
 * table build, so the query path only copies.
 *
 * | the name is…              | exact QTYPE present  | any other QTYPE                      |
 * |---------------------------|----------------------|--------------------------------------|
 * | authoritative, no CNAME   | that RRset           | NODATA + SOA                         |
 * | authoritative, CNAME      | CNAME (QTYPE CNAME), | chain + NODATA/NXDOMAIN + SOA (in    |
 * |                           | else chain + RRset   | zone), chain alone (target elsewhere)|
 * | a delegation (cut)        | DS: NODATA + SOA     | referral: NS, glue, AA clear         |
 * | a wildcard `*.x`          | also synthesizes the same for names below x (RFC 4592 §3.3)  |
 *
 * Answers at the question name point at it (0xC00C); answers that must fit behind any question
 * (wildcard synthesis, referrals for names below a cut) carry no other pointer.
 */
import { Rcode, RRClass, RRType } from '../wire/constants.js';
import { MessageWriter } from '../wire/message-writer.js';
import { compressibleNames } from '../wire/rdata-wire.js';
import { nameFromWire, nameToWire, parentName } from '../wire/name.js';
import type { RRset } from '../wire/record.js';
import { AnswersByType } from './answers-by-type.js';
import type { PrecomputedAnswer, WeightedRecords } from './precomputed-answer.js';
import type { NameView, NodeDraft } from './table-builder.js';
import { NodeKind, type ServedRRset, type SynthesizedAnswers } from './zone-table.js';

export interface NodeAnswers {
  readonly answers: AnswersByType;
  readonly otherwise: PrecomputedAnswer;
  readonly wildcard: SynthesizedAnswers | undefined;
  readonly referralBelow: PrecomputedAnswer | undefined;
}

const EMPTY = new Uint8Array(0);

export function encodeNodeAnswers(draft: NodeDraft, view: NameView): NodeAnswers {
  const zone = view.zone(draft.zoneIndex);
  switch (draft.kind) {
    case NodeKind.BELOW_CUT:
      // Never answered from itself: the query path walks up to the cut's referral.
      return { answers: AnswersByType.EMPTY, otherwise: zone.nxdomain, wildcard: undefined, referralBelow: undefined };
    case NodeKind.CUT: {
      const ns = draft.rrsets.get(RRType.NS) as RRset;
      const glue = glueFor(ns, draft, view);
      // DS belongs to the parent side of a cut (RFC 4035 §3.1.4.1): answered here, not referred.
      const answers = new Map([[RRType.DS, negative(draft.zoneIndex, Rcode.NOERROR, [], draft.name)]]);
      return {
        answers: AnswersByType.from(answers),
        otherwise: referral(ns, glue, draft.zoneIndex, draft.name),
        wildcard: undefined,
        referralBelow: referral(ns, glue, draft.zoneIndex, undefined),
      };
    }
    default: {
      const own = authoritativeAnswers(draft, view, draft.name);
      const isWildcard = draft.name.startsWith('*.');
      return {
        answers: own.answers,
        otherwise: own.otherwise,
        wildcard: isWildcard ? authoritativeAnswers(draft, view, undefined) : undefined,
        referralBelow: undefined,
      };
    }
  }
}

/**
 * The answers of an authoritative name. `question` is the name the answers follow (the owner
 * itself), or undefined for wildcard synthesis, where the owner is whatever the query asked.
 */
function authoritativeAnswers(draft: NodeDraft, view: NameView, question: string | undefined): SynthesizedAnswers {
  const found = answersOf(draft, view, question);
  return { answers: AnswersByType.from(found.answers), otherwise: found.otherwise };
}

function answersOf(
  draft: NodeDraft,
  view: NameView,
  question: string | undefined,
): { answers: Map<number, PrecomputedAnswer>; otherwise: PrecomputedAnswer } {
  const answers = new Map<number, PrecomputedAnswer>();
  const cname = draft.rrsets.get(RRType.CNAME);
  if (cname === undefined) {
    for (const [type, rrset] of draft.rrsets) answers.set(type, positive([rrset], draft.zoneIndex, question));
    return { answers, otherwise: negative(draft.zoneIndex, Rcode.NOERROR, [], question) };
  }
  answers.set(RRType.CNAME, positive([cname], draft.zoneIndex, question));
  const chain: ServedRRset[] = [cname];
  const seen = new Set([draft.name]);
  let target = cnameTarget(cname);
  const origin = view.zone(draft.zoneIndex).origin;
  for (let hop = 1; hop < CNAME_HOPS_MAX; hop++) {
    const inZone = target === origin || target.endsWith(`.${origin}`);
    // Out of the zone: the resolver follows the chain itself (RFC 1034 §4.3.2 step 3a).
    if (!inZone || seen.has(target)) return { answers, otherwise: positive(chain, draft.zoneIndex, question) };
    const node = view.node(target) ?? synthesizedFromWildcard(target, origin, view);
    if (node === undefined || node.zoneIndex !== draft.zoneIndex) {
      // RFC 6604 §3: the RCODE is that of the last name of the chain.
      return { answers, otherwise: negative(draft.zoneIndex, Rcode.NXDOMAIN, chain, question) };
    }
    if (node.kind !== NodeKind.AUTHORITATIVE) return { answers, otherwise: positive(chain, draft.zoneIndex, question) };
    const next = node.rrsets.get(RRType.CNAME);
    if (next === undefined) {
      for (const [type, rrset] of node.rrsets) {
        if (type !== RRType.CNAME) answers.set(type, positive([...chain, rrset], draft.zoneIndex, question));
      }
      return { answers, otherwise: negative(draft.zoneIndex, Rcode.NOERROR, chain, question) };
    }
    chain.push(next);
    seen.add(target);
    target = cnameTarget(next);
  }
  return { answers, otherwise: positive(chain, draft.zoneIndex, question) };
}

/**
 * A name that does not exist but a wildcard covers (RFC 4592 §3.3.1): the closest encloser's
 * `*` child, its RRsets owned by `name`. Undefined when the closest encloser has no wildcard
 * child, or is a delegation (no synthesis below a cut).
 */
function synthesizedFromWildcard(name: string, origin: string, view: NameView): NodeDraft | undefined {
  for (let encloser = parentName(name); encloser !== undefined; encloser = parentName(encloser)) {
    const node = view.node(encloser);
    if (node === undefined) {
      if (encloser === origin) return undefined;
      continue;
    }
    if (node.kind !== NodeKind.AUTHORITATIVE) return undefined;
    const source = view.node(`*.${encloser}`);
    if (source === undefined || source.kind !== NodeKind.AUTHORITATIVE) return undefined;
    const rrsets = new Map<number, ServedRRset>();
    for (const [type, rrset] of source.rrsets) rrsets.set(type, { ...rrset, name });
    return { ...source, name, rrsets };
  }
  return undefined;
}

function positive(answer: readonly ServedRRset[], zoneIndex: number, question: string | undefined): PrecomputedAnswer {
  const only = answer.length === 1 ? answer[0] : undefined;
  const weighted = only !== undefined ? weightedRecords(only) : undefined;
  const { body, count } = encodeRecords(answer, question);
  return Object.freeze({
    rcode: Rcode.NOERROR,
    authoritative: true,
    answerCount: count,
    authorityCount: 0,
    additionalCount: 0,
    body,
    negative: false,
    zoneIndex,
    weighted,
  });
}

/**
 * Plain NODATA and NXDOMAIN carry nothing but the zone's SOA, added at answer time, so one
 * object per zone and rcode serves every name (a 250,000-name zone would otherwise hold
 * 250,000 copies of the same empty answer).
 */
const bareNegatives = new Map<string, PrecomputedAnswer>();

/** NODATA or NXDOMAIN: the answer section holds a CNAME chain if any; the SOA is added later. */
function negative(zoneIndex: number, rcode: number, chain: readonly RRset[], question: string | undefined): PrecomputedAnswer {
  if (chain.length === 0) {
    const key = `${zoneIndex}/${rcode}`;
    let bare = bareNegatives.get(key);
    if (bare === undefined) {
      bare = Object.freeze({ rcode, authoritative: true, answerCount: 0, authorityCount: 0, additionalCount: 0, body: EMPTY, negative: true, zoneIndex, weighted: undefined });
      bareNegatives.set(key, bare);
    }
    return bare;
  }
  const { body, count } = encodeRecords(chain, question);
  return Object.freeze({
    rcode,
    authoritative: true,
    answerCount: count,
    authorityCount: 0,
    additionalCount: 0,
    body,
    negative: true,
    zoneIndex,
    weighted: undefined,
  });
}

/** RFC 1034 §4.3.2 step 3b, RFC 9471: NS of the cut in authority, their addresses as glue. */
function referral(ns: RRset, glue: readonly RRset[], zoneIndex: number, question: string | undefined): PrecomputedAnswer {
  const { body, count } = encodeRecords([ns, ...glue], question, false);
  return Object.freeze({
    rcode: Rcode.NOERROR,
    authoritative: false,
    answerCount: 0,
    authorityCount: ns.rdatas.length,
    additionalCount: count - ns.rdatas.length,
    body,
    negative: false,
    zoneIndex,
    weighted: undefined,
  });
}

/** A and AAAA of the cut's name servers that this zone holds: below the cut, or elsewhere in it. */
function glueFor(ns: RRset, cut: NodeDraft, view: NameView): RRset[] {
  const glue: RRset[] = [];
  for (const rdata of ns.rdatas) {
    const target = nameOf(rdata);
    const node = view.node(target);
    if (node === undefined || node.zoneIndex !== cut.zoneIndex) continue;
    for (const type of [RRType.A, RRType.AAAA]) {
      const rrset = node.rrsets.get(type);
      if (rrset !== undefined) glue.push(rrset);
    }
  }
  return glue;
}

function nameOf(rdata: Uint8Array): string {
  return nameFromWire(rdata, 0).name;
}

/** Chains longer than this are cut short, as a loop or a mistake (BIND stops at 16, Knot at 20). */
export const CNAME_HOPS_MAX = 8;

/** A CNAME's target, canonical. */
export function cnameTarget(cname: RRset): string {
  return nameOf(cname.rdatas[0]);
}

/**
 * Encodes RRsets one after the other. With a `question`, names are compressed against it (at
 * offset 12) and against each other. Without, nothing is compressed, so the bytes fit behind
 * any question; and with `synthesized`, the first RRset's owner is the question name itself
 * (0xC00C), as in an answer synthesized from a wildcard.
 */
function encodeRecords(
  rrsets: readonly RRset[],
  question: string | undefined,
  synthesized = true,
): { body: Uint8Array; count: number } {
  let count = 0;
  if (question !== undefined && rrsets.every((r) => r.name === question && compressibleNames(r.type) === undefined)) {
    return encodeAtQuestion(rrsets);
  }
  if (question !== undefined) {
    const writer = new MessageWriter({ startOffset: 12 + nameToWire(question).length + 4, initialCapacity: 128 });
    writer.seedName(question, 12);
    for (const rrset of rrsets) {
      for (const rdata of rrset.rdatas) {
        writer.record({ name: rrset.name, type: rrset.type, class: rrset.class, ttlSeconds: rrset.ttlSeconds, rdata }, { compress: true });
        count++;
      }
    }
    return { body: writer.finish(), count };
  }
  const writer = new MessageWriter({ initialCapacity: 128 });
  rrsets.forEach((rrset, index) => {
    for (const rdata of rrset.rdatas) {
      if (index === 0 && synthesized) writeAtQuestion(writer, rrset, rdata);
      else writer.record({ name: rrset.name, type: rrset.type, class: rrset.class, ttlSeconds: rrset.ttlSeconds, rdata }, { compress: false });
      count++;
    }
  });
  return { body: writer.finish(), count };
}

/**
 * The common case, without a writer: RRsets owned by the question name and holding no name a
 * writer could compress (A, AAAA, TXT, …) are their records with 0xC00C as owner. Loading a
 * zone of a million records spends most of its time here, so it allocates the body once.
 */
function encodeAtQuestion(rrsets: readonly RRset[]): { body: Uint8Array; count: number } {
  let length = 0;
  let count = 0;
  for (const rrset of rrsets) {
    for (const rdata of rrset.rdatas) length += 12 + rdata.length;
    count += rrset.rdatas.length;
  }
  const body = new Uint8Array(length);
  let p = 0;
  for (const rrset of rrsets) {
    for (const rdata of rrset.rdatas) {
      body[p] = 0xc0;
      body[p + 1] = 0x0c;
      body[p + 2] = rrset.type >> 8;
      body[p + 3] = rrset.type & 0xff;
      body[p + 4] = rrset.class >> 8;
      body[p + 5] = rrset.class & 0xff;
      body[p + 6] = rrset.ttlSeconds >>> 24;
      body[p + 7] = (rrset.ttlSeconds >>> 16) & 0xff;
      body[p + 8] = (rrset.ttlSeconds >>> 8) & 0xff;
      body[p + 9] = rrset.ttlSeconds & 0xff;
      body[p + 10] = rdata.length >> 8;
      body[p + 11] = rdata.length & 0xff;
      body.set(rdata, p + 12);
      p += 12 + rdata.length;
    }
  }
  return { body, count };
}

/** One record whose owner is the question name, whatever it is: a pointer to offset 12. */
function writeAtQuestion(writer: MessageWriter, rrset: RRset, rdata: Uint8Array): void {
  writer.u16(0xc00c);
  writer.u16(rrset.type);
  writer.u16(rrset.class);
  writer.u32(rrset.ttlSeconds);
  writer.u16(rdata.length);
  writer.bytes(rdata);
}

/** A weighted RRset with `pick` below its size: each record encoded alone, owner 0xC00C. */
function weightedRecords(rrset: ServedRRset): WeightedRecords | undefined {
  const { weights, pick } = rrset;
  if (pick === undefined || pick >= rrset.rdatas.length) return undefined;
  const records = rrset.rdatas.map((rdata) => {
    const writer = new MessageWriter({ initialCapacity: 32 });
    writeAtQuestion(writer, rrset, rdata);
    return writer.finish();
  });
  const w = Float64Array.from(weights ?? rrset.rdatas.map(() => 1));
  return Object.freeze({ pick, records, weights: w, totalWeight: w.reduce((a, b) => a + b, 0) });
}

/**
 * The SOA of negative answers (RFC 2308 §3): owner the apex, uncompressed (it follows any
 * question), TTL the smaller of the SOA's TTL and its MINIMUM field (RFC 2308 §5).
 */
export function encodeNegativeSoa(soa: RRset): Uint8Array {
  const rdata = soa.rdatas[0];
  const view = new DataView(rdata.buffer, rdata.byteOffset, rdata.byteLength);
  const minimum = view.getUint32(rdata.length - 4);
  const writer = new MessageWriter({ initialCapacity: 96 });
  writer.record({ name: soa.name, type: RRType.SOA, class: RRClass.IN, ttlSeconds: Math.min(soa.ttlSeconds, minimum), rdata }, { compress: false });
  return writer.finish();
}

export function encodeNxdomain(zoneIndex: number): PrecomputedAnswer {
  return negative(zoneIndex, Rcode.NXDOMAIN, [], undefined);
}

/** A zone configured but without usable data: SERVFAIL, AA clear (RFC 1035 §4.1.1). */
export function encodeServfail(zoneIndex: number): PrecomputedAnswer {
  return Object.freeze({
    rcode: Rcode.SERVFAIL,
    authoritative: false,
    answerCount: 0,
    authorityCount: 0,
    additionalCount: 0,
    body: EMPTY,
    negative: false,
    zoneIndex,
    weighted: undefined,
  });
}
