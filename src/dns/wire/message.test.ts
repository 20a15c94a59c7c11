import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rcode, RRClass, RRType, typeCode, typeName } from './constants.js';
import { buildQuery, parseMessage, serializeMessage } from './message.js';
import type { Message } from './message.js';
import { rdataFromText, rdataToText } from './rdata-text.js';
import type { ResourceRecord } from './record.js';
import { WireFormatError } from './wire-format-error.js';

/** `api.example.org. 30 IN A 192.0.2.10` → a record (fields split on spaces; no quoting). */
function rr(line: string): ResourceRecord {
  const [name, ttl, klass, type, ...fields] = line.split(' ');
  assert.equal(klass, 'IN');
  const code = typeCode(type) as number;
  return { name, type: code, class: RRClass.IN, ttlSeconds: Number(ttl), rdata: rdataFromText(code, fields, '.') };
}

/** The records of a section in presentation form, for comparing with expectations. */
function text(records: readonly ResourceRecord[]): string[] {
  return records.map((r) => `${r.name} ${r.ttlSeconds} IN ${typeName(r.type)} ${rdataToText(r.type, r.rdata)}`);
}

function wireError(bytes: Uint8Array, offset: number, reason: RegExp): void {
  assert.throws(() => parseMessage(bytes), (error: unknown) => {
    assert.ok(error instanceof WireFormatError, String(error));
    assert.equal(error.offset, offset);
    assert.match(error.reason, reason);
    return true;
  });
}

function response(overrides: Partial<Message> = {}): Message {
  const query = buildQuery('Api.Example.org.', RRType.A, { id: 0x1234, rd: true, edns: true });
  return {
    ...query,
    qr: true,
    aa: true,
    answers: [rr('api.example.org. 30 IN CNAME web.example.org.'), rr('web.example.org. 30 IN A 192.0.2.10')],
    authority: [rr('example.org. 3600 IN NS ns1.example.org.')],
    additional: [rr('ns1.example.org. 3600 IN A 192.0.2.53'), rr('ns1.example.org. 3600 IN AAAA 2001:db8::53')],
    ...overrides,
  };
}

/** A header with these counts, then `body`. */
function header(counts: [number, number, number, number], ...body: number[]): Uint8Array {
  const [qd, an, ns, ar] = counts;
  return Uint8Array.from([0x12, 0x34, 0x81, 0x00, 0, qd, 0, an, 0, ns, 0, ar, ...body]);
}

const QUESTION = [3, ...Buffer.from('www'), 4, ...Buffer.from('test'), 0, 0, 1, 0, 1]; // www.test. A IN, 14 octets
const OPT = [0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0]; // root, OPT, 1232, TTL 0, rdlength 0

describe('parseMessage and serializeMessage', () => {
  it('round-trip a response with every section and EDNS', () => {
    const original = response();
    const bytes = serializeMessage(original);
    assert.deepEqual(parseMessage(bytes), original);
  });

  it('compress names: the answer owner points at the question', () => {
    const bytes = serializeMessage(response());
    // Question name at 12 is 17 octets, then qtype and qclass: the first answer starts at 33.
    assert.deepEqual([...bytes.subarray(33, 35)], [0xc0, 0x0c]);
  });

  it('keep the case of the question name and lower-case record owners', () => {
    const parsed = parseMessage(serializeMessage(response()));
    assert.equal(parsed.questions[0].name, 'Api.Example.org.');
    // The answer owner is a pointer to the question, so it was sent as `Api.Example.org.`.
    assert.deepEqual(text(parsed.answers), [
      'api.example.org. 30 IN CNAME web.example.org.',
      'web.example.org. 30 IN A 192.0.2.10',
    ]);
  });

  it('read the header flags and opcode', () => {
    const flags: Partial<Message> = { qr: true, opcode: 5, aa: true, tc: true, rd: true, ra: true, ad: true, cd: true, rcode: Rcode.REFUSED };
    const parsed = parseMessage(serializeMessage(response({ ...flags, edns: undefined })));
    for (const [key, value] of Object.entries(flags)) assert.equal(parsed[key as keyof Message], value, key);
  });

  it('combine the extended RCODE bits of the OPT with the header (RFC 6891 §6.1.3)', () => {
    const bytes = serializeMessage(response({ rcode: Rcode.BADVERS }));
    assert.equal(bytes[3] & 0xf, 0);
    const parsed = parseMessage(bytes);
    assert.equal(parsed.rcode, Rcode.BADVERS);
    assert.equal(parsed.edns?.extendedRcode, 1);
  });

  it('refuse to serialize an RCODE above 15 without EDNS', () => {
    assert.throws(() => serializeMessage(response({ rcode: Rcode.BADVERS, edns: undefined })), /ERR_ASSERTION/);
  });

  it('carry EDNS options, the DO bit and the version', () => {
    const edns = { udpSize: 4096, extendedRcode: 0, version: 1, dnssecOk: true, options: [{ code: 10, data: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) }] };
    assert.deepEqual(parseMessage(serializeMessage(response({ edns }))).edns, edns);
  });

  it('read a TTL with the top bit set as 0 (RFC 2181 §8)', () => {
    const body = [...QUESTION, 0xc0, 12, 0, 1, 0, 1, 0x80, 0, 0, 1, 0, 4, 192, 0, 2, 1];
    assert.equal(parseMessage(header([1, 1, 0, 0], ...body)).answers[0].ttlSeconds, 0);
  });

  it('copy rdata out of a Node Buffer instead of keeping a view of it', () => {
    const buffer = Buffer.from(serializeMessage(response()));
    const parsed = parseMessage(buffer);
    buffer.fill(0);
    assert.equal(parsed.answers[1].rdata.constructor, Uint8Array);
    assert.deepEqual(text(parsed.answers.slice(1)), ['web.example.org. 30 IN A 192.0.2.10']);
  });

  it('accept empty rdata with class ANY, as RFC 2136 uses it', () => {
    const body = [...QUESTION, 0xc0, 12, 0, 1, 0, 255, 0, 0, 0, 0, 0, 0];
    assert.equal(parseMessage(header([1, 1, 0, 0], ...body)).answers[0].rdata.length, 0);
  });
});

