import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serializeMessage } from '../../dns/wire/message.js';
import { signMessage } from '../../dns/wire/tsig.js';
import { parseTsigKey } from '../../dns/wire/tsig-key.js';
import type { Fence } from '../provider.js';
import { zoneRecordsFor } from '../provider-contract.js';
import { fencedUpdateMessage } from './fence.js';
import { fitsIn, groupCountThatFits, packGroupWrites, updateBudget } from './group-writes.js';
import { ownerChanges, partition } from './owner-changes.js';
import { zoneStateOf } from './zone-state.js';

const ZONE = 'pack.example.test.';
const KEY = parseTsigKey(`a-rather-long-key-name.example.:hmac-sha512:${Buffer.alloc(64, 3).toString('base64')}`, 'test key');

/** The changes of writing `count` names of three addresses each into an empty zone. */
function fullWrite(count: number) {
  const names: Record<string, string[]> = {};
  for (let i = 0; i < count; i++) names[`name-${i}`] = [`10.1.${i >> 8}.${i & 255}`, `10.2.${i >> 8}.${i & 255}`, `10.3.${i >> 8}.${i & 255}`];
  return ownerChanges(ZONE, zoneStateOf(ZONE, []), zoneRecordsFor(ZONE, 1n, names), () => true);
}

const signedOctets = (write: Parameters<typeof fencedUpdateMessage>[0]): number => {
  const message = fencedUpdateMessage(write);
  assert.ok(message !== undefined);
  return signMessage(serializeMessage({ ...message, id: 1 }), KEY, { timeSigned: 1_700_000_000 }).bytes.length;
};

test('every packed UPDATE, signed, fits its budget, and packing fills messages instead of sending one per group', () => {
  const changes = fullWrite(3000);
  for (const maxUpdateBytes of [65_535, 8_000]) {
    const budget = updateBudget(ZONE, KEY, maxUpdateBytes);
    const groups = groupCountThatFits(changes, 1, budget) as number;
    assert.ok(groups !== undefined && fitsIn(partition(changes, groups), budget));
    const groupFences: Fence[] = Array.from({ length: groups }, () => ({ kind: 'missing' }));
    const writes = packGroupWrites({ zone: ZONE, generation: 1n, groupFences, parts: partition(changes, groups), budget });
    assert.deepEqual(writes.flatMap((w) => w.groups), [...Array(groups).keys()], 'every group once, in order');
    const sizes = writes.map((w) => signedOctets(w.update));
    assert.ok(Math.max(...sizes) <= maxUpdateBytes, `${maxUpdateBytes}: the largest UPDATE is ${Math.max(...sizes)} octets`);
    assert.ok(writes.length < groups, `${maxUpdateBytes}: ${groups} groups in ${writes.length} UPDATEs`);
    const total = sizes.reduce((a, b) => a + b, 0);
    assert.ok(total / writes.length > maxUpdateBytes / 3, `${maxUpdateBytes}: the UPDATEs average ${Math.round(total / writes.length)} octets`);
  }
});

test('a change of one name in a split zone is one UPDATE under every group to write and the apex group count, skipping groups already there', () => {
  const budget = updateBudget(ZONE, KEY);
  const changes = fullWrite(1);
  const groupFences: Fence[] = Array.from({ length: 64 }, (_, i) => ({ kind: 'generation', generation: i === 5 ? 9n : 4n }));
  const writes = packGroupWrites({ zone: ZONE, generation: 7n, groupFences, parts: partition(changes, 64), budget });
  assert.equal(writes.length, 1);
  const [write] = writes;
  assert.equal(write.groups.length, 63, 'group 5, at 9, is left alone (never backwards)');
  assert.deepEqual(write.owners, [`name-0.${ZONE}`]);
  assert.equal(write.update.conditions[0].name, `_resolute.${ZONE}`);
  assert.deepEqual(write.update.conditions[0].fence, { kind: 'unparsable', raw: '"groups=64"' });
  assert.equal(write.update.conditions.length, 64);
  assert.equal(write.update.markers.length, 63);
  assert.match(write.update.what, /63 groups \(0, 1, 2, 3, …\) of 64/);
});
