import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RRClass, RRType } from './constants.js';
import { parseMessage, serializeMessage } from './message.js';
import type { Message } from './message.js';
import { nameFromWire } from './name.js';
import type { ResourceRecord } from './record.js';
import { WireFormatError } from './wire-format-error.js';

/**
 * Properties of the message parser, on random bytes and on random mutations of valid messages:
 * it returns a Message or throws WireFormatError, nothing else; and what it returns
 * re-serializes and re-parses to the same content.
 *
 * Bounded in time (each property stops after TIME_LIMIT_MS). A failure prints its seed and
 * the command that replays it: FC_SEED=<seed> FC_PATH=<path> node --test <this file>.
 */

const TIME_LIMIT_MS = 2000;
const FILE = 'dist/src/dns/wire/message.property.test.js';

function check<T>(property: fc.IProperty<T>): void {
  const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
  const path = process.env.FC_PATH;
  const details = fc.check(property, {
    numRuns: 200_000,
    interruptAfterTimeLimit: TIME_LIMIT_MS,
    markInterruptAsFailure: false,
    ...(seed === undefined ? {} : { seed }),
    ...(path === undefined ? {} : { path }),
  });
  if (details.failed) {
    const replay = `FC_SEED=${details.seed} FC_PATH=${details.counterexamplePath ?? ''} node --test ${FILE}`;
    throw new Error(`${fc.defaultReportMessage(details) ?? 'property failed'}\nreplay: ${replay}`);
  }
}

/** How many inputs parsed, and how many were refused, so a test can show it exercised both. */
const outcomes = { parsed: 0, refused: 0 };

/** Parses, and when that succeeds, checks that the result survives a serialize → parse round trip. */
function parsesCleanly(bytes: Uint8Array): void {
  let message: Message;
  try {
    message = parseMessage(bytes);
  } catch (error) {
    if (error instanceof WireFormatError) {
      outcomes.refused++;
      return;
    }
    throw error;
  }
  outcomes.parsed++;
  assert.deepEqual(parseMessage(serializeMessage(message)), message);
}

function expectBothOutcomes(): void {
  assert.ok(outcomes.parsed > 0 && outcomes.refused > 0, `parsed ${outcomes.parsed}, refused ${outcomes.refused}`);
  outcomes.parsed = 0;
  outcomes.refused = 0;
}

// Valid messages, built as values in the form parseMessage returns.

const labelOctet = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...'abcXYZ0-'.split('').map((c) => c.charCodeAt(0))) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
);
const label = fc.uint8Array({ minLength: 1, maxLength: 8 }).chain((l) => fc.array(labelOctet, { minLength: l.length, maxLength: l.length }));
const wireName = fc.array(label, { maxLength: 4 }).map((labels) => Uint8Array.from([...labels.flatMap((l) => [l.length, ...l]), 0]));
/** A small pool of related names, so compression has suffixes to find. */
const nameWire = fc.oneof(wireName, fc.constantFrom('www.example.org.', 'example.org.', 'mail.Example.org.').map(toWire));

function toWire(name: string): Uint8Array {
  const labels = name.split('.').filter((l) => l !== '');
  return Uint8Array.from([...labels.flatMap((l) => [l.length, ...Buffer.from(l)]), 0]);
}

const textOf = (wire: Uint8Array, preserveCase: boolean): string => nameFromWire(wire, 0, { preserveCase, allowPointers: false }).name;
const lower = (wire: Uint8Array): Uint8Array => wire.map((o) => (o >= 0x41 && o <= 0x5a ? o + 0x20 : o));
const u16 = (v: number): number[] => [v >> 8, v & 0xff];
const bytes = (...parts: (Uint8Array | number[])[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

const rdataOf: Record<string, fc.Arbitrary<Uint8Array>> = {
  [RRType.A]: fc.uint8Array({ minLength: 4, maxLength: 4 }),
  [RRType.AAAA]: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  [RRType.NS]: nameWire.map(lower),
  [RRType.CNAME]: nameWire.map(lower),
  [RRType.PTR]: nameWire.map(lower),
  [RRType.SOA]: fc.tuple(nameWire, nameWire, fc.uint8Array({ minLength: 20, maxLength: 20 })).map(([m, r, t]) => bytes(lower(m), lower(r), t)),
  [RRType.MX]: fc.tuple(fc.integer({ min: 0, max: 0xffff }), nameWire).map(([p, n]) => bytes(u16(p), lower(n))),
  [RRType.SRV]: fc.tuple(fc.uint8Array({ minLength: 6, maxLength: 6 }), nameWire).map(([f, n]) => bytes(f, lower(n))),
  [RRType.TXT]: fc.array(fc.uint8Array({ maxLength: 20 }), { minLength: 1, maxLength: 3 }).map((s) => bytes(...s.map((x) => bytes([x.length], x)))),
  [RRType.CAA]: fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ minLength: 1, maxLength: 5 }), fc.uint8Array({ maxLength: 10 })).map(([f, t, v]) => bytes([f, t.length], t, v)),
  [RRType.DS]: fc.uint8Array({ minLength: 4, maxLength: 24 }),
  65280: fc.uint8Array({ maxLength: 12 }),
};

