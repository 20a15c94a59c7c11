import { assert } from '../../base/assert.js';
import { RRClass, RRType } from './constants.js';
import { ednsFromOpt, optRdata, optTtl } from './edns.js';
import type { Edns, EdnsOptionField } from './edns.js';
import { nameFromWire, nameToWire } from './name.js';
import { MessageWriter } from './message-writer.js';
import { rdataFromWire } from './rdata-wire.js';
import type { ResourceRecord } from './record.js';
import { WireFormatError } from './wire-format-error.js';

/** A DNS message (RFC 1035 §4.1) with EDNS (RFC 6891) lifted out of the additional section. */
export interface Message {
  readonly id: number;
  /** QR: a response. */
  readonly qr: boolean;
  readonly opcode: number;
  readonly aa: boolean;
  readonly tc: boolean;
  readonly rd: boolean;
  readonly ra: boolean;
  /** RFC 4035 §3.2.3 (the old Z bit 6 stays zero and is not kept). */
  readonly ad: boolean;
  readonly cd: boolean;
  /** The full 12-bit RCODE: header bits, plus the OPT's extended bits above them (RFC 6891 §6.1.3). */
  readonly rcode: number;
  readonly questions: readonly Question[];
  readonly answers: readonly ResourceRecord[];
  readonly authority: readonly ResourceRecord[];
  /** Without the OPT record, which is `edns`. */
  readonly additional: readonly ResourceRecord[];
  readonly edns: Edns | undefined;
}

export interface Question {
  /**
   * The name AS RECEIVED: presentation form, case preserved (a DNS 0x20 client expects its
   * case back). Compare with canonicalName(name) from name.ts.
   */
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

const HEADER_OCTETS = 12;

/**
 * Parses and validates a whole message. Record owners and names inside known rdata come out
 * canonical (lower case); question names keep their case. A TTL with its top bit set reads as
 * 0 (RFC 2181 §8).
 *
 * @throws WireFormatError with the offset of the first bad octet: a truncated header or
 *   section, counts that claim more or fewer records than there are, trailing octets, a bad
 *   name or rdata, an OPT outside the additional section, a second OPT (RFC 6891 §6.1.1), an
 *   OPT whose owner is not the root.
 */
export function parseMessage(bytes: Uint8Array): Message {
  if (bytes.length < HEADER_OCTETS) {
    throw new WireFormatError(`message of ${bytes.length} octets is shorter than the 12-octet header`, bytes.length);
  }
  const reader = new SectionReader(bytes);
  const flags = reader.u16At(2);
  const [qdcount, ancount, nscount, arcount] = [4, 6, 8, 10].map((at) => reader.u16At(at));
  const questions: Question[] = [];
  for (let i = 0; i < qdcount; i++) questions.push(reader.question());
  const answers = reader.records(ancount, 'answer');
  const authority = reader.records(nscount, 'authority');
  const additional = reader.records(arcount, 'additional');
  if (reader.pos !== bytes.length) {
    throw new WireFormatError(`${bytes.length - reader.pos} octets after the last record`, reader.pos);
  }
  const edns = reader.edns;
  return {
    id: reader.u16At(0),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >>> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    ad: (flags & 0x0020) !== 0,
    cd: (flags & 0x0010) !== 0,
    rcode: ((edns?.extendedRcode ?? 0) << 4) | (flags & 0xf),
    questions,
    answers,
    authority,
    additional,
    edns,
  };
}

type Section = 'answer' | 'authority' | 'additional';

class SectionReader {
  pos = HEADER_OCTETS;
  edns: Edns | undefined;

  constructor(private readonly bytes: Uint8Array) {}

  u16At(at: number): number {
    return (this.bytes[at] << 8) | this.bytes[at + 1];
  }

  private need(octets: number, what: string): void {
    if (this.pos + octets > this.bytes.length) {
      throw new WireFormatError(`${what} runs past the end of the message (a count may be wrong)`, this.pos);
    }
  }

  question(): Question {
    if (this.pos >= this.bytes.length) this.need(1, 'question section');
    const { name, end } = nameFromWire(this.bytes, this.pos, { preserveCase: true });
    this.pos = end;
    this.need(4, 'question');
    const question = { name, type: this.u16At(this.pos), class: this.u16At(this.pos + 2) };
    this.pos += 4;
    return question;
  }

  records(count: number, section: Section): ResourceRecord[] {
    const records: ResourceRecord[] = [];
    for (let i = 0; i < count; i++) {
      const record = this.record(section);
      if (record !== undefined) records.push(record);
    }
    return records;
  }

  /** One record (RFC 1035 §4.1.3), or undefined for the OPT, which goes to `edns`. */
  private record(section: Section): ResourceRecord | undefined {
    const start = this.pos;
    if (start >= this.bytes.length) this.need(1, `${section} section`);
    const { name, end } = nameFromWire(this.bytes, start);
    this.pos = end;
    this.need(10, 'record header');
    const type = this.u16At(this.pos);
    const klass = this.u16At(this.pos + 2);
    const ttl = ((this.u16At(this.pos + 4) << 16) | this.u16At(this.pos + 6)) >>> 0;
    const rdlength = this.u16At(this.pos + 8);
    this.pos += 10;
    const rdataAt = this.pos;
    this.need(rdlength, 'rdata');
    this.pos += rdlength;
    if (type === RRType.OPT) {
      this.opt(section, name, start, klass, ttl, rdataAt, rdlength);
      return undefined;
    }
    // RFC 2136 §2.4 and §2.5: class ANY or NONE with rdlength 0 names a whole RRset.
    const allowEmpty = klass === RRClass.ANY || klass === RRClass.NONE;
    const rdata = rdataFromWire(type, this.bytes, rdataAt, rdlength, { allowEmpty });
    // RFC 2181 §8: a TTL with the top bit set is treated as zero.
    return { name, type, class: klass, ttlSeconds: ttl > 0x7fffffff ? 0 : ttl, rdata };
  }

