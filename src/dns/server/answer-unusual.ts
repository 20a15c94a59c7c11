/**
 * The slow path: every query the fast path (answer.ts) would not take is decoded whole and
 * judged here. Decision table, in order:
 *
 * | the message                                  | response                                     |
 * |----------------------------------------------|----------------------------------------------|
 * | shorter than a header, or QR set             | none (nothing to answer, or never answer a   |
 * |                                              | response: RFC 1035 §4.1.1)                   |
 * | malformed (WireFormatError)                  | FORMERR, header only                         |
 * | with transfers configured (dns/xfr): TSIG-   | zone-transfers.ts `answerSlowPath`: verified,|
 * | signed, NOTIFY for a zone served here, IXFR  | answered by this table and signed; REFUSED   |
 * | over UDP                                     | (we are the primary); the single SOA         |
 * | opcode other than QUERY                      | NOTIMP (RFC 1035 §4.1.1)                     |
 * | QDCOUNT ≠ 1, answer/authority records, a     | FORMERR                                      |
 * | malformed COOKIE (RFC 7873 §5.2.2), QTYPE OPT|                                              |
 * | EDNS version > 0                             | BADVERS with our OPT (RFC 6891 §6.1.3)       |
 * | class CH                                     | TXT for a configured `version.bind`/`id.server`,|
 * |                                              | else REFUSED                                 |
 * | class ANY                                    | REFUSED                                      |
 * | any other class but IN                       | FORMERR                                      |
 * | AXFR, IXFR                                   | REFUSED (over TCP, tcp.ts hands them to      |
 * |                                              | dns/xfr first when transfers are configured) |
 * | other meta types (RFC 6895 §3.1)             | NOTIMP                                       |
 * | ANY                                          | one RRset of the name (RFC 8482 §4.1)        |
 * | anything else                                | answered from the table, as the fast path    |
 */
import { EdnsOption, Opcode, Rcode, RRClass, RRType } from '../wire/constants.js';
import type { Edns } from '../wire/edns.js';
import { parseMessage, type Message, type Question } from '../wire/message.js';
import { MessageWriter } from '../wire/message-writer.js';
import { canonicalName, nameToWire } from '../wire/name.js';
import { WireFormatError } from '../wire/wire-format-error.js';
import { answerFromTable, nodeOfQuestion, type AnswerState } from './answer.js';
import { writeOpt } from './compose-response.js';
import { Transport } from './transport.js';

export function answerUnusual(query: Uint8Array, state: AnswerState, transport: Transport): Uint8Array | null {
  if (query.length < 12 || (query[2] & 0x80) !== 0) return null;
  let message: Message;
  try {
    message = parseMessage(query);
  } catch (error) {
    if (error instanceof WireFormatError) return headerOnly(query, Rcode.FORMERR, state);
    throw error;
  }
  if (state.transfers !== undefined) {
    const isTcp = transport === Transport.TCP;
    const answer = (unsigned: Uint8Array): Uint8Array | null => answerUnusual(unsigned, state, transport);
    const handled = state.transfers.answerSlowPath(query, message, isTcp, state.table, answer);
    if (handled !== undefined) return handled;
  }
  if (message.opcode !== Opcode.QUERY) return headerOnly(query, Rcode.NOTIMP, state, message.edns);
  if (message.questions.length !== 1 || message.answers.length > 0 || message.authority.length > 0) {
    return headerOnly(query, Rcode.FORMERR, state, message.edns);
  }
  const edns = message.edns;
  if (edns !== undefined && hasMalformedCookie(edns)) return headerOnly(query, Rcode.FORMERR, state, edns);
  const question = message.questions[0];
  if (edns !== undefined && edns.version > 0) return refusal(query, question, Rcode.BADVERS, state, edns);
  if (question.type === RRType.OPT) return headerOnly(query, Rcode.FORMERR, state, edns);

  switch (question.class) {
    case RRClass.IN:
      break;
    case RRClass.CH:
      return chaos(query, question, state, edns);
    case RRClass.ANY:
      return refusal(query, question, Rcode.REFUSED, state, edns);
    default:
      return headerOnly(query, Rcode.FORMERR, state, edns);
  }
  if (question.type === RRType.AXFR || question.type === RRType.IXFR) {
    return refusal(query, question, Rcode.REFUSED, state, edns);
  }
  const head = questionHead(query, question);
  const udpSize = edns === undefined ? 0 : Math.max(edns.udpSize, 1);
  const dnssecOk = edns?.dnssecOk ?? false;
  let qtype = question.type;
  if (qtype === RRType.ANY) {
    // RFC 8482 §4.1: answer ANY with one RRset of the name — the one of lowest type here.
    const node = nodeOfQuestion(head, state);
    const types = node === undefined ? [] : [...node.rrsets.keys()].sort((a, b) => a - b);
    qtype = types[0] ?? RRType.ANY;
  } else if (qtype >= 128 && qtype <= 255) {
    return refusal(query, question, Rcode.NOTIMP, state, edns);
  }
  return answerFromTable(head, qtype, state, transport, udpSize, dnssecOk);
}

