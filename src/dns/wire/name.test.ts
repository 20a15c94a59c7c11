import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalName,
  isSubdomain,
  labelCount,
  nameFromWire,
  nameToWire,
  parentName,
  parseName,
  readNameWire,
  splitLabels,
} from './name.js';
import { WireFormatError } from './wire-format-error.js';

/** A message of `body` behind a zeroed 12-octet header, so pointers can point past the header. */
function message(...body: number[]): Uint8Array {
  return Uint8Array.from([...new Array<number>(12).fill(0), ...body]);
}

function wireError(fn: () => unknown, offset: number, reason: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof WireFormatError, `expected WireFormatError, got ${String(error)}`);
    assert.equal(error.code, 'ERR_WIRE_FORMAT');
    assert.equal(error.offset, offset);
    assert.match(error.reason, reason);
    return true;
  });
}

function nameError(fn: () => unknown, reason: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.equal((error as { code?: string }).code, 'ERR_NAME_INVALID');
    assert.match((error as Error).message, reason);
    return true;
  });
}

describe('parseName', () => {
  it('lower-cases and keeps absolute names absolute', () => {
    assert.equal(parseName('WWW.Example.ORG.'), 'www.example.org.');
    assert.equal(parseName('.'), '.');
  });

  it('completes relative names with the origin', () => {
    assert.equal(parseName('www', 'example.org.'), 'www.example.org.');
    assert.equal(parseName('a.B', 'example.org.'), 'a.b.example.org.');
    assert.equal(parseName('www', '.'), 'www.');
  });

  it('refuses a relative name without an origin', () => {
    nameError(() => parseName('www'), /relative name needs an origin/);
  });

  it('treats @ as an ordinary character, because the zone-file parser resolves it', () => {
    assert.equal(parseName('@', 'example.org.'), '\\@.example.org.');
  });

  it('decodes \\X and \\DDD escapes and writes the canonical escapes back', () => {
    assert.equal(parseName('a\\.b.example.'), 'a\\.b.example.');
    assert.equal(parseName('\\065\\066c.'), 'abc.');
    assert.equal(parseName('\\a\\b.'), 'ab.');
    assert.equal(parseName('a\\032b.'), 'a\\032b.');
    assert.equal(parseName('a\\ b.'), 'a\\032b.');
    assert.equal(parseName('x\\000\\255.'), 'x\\000\\255.');
    assert.equal(parseName('\\\\.'), '\\\\.');
    assert.equal(parseName('a;b"c(d)e$f.'), 'a\\;b\\"c\\(d\\)e\\$f.');
    assert.equal(parseName('é.'), '\\195\\169.');
  });

  it('refuses empty labels', () => {
    nameError(() => parseName('a..b.'), /empty label/);
    nameError(() => parseName('.a.'), /empty label/);
    nameError(() => parseName('..'), /empty label/);
    nameError(() => parseName(''), /empty name/);
  });

  it('refuses bad escapes', () => {
    nameError(() => parseName('a\\25.'), /three decimal digits/);
    nameError(() => parseName('a\\256.'), /above 255/);
    nameError(() => parseName('a\\'), /backslash ends/);
  });

  it('accepts a 63-octet label and refuses a 64-octet one', () => {
    const label63 = 'a'.repeat(63);
    assert.equal(parseName(`${label63}.`), `${label63}.`);
    nameError(() => parseName(`${label63}a.`), /label longer than 63 octets/);
    nameError(() => parseName(`${'\\000'.repeat(64)}.`), /label longer than 63 octets/);
  });

  it('accepts a 255-octet name and refuses a 256-octet one', () => {
    // Four labels of 63 (4 × 64 = 256 octets) is one too many; 3 × 64 + 62 + 1 = 255.
    const name255 = `${'a'.repeat(63)}.`.repeat(3) + `${'b'.repeat(61)}.`;
    assert.equal(nameToWire(parseName(name255)).length, 255);
    nameError(() => parseName(`${'a'.repeat(63)}.`.repeat(3) + `${'b'.repeat(62)}.`), /256 octets/);
    // The limit also holds after the origin is appended.
    nameError(() => parseName('b'.repeat(62), `${'a'.repeat(63)}.`.repeat(3)), /256 octets/);
  });
});

describe('nameToWire', () => {
  it('writes length-prefixed labels ending in the root label', () => {
    assert.deepEqual([...nameToWire('www.example.')], [3, 119, 119, 119, 7, 101, 120, 97, 109, 112, 108, 101, 0]);
    assert.deepEqual([...nameToWire('.')], [0]);
    assert.deepEqual([...nameToWire('a\\.b.')], [3, 97, 46, 98, 0]);
  });

  it('keeps the case it is given', () => {
    assert.deepEqual([...nameToWire('Ab.')], [2, 65, 98, 0]);
  });

  it('refuses a relative name', () => {
    nameError(() => nameToWire('www'), /relative/);
  });
});