  private opt(section: Section, owner: string, start: number, klass: number, ttl: number, at: number, length: number): void {
    // RFC 6891 §6.1.1: at most one OPT, in the additional section, owned by the root.
    if (section !== 'additional') throw new WireFormatError(`OPT record in the ${section} section`, start);
    if (this.edns !== undefined) throw new WireFormatError('a second OPT record', start);
    if (owner !== '.') throw new WireFormatError(`OPT record owned by ${owner}, not the root`, start);
    this.edns = ednsFromOpt(klass, ttl, this.bytes, at, length);
  }
}

/**
 * The wire form of a message, names compressed (RFC 1035 §4.1.4). The OPT, when `edns` is
 * set, is written first in the additional section, so a TSIG added last stays last.
 *
 * With `maxSize` (a UDP payload limit), a message that does not fit is replaced by its
 * truncated form (RFC 2181 §9; RFC 6891 §7): TC set, the question and the OPT kept, the
 * answer, authority and additional sections dropped, so the client retries over TCP. If even
 * that form exceeds maxSize (a huge OPT), it is returned anyway: there is nothing left to drop.
 * Without maxSize the length is not capped; over TCP pass maxSize 65535 (RFC 1035 §4.2.2).
 */
export function serializeMessage(message: Message, options: { maxSize?: number } = {}): Uint8Array {
  const full = write(message, false);
  if (options.maxSize === undefined || full.length <= options.maxSize) return full;
  return write(message, true);
}

function write(message: Message, isTruncated: boolean): Uint8Array {
  const { edns } = message;
  assert(message.rcode >= 0 && message.rcode <= (edns === undefined ? 0xf : 0xfff), 'rcode fits its bits (above 15 needs EDNS)');
  const sections = isTruncated ? [[], [], []] : [message.answers, message.authority, message.additional];
  const writer = new MessageWriter();
  writer.u16(message.id);
  writer.u16(flagsOf(message, isTruncated));
  writer.u16(message.questions.length);
  writer.u16(sections[0].length);
  writer.u16(sections[1].length);
  writer.u16(sections[2].length + (edns === undefined ? 0 : 1));
  for (const q of message.questions) writer.question(q.name, q.type, q.class);
  for (const rr of sections[0]) writer.record(rr, { compress: true });
  for (const rr of sections[1]) writer.record(rr, { compress: true });
  if (edns !== undefined) {
    const opt = { name: '.', type: RRType.OPT, class: edns.udpSize, ttlSeconds: optTtl(edns, message.rcode) };
    writer.record({ ...opt, rdata: optRdata(edns) }, { compress: false });
  }
  for (const rr of sections[2]) writer.record(rr, { compress: true });
  return writer.finish();
}

function flagsOf(m: Message, isTruncated: boolean): number {
  return (
    (m.qr ? 0x8000 : 0) |
    ((m.opcode & 0xf) << 11) |
    (m.aa ? 0x0400 : 0) |
    (m.tc || isTruncated ? 0x0200 : 0) |
    (m.rd ? 0x0100 : 0) |
    (m.ra ? 0x0080 : 0) |
    (m.ad ? 0x0020 : 0) |
    (m.cd ? 0x0010 : 0) |
    (m.rcode & 0xf)
  );
}

export interface QueryOptions {
  readonly id: number;
  /** Recursion desired; default false (Resolute asks authoritative servers). */
  readonly rd?: boolean;
  /** Default IN. */
  readonly class?: number;
  /** Add an OPT: `true` for the defaults, or the fields to set (udpSize defaults to 1232). */
  readonly edns?: boolean | { udpSize?: number; dnssecOk?: boolean; options?: readonly EdnsOptionField[] };
}

/** The EDNS payload size the DNS flag day 2020 recommends: no IP fragmentation on real paths. */
export const DEFAULT_UDP_SIZE = 1232;

/**
 * A request (QR clear): every header flag clear unless given, empty sections unless given, no
 * EDNS. The one place requests of every opcode start from (QUERY, NOTIFY, UPDATE, transfers).
 */
export function buildRequest(fields: Partial<Message> & Pick<Message, 'id' | 'opcode' | 'questions'>): Message {
  return {
    qr: false,
    aa: false,
    tc: false,
    rd: false,
    ra: false,
    ad: false,
    cd: false,
    rcode: 0,
    answers: [],
    authority: [],
    additional: [],
    edns: undefined,
    ...fields,
  };
}

/**
 * A standard query (opcode QUERY) for one name and type. The name is an absolute name in
 * presentation form; its case is kept.
 */
export function buildQuery(name: string, type: number, options: QueryOptions): Message {
  // Through wire form and back: validates the name and gives it the module's escaping.
  const qname = nameFromWire(nameToWire(name), 0, { preserveCase: true, allowPointers: false }).name;
  const ednsFields = options.edns === true ? {} : options.edns === false ? undefined : options.edns;
  return buildRequest({
    id: options.id,
    opcode: 0,
    rd: options.rd ?? false,
    questions: [{ name: qname, type, class: options.class ?? RRClass.IN }],
    edns:
      ednsFields === undefined
        ? undefined
        : {
            udpSize: ednsFields.udpSize ?? DEFAULT_UDP_SIZE,
            extendedRcode: 0,
            version: 0,
            dnssecOk: ednsFields.dnssecOk ?? false,
            options: ednsFields.options ?? [],
          },
  });
}
