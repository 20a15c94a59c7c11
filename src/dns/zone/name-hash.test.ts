import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nameToWire } from '../wire/name.js';
import { hashWireName, hashWireSuffixes, ROOT_HASH, wildcardHash } from './name-hash.js';

const wire = (name: string): Uint8Array => nameToWire(name);

describe('name hashes', () => {
  it('names that differ only in the case of ASCII letters hash alike (RFC 4343)', () => {
    assert.equal(hashWireName(wire('WWW.Example.ORG.'), 0), hashWireName(wire('www.example.org.'), 0));
  });

  it('different names almost always hash apart', () => {
    const names = Array.from({ length: 5_000 }, (_, i) => `host${i}.zone${i % 13}.test.`);
    const hashes = new Set(names.map((n) => hashWireName(wire(n), 0)));
    assert.ok(hashes.size >= names.length - 2, `${names.length - hashes.size} collisions among ${names.length} names`);
  });

  it('the root name hashes to ROOT_HASH', () => {
    assert.equal(hashWireName(Uint8Array.of(0), 0), ROOT_HASH);
  });

  it('hashWireSuffixes gives every suffix the hash of that suffix as a name of its own', () => {
    const name = 'a.bb.ccc.test.';
    const bytes = Uint8Array.from([9, 9, 9, ...wire(name)]);
    const offsets = new Int32Array(129);
    const hashes = new Int32Array(129);
    const labels = hashWireSuffixes(bytes, 3, offsets, hashes);
    assert.equal(labels, 4);
    const suffixes = ['a.bb.ccc.test.', 'bb.ccc.test.', 'ccc.test.', 'test.', '.'];
    suffixes.forEach((suffix, i) => {
      const expected = suffix === '.' ? ROOT_HASH : hashWireName(wire(suffix), 0);
      assert.equal(hashes[i], expected, `suffix ${suffix}`);
    });
    assert.deepEqual([...offsets.subarray(0, 5)], [3, 5, 8, 12, 17]);
  });

  it('wildcardHash of a name is the hash of *.<name>', () => {
    for (const parent of ['apps.demo.test.', 'Demo.Test.', 'test.']) {
      assert.equal(wildcardHash(hashWireName(wire(parent), 0)), hashWireName(wire(`*.${parent}`), 0), parent);
    }
  });
});
