/**
 * THE query path: query bytes in, response bytes out (or null: send nothing).
 *
 * Stages, as in Knot and NSD:
 *  1. fast path (`answerQuery`): one look at the header, a walk over the question name that
 *     validates it and records its label offsets, a look at an OPT record if there is one, a hash
 *     of the name folded from the root (name-hash.ts), one trie lookup, and a copy of the
 *     precomputed answer behind the query's own header and question (so the question's case
 *     is echoed, RFC 1035 §7.1 / RFC 4343). Exact names are found in the packed index
 *     (answer-packed.ts): one slot, one arena record. No object is allocated but the response.
 *  2. slow path (`answerUnusual`, answer-unusual.ts): anything the fast path does not take —
 *     other opcodes, classes, meta types, EDNS versions, malformed packets — is fully decoded,
 *     and answered or refused as the RFCs say.
 *
 * The table is read through `state.table`, which the server swaps by one assignment when a new
 * generation is published (CONVENTIONS rule 12): a query sees one whole table, old or new.
 */
import { Rcode, RRType } from '../wire/constants.js';
import { foldLabel, hashWireSuffixes, ROOT_HASH } from '../zone/name-hash.js';
import type { PrecomputedAnswer } from '../zone/precomputed-answer.js';
import type { ZoneTransfers } from '../xfr/zone-transfers.js';
import type { NameNode, ZoneTable } from '../zone/zone-table.js';
import { answerUnusual } from './answer-unusual.js';
import { answerPacked } from './answer-packed.js';
import { composeResponse, type ResponseLimits } from './compose-response.js';
import type { Transport } from './transport.js';

export interface AnswerState {
  /** The table answers are read from; replaced whole by the server on each new generation. */
  table: ZoneTable;
  readonly limits: ResponseLimits;
  /** CHAOS TXT answers for `version.bind.` / `id.server.`; empty: such queries are REFUSED. */
  readonly chaos: ReadonlyMap<string, string>;
  /** Zone transfers, NOTIFY and TSIG (dns/xfr); absent: AXFR and IXFR are REFUSED, NOTIFY NOTIMP. */
  readonly transfers?: ZoneTransfers;
}


const labelOffsets = new Int32Array(129);
const suffixHashes = new Int32Array(129);

/** The query path. Returns the response, or null when nothing must be sent. */
export function answerQuery(query: Uint8Array, state: AnswerState, transport: Transport): Uint8Array | null {
  const length = query.length;
  if (length < 17) return answerUnusual(query, state, transport);
  const flags = query[2];
  // RFC 1035 §4.1.1: QR set means a response. Answering one could start a loop between two
  // servers (or reflect a forged source), so a response is never answered.
  if ((flags & 0x80) !== 0) return null;
  // Opcode QUERY, QDCOUNT 1, ANCOUNT 0, NSCOUNT 0, ARCOUNT 0 or 1; anything else goes slow.
  if ((flags & 0x78) !== 0 || query[4] !== 0 || query[5] !== 1 || (query[6] | query[7] | query[8] | query[9] | query[10]) !== 0) {
    return answerUnusual(query, state, transport);
  }
  const additional = query[11];
  if (additional > 1) return answerUnusual(query, state, transport);

  // The question name: uncompressed labels, each < 64 octets, 255 octets in all (RFC 1035 §2.3.4).
  let p = 12;
  let labels = 0;
  for (;;) {
    if (p >= length) return answerUnusual(query, state, transport);
    const octets = query[p];
    if (octets === 0) break;
    if (octets > 63) return answerUnusual(query, state, transport);
    labelOffsets[labels++] = p;
    p += octets + 1;
  }
  if (p - 12 > 254) return answerUnusual(query, state, transport);
  labelOffsets[labels] = p;
  const questionEnd = p + 5;
  if (questionEnd > length) return answerUnusual(query, state, transport);
  const qtype = (query[p + 1] << 8) | query[p + 2];
  // Class IN only here; meta types (AXFR, IXFR, ANY, RFC 6895 §3.1: 128–255) and OPT as a
  // question go slow.
  if (query[p + 3] !== 0 || query[p + 4] !== 1 || qtype === RRType.OPT || (qtype >= 128 && qtype <= 255)) {
    return answerUnusual(query, state, transport);
  }

  let udpSize = 0; // 0: the query had no OPT
  let dnssecOk = false;
  if (additional === 1) {
    udpSize = readOpt(query, questionEnd);
    if (udpSize <= 0) return answerUnusual(query, state, transport);
    dnssecOk = (query[questionEnd + 7] & 0x80) !== 0;
  } else if (questionEnd !== length) {
    return answerUnusual(query, state, transport);
  }

  let hash = ROOT_HASH;
  for (let i = labels - 1; i >= 0; i--) {
    hash = foldLabel(hash, query, labelOffsets[i]);
    suffixHashes[i] = hash;
  }
  suffixHashes[labels] = ROOT_HASH;

  return answerName(query, questionEnd, labels, qtype, state, transport, udpSize, dnssecOk);
}

