import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupCountOf, groupOf, groupsRdata, markerRdata, txtRdata, zoneFenceOf } from './marker.js';

test('a split zone reads as its lowest group; all missing as missing; a mix as unparsable', () => {
  const g = (generation: bigint) => ({ kind: 'generation', generation }) as const;
  assert.deepEqual(zoneFenceOf([g(9n)]), g(9n));
  assert.deepEqual(zoneFenceOf([g(9n), g(7n), g(8n)]), g(7n));
  assert.deepEqual(zoneFenceOf([{ kind: 'missing' }, { kind: 'missing' }]), { kind: 'missing' });
  assert.deepEqual(zoneFenceOf([g(3n), { kind: 'missing' }, { kind: 'unparsable', raw: 'x' }]), { kind: 'unparsable', raw: 'groups=3 3 - ?' });
});

test('the apex names a group count only as one "groups=<n>" string with n of at least 2', () => {
  assert.equal(groupCountOf([groupsRdata(8)]), 8);
  for (const rdatas of [[], [markerRdata(5n)], [groupsRdata(1)], [txtRdata(['groups=0'])], [groupsRdata(4), groupsRdata(8)]]) assert.equal(groupCountOf(rdatas), 1);
});

test('doubling the group count splits group i into i and i+n only', () => {
  for (let i = 0; i < 500; i++) {
    const owner = `name-${i}.demo.test.`;
    assert.equal(groupOf(owner, 1), 0);
    for (const n of [2, 4, 8, 16]) assert.equal(groupOf(owner, 2 * n) % n, groupOf(owner, n), owner);
  }
});