describe('nameFromWire', () => {
  it('reads an uncompressed name and says where it ends', () => {
    const buf = message(3, 0x57, 0x77, 0x77, 2, 0x6f, 0x72, 0, 0xff);
    assert.deepEqual(nameFromWire(buf, 12), { name: 'www.or.', end: 20 });
    assert.deepEqual(nameFromWire(buf, 12, { preserveCase: true }), { name: 'Www.or.', end: 20 });
  });

  it('follows a compression pointer and ends after the pointer', () => {
    // 12: example.  21: www + pointer to 12
    const buf = message(7, ...Buffer.from('example'), 0, 3, ...Buffer.from('www'), 0xc0, 12);
    assert.deepEqual(nameFromWire(buf, 21), { name: 'www.example.', end: 27 });
  });

  it('follows a chain of pointers that go strictly backwards', () => {
    // 12: org.  17: example + ptr 12   27: www + ptr 17   33: ptr 27
    const buf = message(3, ...Buffer.from('org'), 0, 7, ...Buffer.from('example'), 0xc0, 12, 3, ...Buffer.from('www'), 0xc0, 17, 0xc0, 27);
    assert.deepEqual(nameFromWire(buf, 33), { name: 'www.example.org.', end: 35 });
  });

  it('escapes octets that need it in presentation form', () => {
    const buf = message(3, 0x61, 0x2e, 0x20, 0);
    assert.equal(nameFromWire(buf, 12).name, 'a\\.\\032.');
  });

  it('refuses a pointer to itself', () => {
    wireError(() => nameFromWire(message(0xc0, 12), 12), 12, /strictly backwards/);
  });

  it('refuses a loop of two pointers', () => {
    // 12: ptr 14 (forward), 14: ptr 12
    wireError(() => nameFromWire(message(0xc0, 14, 0xc0, 12), 14), 12, /strictly backwards/);
  });

  it('refuses a loop through labels', () => {
    // 12: label "a", then a pointer back to 12: backwards from the pointer, but into its own labels.
    wireError(() => nameFromWire(message(1, 0x61, 0xc0, 12), 12), 14, /strictly backwards/);
  });

  it('refuses a forward pointer', () => {
    wireError(() => nameFromWire(message(0xc0, 14, 0), 12), 12, /strictly backwards/);
  });

  it('refuses a pointer into the header', () => {
    wireError(() => nameFromWire(message(0xc0, 2), 12), 12, /into the header/);
  });

  it('refuses the reserved label types 0x40 and 0x80', () => {
    wireError(() => nameFromWire(message(0x41, 0), 12), 12, /label type 0x40/);
    wireError(() => nameFromWire(message(0x81, 0), 12), 12, /label type 0x80/);
  });

  it('refuses names that run past the end of the message', () => {
    wireError(() => nameFromWire(message(3, 0x61, 0x62), 12), 12, /past the end/);
    wireError(() => nameFromWire(message(1, 0x61), 12), 14, /past the end/);
    wireError(() => nameFromWire(message(0xc0), 12), 12, /past the end/);
    wireError(() => nameFromWire(message(), 12), 12, /past the end/);
  });

  it('refuses a name longer than 255 octets, even when built from pointers', () => {
    const label = (c: number): number[] => [63, ...new Array<number>(63).fill(c)];
    // 12: four labels of 63 octets = 257 octets with the root label.
    const long = message(...label(0x61), ...label(0x62), ...label(0x63), ...label(0x64), 0);
    wireError(() => nameFromWire(long, 12), 12 + 3 * 64, /longer than 255/);
    // Three labels (193 octets) written once, then two more labels pointing at them.
    const body = [...label(0x61), ...label(0x62), ...label(0x63), 0];
    const viaPointer = message(...body, ...label(0x64), 0xc0, 12);
    wireError(() => nameFromWire(viaPointer, 12 + body.length), 12 + 2 * 64, /longer than 255/);
  });

  it('refuses pointers where names must not be compressed', () => {
    wireError(() => readNameWire(message(0, 0xc0, 12), 13, { allowPointers: false }), 13, /must not be compressed/);
  });
});

describe('name helpers', () => {
  it('isSubdomain counts a name as below itself and respects label boundaries', () => {
    assert.equal(isSubdomain('www.example.org.', 'example.org.'), true);
    assert.equal(isSubdomain('example.org.', 'example.org.'), true);
    assert.equal(isSubdomain('example.org.', '.'), true);
    assert.equal(isSubdomain('badexample.org.', 'example.org.'), false);
    assert.equal(isSubdomain('org.', 'example.org.'), false);
    // `a\.example` is one label, so this name is a child of org., not of example.org.
    assert.equal(isSubdomain('a\\.example.org.', 'example.org.'), false);
    assert.equal(isSubdomain('x.a\\.example.org.', 'a\\.example.org.'), true);
    assert.equal(isSubdomain('a\\.example.org.', 'a.example.org.'), false);
    assert.equal(isSubdomain('a\\\\.example.org.', 'example.org.'), true);
  });

  it('labelCount, parentName and splitLabels see escaped dots inside labels', () => {
    assert.equal(labelCount('.'), 0);
    assert.equal(labelCount('example.org.'), 2);
    assert.equal(labelCount('a\\.b.org.'), 2);
    assert.equal(parentName('www.example.org.'), 'example.org.');
    assert.equal(parentName('org.'), '.');
    assert.equal(parentName('.'), undefined);
    assert.equal(parentName('a\\.b.org.'), 'org.');
    assert.deepEqual(splitLabels('a\\.b.org.'), ['a\\.b', 'org']);
    assert.deepEqual(splitLabels('.'), []);
    assert.deepEqual(splitLabels('a\\\\.b.'), ['a\\\\', 'b']);
  });

  it('canonicalName lower-cases a name read with its case', () => {
    assert.equal(canonicalName('WwW.Example.\\065.'), 'www.example.\\065.');
  });
});
