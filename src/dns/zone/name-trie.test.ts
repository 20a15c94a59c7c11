import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { systemClock } from '../../base/clock.js';
import { seededRandom } from '../../base/random.js';
import { nameToWire } from '../wire/name.js';
import { hashWireName, wildcardHash } from './name-hash.js';
import { NameTrie } from './name-trie.js';

/**
 * The persistent name trie against a plain Map as the model: seeded random sets and deletes,
 * with real hashes and with hashes made to collide (whole or in their low bits, so branches go
 * deep), every earlier version checked unchanged after later edits. A failure prints the seed:
 * RESOLUTE_TEST_SEED=<seed> node --test dist/src/dns/zone/name-trie.test.js
 */

type Hasher = (key: Uint8Array) => number;

const HASHERS: Record<string, Hasher> = {
  'real FNV-1a hashes': (key) => hashWireName(key, 0),
  'every hash equal (one collision list)': () => 0x2a,
  'hashes equal in their low 25 bits (deep branches)': (key) => (hashWireName(key, 0) & 0x7e000000) | 0x15555,
  'only 5 distinct hashes': (key) => [0, 1, 0x100, 0x10000, -1][key.length % 5],
};

const key = (name: string): Uint8Array => nameToWire(name.toLowerCase());

function seed(): number {
  return process.env.RESOLUTE_TEST_SEED === undefined ? systemClock.nowMs() % 2 ** 31 : Number(process.env.RESOLUTE_TEST_SEED);
}

function assertMatches(trie: NameTrie<number>, model: ReadonlyMap<string, number>, universe: readonly string[], hash: Hasher, context: string): void {
  assert.equal(trie.size, model.size, `${context}: size`);
  for (const name of universe) {
    const k = key(name);
    assert.equal(trie.get(hash(k), k, 0), model.get(name), `${context}: get ${name}`);
  }
  const entries = [...trie.entries()].map(([k, v]) => `${Buffer.from(k).toString('hex')}=${v}`).sort();
  const expected = [...model].map(([name, v]) => `${Buffer.from(key(name)).toString('hex')}=${v}`).sort();
  assert.deepEqual(entries, expected, `${context}: entries`);
}

describe('NameTrie', () => {
  for (const [label, hash] of Object.entries(HASHERS)) {
    it(`random sets and deletes match a Map, and every earlier version stays as it was (${label})`, () => {
      const s = seed();
      const random = seededRandom(s);
      const universe = Array.from({ length: 120 }, (_, i) => `n${i}.${'x'.repeat(i % 7)}${i % 3}.test.`);
      let trie = NameTrie.empty<number>();
      let model = new Map<string, number>();
      const history: { trie: NameTrie<number>; model: Map<string, number> }[] = [];
      for (let step = 0; step < 150; step++) {
        const context = `seed ${s}, ${label}, step ${step} (replay: RESOLUTE_TEST_SEED=${s} node --test dist/src/dns/zone/name-trie.test.js)`;
        const next = new Map(model);
        trie = trie.edit((editor) => {
          const edits = 1 + random.int(6);
          for (let i = 0; i < edits; i++) {
            const name = universe[random.int(universe.length)];
            const k = key(name);
            if (random.int(3) === 0) {
              editor.delete(hash(k), k);
              next.delete(name);
            } else {
              const value = random.int(1_000_000);
              editor.set(hash(k), k, value);
              next.set(name, value);
            }
          }
        });
        model = next;
        assertMatches(trie, model, universe, hash, context);
        history.push({ trie, model });
        if (step % 25 === 24) {
          for (const [i, old] of history.entries()) assertMatches(old.trie, old.model, universe, hash, `${context}, version ${i}`);
        }
      }
    });
  }

  it('set and delete return new tries and leave the receiver unchanged', () => {
    const a = key('a.test.');
    const b = key('b.test.');
    const empty = NameTrie.empty<string>();
    const one = empty.set(hashWireName(a, 0), a, 'A');
    const two = one.set(hashWireName(b, 0), b, 'B');
    const changed = two.set(hashWireName(a, 0), a, 'A2');
    const removed = changed.delete(hashWireName(b, 0), b);
    assert.deepEqual([empty.size, one.size, two.size, changed.size, removed.size], [0, 1, 2, 2, 1]);
    assert.equal(one.get(hashWireName(a, 0), a, 0), 'A');
    assert.equal(two.get(hashWireName(a, 0), a, 0), 'A');
    assert.equal(changed.get(hashWireName(a, 0), a, 0), 'A2');
    assert.equal(two.get(hashWireName(b, 0), b, 0), 'B');
    assert.equal(removed.get(hashWireName(b, 0), b, 0), undefined);
    assert.equal(removed.delete(hashWireName(b, 0), b).size, 1, 'deleting a missing name changes nothing');
  });

  it('a lookup matches the name in any case, read straight from the packet bytes', () => {
    const k = key('api.demo.test.');
    const trie = NameTrie.empty<string>().set(hashWireName(k, 0), k, 'api');
    const packet = Uint8Array.from([0xde, 0xad, ...nameToWire('API.Demo.TeSt.')]);
    assert.equal(trie.get(hashWireName(packet, 2), packet, 2), 'api');
    const other = Uint8Array.from(nameToWire('apj.demo.test.'));
    assert.equal(trie.get(hashWireName(other, 0), other, 0), undefined);
  });

  it('getWildcard finds *.<encloser> from the encloser bytes and the wildcard hash', () => {
    const wild = key('*.apps.demo.test.');
    const plain = key('x.apps.demo.test.');
    const trie = NameTrie.empty<string>().set(hashWireName(wild, 0), wild, 'wildcard').set(hashWireName(plain, 0), plain, 'x');
    const encloser = Uint8Array.from(nameToWire('APPS.demo.test.'));
    assert.equal(trie.getWildcard(wildcardHash(hashWireName(encloser, 0)), encloser, 0), 'wildcard');
    const none = Uint8Array.from(nameToWire('demo.test.'));
    assert.equal(trie.getWildcard(wildcardHash(hashWireName(none, 0)), none, 0), undefined);
  });

  it('an editor cannot be used after its edit has finished', () => {
    let escaped: { set(hash: number, key: Uint8Array, value: number): void } | undefined;
    NameTrie.empty<number>().edit((editor) => {
      escaped = editor;
    });
    const k = key('late.test.');
    assert.throws(() => escaped?.set(hashWireName(k, 0), k, 1));
  });
});
