import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Opcode, RRClass, RRType } from '../../dns/wire/constants.js';
import { parseMessage, serializeMessage } from '../../dns/wire/message.js';
import { fenceOfMarker, markerRdata, markerRdatasOfRaw, parseRegistryRdata, registryName, registryRdata, txtRdata } from './marker.js';
import { addRecords, deleteRRset, rrsetAbsent, rrsetIs, updateMessage } from './update-message.js';

test('an UPDATE carries the zone, the prerequisites and the updates in the RFC 2136 §2 forms', () => {
  const zone = 'demo.test.';
  const message = updateMessage({
    id: 77,
    zone,
    prerequisites: [...rrsetIs(`_resolute.${zone}`, RRType.TXT, [markerRdata(4n)]), rrsetAbsent(`api.${zone}`, RRType.CNAME)],
    updates: [deleteRRset(`api.${zone}`, RRType.A), ...addRecords(`api.${zone}`, RRType.A, 30, [Uint8Array.of(192, 0, 2, 1)])],
  });
  const parsed = parseMessage(serializeMessage(message));
  assert.equal(parsed.opcode, Opcode.UPDATE);
  assert.deepEqual(parsed.questions, [{ name: zone, type: RRType.SOA, class: RRClass.IN }]);
  assert.deepEqual(
    parsed.answers.map((r) => [r.name, r.type, r.class, r.ttlSeconds, r.rdata.length]),
    [
      [`_resolute.${zone}`, RRType.TXT, RRClass.IN, 0, 2],
      [`api.${zone}`, RRType.CNAME, RRClass.NONE, 0, 0],
    ],
  );
  assert.deepEqual(
    parsed.authority.map((r) => [r.type, r.class, r.ttlSeconds, r.rdata.length]),
    [
      [RRType.A, RRClass.ANY, 0, 0],
      [RRType.A, RRClass.IN, 30, 4],
    ],
  );
});

test('a marker reads as a generation only when it is one record of one decimal string', () => {
  assert.deepEqual(fenceOfMarker([]), { kind: 'missing' });
  assert.deepEqual(fenceOfMarker([markerRdata(18446744073709551615n)]), { kind: 'generation', generation: 18446744073709551615n });
  for (const rdatas of [[txtRdata(['007'])], [txtRdata(['1', '2'])], [markerRdata(1n), markerRdata(2n)], [txtRdata(['a "quoted" value'])]]) {
    const fence = fenceOfMarker(rdatas);
    assert.equal(fence.kind, 'unparsable');
    if (fence.kind !== 'unparsable') continue;
    // The raw text rebuilds the exact RRset, for a value-dependent prerequisite.
    const rebuilt = markerRdatasOfRaw(fence.raw, 'demo.test.');
    assert.deepEqual(rebuilt?.map((r) => Buffer.from(r).toString('hex')).sort(), rdatas.map((r) => Buffer.from(r).toString('hex')).sort());
  }
});

test('a registry entry keeps the order, weights and pick of what was applied, long records included', () => {
  const owner = 'api.demo.test.';
  const long = new Uint8Array(200).fill(0xab);
  const rrsets = [
    { name: owner, type: RRType.AAAA, class: RRClass.IN, ttlSeconds: 30, rdatas: [new Uint8Array(16).fill(1)] },
    { name: owner, type: RRType.A, class: RRClass.IN, ttlSeconds: 30, rdatas: [Uint8Array.of(192, 0, 2, 9), Uint8Array.of(192, 0, 2, 1)], weights: [100, 2.5], pick: 1 },
    { name: owner, type: RRType.TXT, class: RRClass.IN, ttlSeconds: 30, rdatas: [long] },
  ];
  const entry = parseRegistryRdata(registryRdata(owner, rrsets));
  assert.deepEqual(entry, {
    owner,
    rrsets: [
      { type: RRType.A, pick: 1, records: [{ rdataHex: 'c0000209', weight: 100 }, { rdataHex: 'c0000201', weight: 2.5 }] },
      { type: RRType.TXT, pick: undefined, records: [{ rdataHex: 'ab'.repeat(200), weight: undefined }] },
      { type: RRType.AAAA, pick: undefined, records: [{ rdataHex: '01'.repeat(16), weight: undefined }] },
    ],
  });
  assert.match(registryName('demo.test.', owner), /^[0-9a-f]{32}\._resolute\.demo\.test\.$/);
  assert.equal(parseRegistryRdata(txtRdata(['v=spf1 -all'])), undefined);
});