const record: fc.Arbitrary<ResourceRecord> = fc
  .constantFrom(...Object.keys(rdataOf).map(Number))
  .chain((type) =>
    fc.record({
      name: nameWire.map((w) => textOf(w, false)),
      type: fc.constant(type),
      class: fc.constantFrom(RRClass.IN, RRClass.CH),
      ttlSeconds: fc.integer({ min: 0, max: 0x7fffffff }),
      rdata: rdataOf[type],
    }),
  )
  .map((r) => ({ ...r })); // fc.record builds null-prototype objects; parseMessage does not.

const edns = fc.option(
  fc.record({
    udpSize: fc.integer({ min: 0, max: 0xffff }),
    extendedRcode: fc.constant(0),
    version: fc.integer({ min: 0, max: 255 }),
    dnssecOk: fc.boolean(),
    options: fc.array(fc.record({ code: fc.integer({ min: 0, max: 0xffff }), data: fc.uint8Array({ maxLength: 8 }) }).map((o) => ({ ...o })), { maxLength: 2 }),
  }).map((e) => ({ ...e })),
  { nil: undefined },
);

const message: fc.Arbitrary<Message> = fc
  .record({
    id: fc.integer({ min: 0, max: 0xffff }),
    qr: fc.boolean(),
    opcode: fc.integer({ min: 0, max: 15 }),
    aa: fc.boolean(),
    tc: fc.boolean(),
    rd: fc.boolean(),
    ra: fc.boolean(),
    ad: fc.boolean(),
    cd: fc.boolean(),
    rcode: fc.integer({ min: 0, max: 0xfff }),
    questions: fc.array(
      fc.record({ name: nameWire.map((w) => textOf(w, true)), type: fc.integer({ min: 0, max: 0xffff }), class: fc.constant(RRClass.IN) }).map((q) => ({ ...q })),
      { maxLength: 2 },
    ),
    answers: fc.array(record, { maxLength: 4 }),
    authority: fc.array(record, { maxLength: 2 }),
    additional: fc.array(record, { maxLength: 2 }),
    edns,
  })
  .map((m) =>
    m.edns === undefined
      ? { ...m, rcode: m.rcode & 0xf }
      : { ...m, edns: { ...m.edns, extendedRcode: m.rcode >> 4 } },
  );

/** Ways to damage a message: overwrite, insert, delete, truncate, or set a count. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), values: fc.uint8Array({ minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('count' as const), which: fc.integer({ min: 0, max: 3 }), value: fc.integer({ min: 0, max: 6 }) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(original: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = [...original];
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : 'at' in m ? m.at % out.length : 0;
    switch (m.kind) {
      case 'set':
        out[at] = m.value;
        break;
      case 'insert':
        out.splice(at, 0, ...m.values);
        break;
      case 'delete':
        out.splice(at, m.count);
        break;
      case 'truncate':
        out = out.slice(0, at);
        break;
      case 'count':
        if (out.length >= 12) [out[4 + m.which * 2], out[5 + m.which * 2]] = [0, m.value];
        break;
    }
  }
  return Uint8Array.from(out);
}

describe('parseMessage properties', () => {
  it('every valid message survives serialize then parse unchanged', () => {
    check(fc.property(message, (m) => assert.deepEqual(parseMessage(serializeMessage(m)), m)));
  });

  it('random bytes give a Message or a WireFormatError, and a Message round-trips', () => {
    const header = fc.uint8Array({ minLength: 12, maxLength: 12 }).map((h) => {
      // Small counts, so the random body is sometimes read as records at all.
      for (const at of [4, 6, 8, 10]) h[at] = 0;
      for (const at of [5, 7, 9, 11]) h[at] %= 3;
      return h;
    });
    const anyBytes = fc.uint8Array({ maxLength: 300 });
    const headerAndBody = fc.tuple(header, fc.uint8Array({ maxLength: 200 })).map(([h, b]) => bytes(h, b));
    check(fc.property(fc.oneof({ weight: 1, arbitrary: anyBytes }, { weight: 3, arbitrary: headerAndBody }), parsesCleanly));
    expectBothOutcomes();
  });

  it('mutated valid messages give a Message or a WireFormatError, and a Message round-trips', () => {
    check(fc.property(message, fc.array(mutation, { minLength: 1, maxLength: 3 }), (m, mutations) => parsesCleanly(mutate(serializeMessage(m), mutations))));
    expectBothOutcomes();
  });
});