/**
 * The answer for the question whose labels and suffix hashes are in the scratch arrays: an
 * exact name from its packed record (two or three cache lines in all), anything else — wildcards,
 * referrals, NXDOMAIN, weighted RRsets, SERVFAIL — from the table's nodes.
 */
function answerName(
  query: Uint8Array,
  questionEnd: number,
  labels: number,
  qtype: number,
  state: AnswerState,
  transport: Transport,
  udpSize: number,
  dnssecOk: boolean,
): Uint8Array {
  const table = state.table;
  const location = table.index.find(suffixHashes[0], query, 12);
  if (location >= 0) {
    const response = answerPacked(query, questionEnd, location, qtype, table, state.limits, transport, udpSize, dnssecOk);
    if (response !== null) return response;
  }
  const answer = table.find(query, labels, labelOffsets, suffixHashes, qtype);
  return composeResponse(query, questionEnd, answer ?? REFUSED, table, state.limits, transport, udpSize, dnssecOk);
}

/**
 * Answers a well-formed class IN question from the table, for the slow path: `head` is a
 * header and one uncompressed question (the query's own, rebuilt), `qtype` may be any data
 * type (ANY is resolved to one RRset by the caller, RFC 8482).
 */
export function answerFromTable(
  head: Uint8Array,
  qtype: number,
  state: AnswerState,
  transport: Transport,
  udpSize: number,
  dnssecOk: boolean,
): Uint8Array {
  const labels = hashWireSuffixes(head, 12, labelOffsets, suffixHashes);
  return answerName(head, head.length, labels, qtype, state, transport, udpSize, dnssecOk);
}

/** The exact node of the question name in `head` (see answerFromTable), for ANY (RFC 8482). */
export function nodeOfQuestion(head: Uint8Array, state: AnswerState): NameNode | undefined {
  hashWireSuffixes(head, 12, labelOffsets, suffixHashes);
  return state.table.names.get(suffixHashes[0], head, 12);
}

/**
 * Validates an OPT record at `offset` that must end the message; returns the requestor's UDP
 * payload size (at least 1), or 0 when the slow path must judge it: another owner than the root,
 * another type, a version other than 0 (BADVERS, RFC 6891 §6.1.3), options that overrun the
 * record, a malformed COOKIE (FORMERR, RFC 7873 §5.2.2), or bytes after it. Other options are
 * ignored, as RFC 6891 §6.1.2 requires.
 */
function readOpt(query: Uint8Array, offset: number): number {
  const length = query.length;
  if (offset + 11 > length || query[offset] !== 0 || query[offset + 1] !== 0 || query[offset + 2] !== RRType.OPT) return 0;
  if (query[offset + 6] !== 0) return 0;
  const rdataLength = (query[offset + 9] << 8) | query[offset + 10];
  let p = offset + 11;
  const end = p + rdataLength;
  if (end !== length) return 0;
  while (p < end) {
    if (p + 4 > end) return 0;
    const code = (query[p] << 8) | query[p + 1];
    const optionLength = (query[p + 2] << 8) | query[p + 3];
    p += 4 + optionLength;
    if (p > end) return 0;
    if (code === 10 && optionLength !== 8 && (optionLength < 16 || optionLength > 40)) return 0;
  }
  const size = (query[offset + 3] << 8) | query[offset + 4];
  return size === 0 ? 1 : size;
}

/** Not one of our zones: REFUSED, never recursion (we are an authority only). */
export const REFUSED: PrecomputedAnswer = Object.freeze({
  rcode: Rcode.REFUSED,
  authoritative: false,
  answerCount: 0,
  authorityCount: 0,
  additionalCount: 0,
  body: new Uint8Array(0),
  negative: false,
  zoneIndex: -1,
  weighted: undefined,
});