describe('parseMessage refuses malformed messages with the offset', () => {
  it('a header shorter than 12 octets', () => {
    wireError(Uint8Array.of(1, 2, 3), 3, /shorter than the 12-octet header/);
  });

  it('a question count larger than the questions present', () => {
    wireError(header([2, 0, 0, 0], ...QUESTION), 26, /question section runs past the end/);
  });

  it('an answer count larger than the records present', () => {
    wireError(header([1, 1, 0, 0], ...QUESTION), 26, /answer section runs past the end/);
  });

  it('a truncated record header and truncated rdata', () => {
    wireError(header([1, 1, 0, 0], ...QUESTION, 0, 0, 1, 0, 1), 27, /record header runs past/);
    wireError(header([1, 1, 0, 0], ...QUESTION, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2), 37, /rdata runs past/);
  });

  it('octets after the last record', () => {
    wireError(header([1, 0, 0, 0], ...QUESTION, 0), 26, /1 octets after the last record/);
  });

  it('a second OPT record (RFC 6891 §6.1.1)', () => {
    wireError(header([1, 0, 0, 2], ...QUESTION, ...OPT, ...OPT), 37, /a second OPT/);
  });

  it('an OPT outside the additional section', () => {
    wireError(header([1, 1, 0, 0], ...QUESTION, ...OPT), 26, /OPT record in the answer section/);
    wireError(header([1, 0, 1, 0], ...QUESTION, ...OPT), 26, /OPT record in the authority section/);
  });

  it('an OPT owned by another name than the root', () => {
    wireError(header([1, 0, 0, 1], ...QUESTION, 0xc0, 12, ...OPT.slice(1)), 26, /owned by www.test., not the root/);
  });

  it('an EDNS option that runs past the OPT rdata', () => {
    const opt = [0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 6, 0, 10, 0, 8, 1, 2];
    wireError(header([1, 0, 0, 1], ...QUESTION, ...opt), 37, /option data runs past/);
  });

  it('rdata whose length does not fit its type', () => {
    const body = [...QUESTION, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 5, 192, 0, 2, 1, 0];
    wireError(header([1, 1, 0, 0], ...body), 38, /A rdata is 5 octets, not 4/);
  });

  it('a compressed name with a forward pointer', () => {
    wireError(header([1, 0, 0, 0], 0xc0, 14, 0, 0, 1, 0, 1), 12, /strictly backwards/);
  });
});

describe('serializeMessage with maxSize', () => {
  it('returns the whole message when it fits', () => {
    const full = serializeMessage(response());
    assert.deepEqual(serializeMessage(response(), { maxSize: full.length }), full);
  });

  it('returns the RFC 2181 §9 truncated form when it does not: TC, question and OPT only', () => {
    const full = serializeMessage(response());
    const parsed = parseMessage(serializeMessage(response(), { maxSize: full.length - 1 }));
    assert.equal(parsed.tc, true);
    assert.deepEqual(parsed.questions, response().questions);
    assert.deepEqual(parsed.edns, response().edns);
    assert.deepEqual([parsed.answers.length, parsed.authority.length, parsed.additional.length], [0, 0, 0]);
  });
});

describe('buildQuery', () => {
  it('builds a query that round-trips, with EDNS defaults', () => {
    const query = buildQuery('WWW.example.org.', RRType.AAAA, { id: 7, edns: { dnssecOk: true } });
    assert.deepEqual(query.edns, { udpSize: 1232, extendedRcode: 0, version: 0, dnssecOk: true, options: [] });
    assert.equal(query.rd, false);
    assert.deepEqual(parseMessage(serializeMessage(query)), query);
  });

  it('refuses a relative name', () => {
    assert.throws(() => buildQuery('www', RRType.A, { id: 1 }), /ERR_NAME_INVALID/);
  });
});
