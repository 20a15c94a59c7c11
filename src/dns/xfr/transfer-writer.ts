/**
 * Packs the records of a zone transfer into DNS messages (RFC 5936 §2.2): each message has the
 * request's ID, QR and AA set, the question in the first message only (§2.2.1 lets later ones
 * omit it), and as many records as fit in `octetsMax` with names compressed — leaving room for
 * a TSIG, which is appended later (RFC 8945 §5.3.1).
 */
import { assert } from '../../base/assert.js';
import type { Question } from '../wire/message.js';
import { MessageWriter } from '../wire/message-writer.js';
import type { ResourceRecord } from '../wire/record.js';

/** Room left for a TSIG record: a 255-octet key name, the algorithm, a 64-octet MAC, fields. */
const TSIG_RESERVE_OCTETS = 400;

/** RFC 5936 §2.2: a message may be up to 65535 octets; smaller ones start flowing sooner. */
export const DEFAULT_TRANSFER_MESSAGE_OCTETS = 16_384;

export interface TransferHeader {
  readonly id: number;
  readonly rd: boolean;
  readonly question: Question;
}

/** The response messages (unsigned) that carry `records` in order. */
export function* packRecords(header: TransferHeader, records: Iterable<ResourceRecord>, octetsMax: number): Generator<Uint8Array> {
  assert(octetsMax > TSIG_RESERVE_OCTETS + 512 && octetsMax <= 65_535, 'a transfer message holds a record and a TSIG');
  const limit = octetsMax - TSIG_RESERVE_OCTETS;
  let writer = startMessage(header, true);
  let count = 0;
  for (const record of records) {
    const at = writer.offset;
    writer.record(record, { compress: true });
    if (writer.offset > limit && count > 0) {
      writer.rewind(at);
      yield finishMessage(writer, count);
      writer = startMessage(header, false);
      writer.record(record, { compress: true });
      count = 0;
    }
    count++;
  }
  yield finishMessage(writer, count);
}

/** A response with the question and no records, with `rcode` (REFUSED, NOTAUTH, FORMERR, …). */
export function errorMessage(header: TransferHeader, rcode: number, authoritative = false): Uint8Array {
  const writer = startMessage(header, true, rcode, authoritative);
  return finishMessage(writer, 0);
}

function startMessage(header: TransferHeader, withQuestion: boolean, rcode = 0, authoritative = true): MessageWriter {
  const writer = new MessageWriter({ initialCapacity: 1024 });
  writer.u16(header.id);
  // QR, opcode QUERY, AA (RFC 5936 §2.2.1), RD copied from the request.
  writer.u8(0x80 | (authoritative ? 0x04 : 0) | (header.rd ? 0x01 : 0));
  writer.u8(rcode & 0x0f);
  writer.u16(withQuestion ? 1 : 0);
  writer.u16(0);
  writer.u16(0);
  writer.u16(0);
  if (withQuestion) writer.question(header.question.name, header.question.type, header.question.class);
  return writer;
}

function finishMessage(writer: MessageWriter, answerCount: number): Uint8Array {
  writer.setU16(6, answerCount);
  return writer.finish();
}