/** RFC 7873 §5.2.2: a COOKIE of a bad length is FORMERR (8 octets, or 16 to 40 with a server cookie). */
function hasMalformedCookie(edns: Edns): boolean {
  return edns.options.some(
    (o) => o.code === EdnsOption.COOKIE && o.data.length !== 8 && (o.data.length < 16 || o.data.length > 40),
  );
}

/** Header and question, rebuilt uncompressed with the question's case as received. */
function questionHead(query: Uint8Array, question: Question): Uint8Array {
  const name = nameToWire(question.name);
  const head = new Uint8Array(12 + name.length + 4);
  head.set(query.subarray(0, 12));
  head[4] = 0;
  head[5] = 1;
  head.set(name, 12);
  const p = 12 + name.length;
  head[p] = question.type >> 8;
  head[p + 1] = question.type & 0xff;
  head[p + 2] = question.class >> 8;
  head[p + 3] = question.class & 0xff;
  return head;
}

/** CHAOS TXT `version.bind.` / `id.server.` when configured (BIND and Knot answer both). */
function chaos(query: Uint8Array, question: Question, state: AnswerState, edns: Edns | undefined): Uint8Array {
  const text = question.type === RRType.TXT || question.type === RRType.ANY ? state.chaos.get(canonicalName(question.name)) : undefined;
  if (text === undefined) return refusal(query, question, Rcode.REFUSED, state, edns);
  const writer = startResponse(query, question, Rcode.NOERROR, true);
  const octets = Buffer.from(text.slice(0, 255), 'utf8').subarray(0, 255);
  writer.u16(0xc00c);
  writer.u16(RRType.TXT);
  writer.u16(RRClass.CH);
  writer.u32(0);
  writer.u16(octets.length + 1);
  writer.u8(octets.length);
  writer.bytes(octets);
  // At most 12 + 255 + 4 + 12 + 256 + 11 octets: always fits in 512, on any transport.
  return finishResponse(writer, 1, edns, Rcode.NOERROR, state);
}

/** A response with the question and no records, for REFUSED, NOTIMP and BADVERS. */
function refusal(query: Uint8Array, question: Question, rcode: number, state: AnswerState, edns: Edns | undefined): Uint8Array {
  return finishResponse(startResponse(query, question, rcode, false), 0, edns, rcode, state);
}

function startResponse(
  query: Uint8Array,
  question: Question,
  rcode: number,
  authoritative: boolean,
): MessageWriter {
  const writer = new MessageWriter({ initialCapacity: 128 });
  writer.u16((query[0] << 8) | query[1]);
  writer.u8(0x80 | (query[2] & 0x79) | (authoritative ? 0x04 : 0));
  writer.u8((query[3] & 0x10) | (rcode & 0x0f));
  writer.u16(1);
  writer.u16(0);
  writer.u16(0);
  writer.u16(0);
  writer.name(question.name, { compress: false });
  writer.u16(question.type);
  writer.u16(question.class);
  return writer;
}

function finishResponse(writer: MessageWriter, answerCount: number, edns: Edns | undefined, rcode: number, state: AnswerState): Uint8Array {
  writer.setU16(6, answerCount);
  if (edns !== undefined) {
    const at = writer.offset;
    for (let i = 0; i < 11; i++) writer.u8(0);
    writer.setU16(10, 1);
    const out = writer.finish();
    writeOpt(out, at, state.limits.udpPayloadMax, rcode >> 4, edns.dnssecOk);
    return out;
  }
  return writer.finish();
}

/**
 * FORMERR or NOTIMP with the header alone: the query's ID, opcode and RD, no sections but our
 * OPT when the query had a valid one (RFC 6891 §7).
 */
function headerOnly(query: Uint8Array, rcode: number, state: AnswerState, edns?: Edns): Uint8Array {
  const out = new Uint8Array(12 + (edns === undefined ? 0 : 11));
  out[0] = query[0];
  out[1] = query[1];
  out[2] = 0x80 | (query[2] & 0x79);
  out[3] = rcode & 0x0f;
  if (edns !== undefined) {
    out[11] = 1;
    writeOpt(out, 12, state.limits.udpPayloadMax, rcode >> 4, edns.dnssecOk);
  }
  return out;
}
