/**
 * Lays a response out behind the query's own header and question: the only allocation of the
 * query path. Shared by the fast path and the slow path, so both answer alike.
 */
import type { Random } from '../../base/random.js';
import { RRType } from '../wire/constants.js';
import type { PrecomputedAnswer, WeightedRecords } from '../zone/precomputed-answer.js';
import type { ZoneTable } from '../zone/zone-table.js';
import { Transport } from './transport.js';

export interface ResponseLimits {
  /**
   * The largest UDP response sent, whatever a client offers: 1232 octets by default, the size
   * DNS Flag Day 2020 agreed on so that responses are not fragmented (RFC 9715 §3).
   */
  readonly udpPayloadMax: number;
  /** Draws the records of weighted RRsets (`pick: N`). A fast seeded generator, not crypto. */
  readonly random: Random;
}

/** Octets of an OPT record with no options. */
const OPT_LENGTH = 11;
/** RFC 1035 §4.2.1: without EDNS a UDP message is at most 512 octets. */
const CLASSIC_UDP_MAX = 512;
/** RFC 1035 §4.2.2: a TCP message is framed by a 16-bit length. */
const TCP_MESSAGE_MAX = 0xffff;

/**
 * The response to the query whose question ends at `questionEnd`, carrying `answer`.
 * `udpSize` is the client's EDNS payload size, 0 when it sent no OPT (then neither do we:
 * RFC 6891 §7).
 */
export function composeResponse(
  query: Uint8Array,
  questionEnd: number,
  answer: PrecomputedAnswer,
  table: ZoneTable,
  limits: ResponseLimits,
  transport: Transport,
  udpSize: number,
  dnssecOk: boolean,
): Uint8Array {
  const body = answer.weighted === undefined ? answer.body : drawWeighted(answer.weighted, limits.random);
  const answerCount = answer.weighted === undefined ? answer.answerCount : answer.weighted.pick;
  const soa = answer.negative ? table.zones[answer.zoneIndex].negativeSoa : undefined;
  return writeResponse(
    query,
    questionEnd,
    body,
    0,
    body.length,
    answer.authoritative,
    answer.rcode,
    answerCount,
    answer.authorityCount,
    answer.additionalCount,
    soa,
    limits,
    transport,
    udpSize,
    dnssecOk,
  );
}

/**
 * Writes a response: the query's header and question (its case kept), the body
 * `source[bodyStart, bodyStart + bodyLength)`, the negative answer's SOA, our OPT. Too large
 * for the transport, it is sent truncated: TC set, the question and OPT only, so the client
 * retries over TCP (RFC 1035 §4.2.1, RFC 2181 §9). Primitive arguments on purpose: the packed
 * path (answer-packed.ts) passes fields read straight from an arena record.
 */
export function writeResponse(
  query: Uint8Array,
  questionEnd: number,
  source: Uint8Array,
  bodyStart: number,
  bodyLength: number,
  authoritative: boolean,
  rcode: number,
  answerCount: number,
  authorityCount: number,
  additionalCount: number,
  soa: Uint8Array | undefined,
  limits: ResponseLimits,
  transport: Transport,
  udpSize: number,
  dnssecOk: boolean,
): Uint8Array {
  const hasOpt = udpSize > 0;
  let total = questionEnd + bodyLength + (soa === undefined ? 0 : soa.length) + (hasOpt ? OPT_LENGTH : 0);
  // An answer larger than even TCP can frame (a zone may hold such an RRset) is sent
  // truncated there too: the client learns it cannot have it, and nothing overflows.
  const limit =
    transport === Transport.TCP
      ? TCP_MESSAGE_MAX
      : hasOpt
        ? Math.min(Math.max(udpSize, CLASSIC_UDP_MAX), limits.udpPayloadMax)
        : CLASSIC_UDP_MAX;
  let truncated = false;
  if (total > limit) {
    truncated = true;
    total = questionEnd + (hasOpt ? OPT_LENGTH : 0);
  }

  const out = Buffer.allocUnsafe(total);
  for (let i = 0; i < questionEnd; i++) out[i] = query[i];
  // Byte 2: QR, opcode QUERY, AA, TC, RD copied (RFC 1035 §4.1.1). Byte 3: RA clear (no
  // recursion here), Z and AD clear, CD copied (RFC 4035 §3.1.6), RCODE.
  out[2] = 0x80 | (authoritative ? 0x04 : 0) | (truncated ? 0x02 : 0) | (query[2] & 0x01);
  out[3] = (query[3] & 0x10) | (rcode & 0x0f);
  out[4] = 0;
  out[5] = 1;
  let p = questionEnd;
  let additional = hasOpt ? 1 : 0;
  if (truncated) {
    out[6] = out[7] = out[8] = out[9] = 0;
  } else {
    const authority = authorityCount + (soa === undefined ? 0 : 1);
    out[6] = answerCount >> 8;
    out[7] = answerCount & 0xff;
    out[8] = authority >> 8;
    out[9] = authority & 0xff;
    // A loop, not set(subarray): the body is a few dozen octets and a subarray is an object.
    for (let i = 0; i < bodyLength; i++) out[p + i] = source[bodyStart + i];
    p += bodyLength;
    if (soa !== undefined) {
      out.set(soa, p);
      p += soa.length;
    }
    additional += additionalCount;
  }
  out[10] = additional >> 8;
  out[11] = additional & 0xff;
  if (hasOpt) writeOpt(out, p, limits.udpPayloadMax, rcode >> 4, dnssecOk);
  return out;
}

/**
 * Our OPT (RFC 6891 §6.1.2): root owner, our UDP payload size in CLASS, the upper 8 bits of an
 * extended RCODE (BADVERS = 16 → 1), version 0, the DO bit copied from the query (RFC 3225 §3),
 * no options. A COOKIE option from the client is ignored, which RFC 7873 §5.2.1 allows a server
 * that does not implement cookies.
 */
export function writeOpt(out: Uint8Array, p: number, udpPayload: number, extendedRcode: number, dnssecOk: boolean): void {
  out[p] = 0;
  out[p + 1] = RRType.OPT >> 8;
  out[p + 2] = RRType.OPT & 0xff;
  out[p + 3] = udpPayload >> 8;
  out[p + 4] = udpPayload & 0xff;
  out[p + 5] = extendedRcode;
  out[p + 6] = 0;
  out[p + 7] = dnssecOk ? 0x80 : 0;
  out[p + 8] = 0;
  out[p + 9] = 0;
  out[p + 10] = 0;
}

/** `pick` records drawn without replacement, each draw proportional to the remaining weights. */
function drawWeighted(weighted: WeightedRecords, random: Random): Uint8Array {
  const { records, weights, pick } = weighted;
  const chosen = new Array<number>(pick);
  let remaining = weighted.totalWeight;
  let length = 0;
  const used = new Uint8Array(records.length);
  for (let k = 0; k < pick; k++) {
    let target = random.next() * remaining;
    let index = -1;
    for (let i = 0; i < records.length; i++) {
      if (used[i] !== 0) continue;
      index = i;
      target -= weights[i];
      if (target < 0) break;
    }
    used[index] = 1;
    remaining -= weights[index];
    chosen[k] = index;
    length += records[index].length;
  }
  const body = Buffer.allocUnsafe(length);
  let p = 0;
  for (const index of chosen) {
    body.set(records[index], p);
    p += records[index].length;
  }
  return body;
}
