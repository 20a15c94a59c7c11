import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RRType, Rcode } from '../dns/wire/constants.js';
import { parseMessage, serializeMessage } from '../dns/wire/message.js';
import { parseIPv4 } from '../dns/wire/address-text.js';
import { rdataFromText } from '../dns/wire/rdata-text.js';
import { markerName, markerRdata } from '../providers/rfc2136/marker.js';
import { addRecords, deleteRRset, rrsetAbsent, rrsetIs, updateMessage } from '../providers/rfc2136/update-message.js';
import { Rfc2136ServerModel } from './rfc2136-server-model.js';

const ZONE = 'demo.test.';
const MARKER = markerName(ZONE);
const a = (text: string): Uint8Array => parseIPv4(text) as Uint8Array;

function send(model: Rfc2136ServerModel, prerequisites: Parameters<typeof updateMessage>[0]['prerequisites'], updates: Parameters<typeof updateMessage>[0]['updates']): number {
  return parseMessage(model.handle(serializeMessage(updateMessage({ id: 1, zone: ZONE, prerequisites, updates })), 0)).rcode;
}

test('an UPDATE is applied only when its marker prerequisite holds (RFC 2136 §3.2), all or nothing', () => {
  const model = new Rfc2136ServerModel([ZONE], undefined, 100);
  assert.equal(send(model, [rrsetAbsent(MARKER, RRType.TXT)], [...addRecords('api.demo.test.', RRType.A, 30, [a('192.0.2.1')]), ...addRecords(MARKER, RRType.TXT, 0, [markerRdata(1n)])]), Rcode.NOERROR);
  assert.equal(model.zones.get(ZONE)?.serial, 101);
  // A stale writer names generation 0: refused, nothing changes.
  assert.equal(send(model, rrsetIs(MARKER, RRType.TXT, [markerRdata(0n)]), [deleteRRset('api.demo.test.', RRType.A)]), Rcode.NXRRSET);
  assert.equal(model.addressCount(ZONE, 'api.demo.test.'), 1);
  assert.equal(send(model, [rrsetAbsent(MARKER, RRType.TXT)], []), Rcode.YXRRSET);
  assert.equal(send(model, [], addRecords('other.example.', RRType.A, 30, [a('192.0.2.9')])), Rcode.NOTZONE);
});

test('the silent ignores of RFC 2136 §3.4.2.2: an A beside a CNAME, an SOA serial not higher', () => {
  const model = new Rfc2136ServerModel([ZONE], undefined, 100);
  assert.equal(send(model, [], addRecords('www.demo.test.', RRType.CNAME, 30, [rdataFromText(RRType.CNAME, ['api.demo.test.'], ZONE)])), Rcode.NOERROR);
  assert.equal(send(model, [], addRecords('www.demo.test.', RRType.A, 30, [a('192.0.2.2')])), Rcode.NOERROR);
  assert.equal(model.addressCount(ZONE, 'www.demo.test.'), 0);
  const lower = rdataFromText(RRType.SOA, ['ns1.demo.test.', 'hostmaster.demo.test.', '50', '3600', '600', '86400', '60'], ZONE);
  const serial = model.zones.get(ZONE)?.serial;
  assert.equal(send(model, [], addRecords(ZONE, RRType.SOA, 3600, [lower])), Rcode.NOERROR);
  assert.equal(model.zones.get(ZONE)?.serial, serial);
});
