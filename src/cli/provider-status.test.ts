import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../config/load-config.js';
import type { AppliedGeneration, Heartbeat } from '../store/store.js';
import { providerStatus } from './provider-status.js';

const applied: AppliedGeneration[] = [{ provider: 'bind', zone: 'demo.test.', generation: 7n, atMs: 1000, by: 'B' }];

test('foreign names come from the newest reconcile heartbeat that read zones back; a zone it did not read is unknown', () => {
  const heartbeats: Heartbeat[] = [
    { id: 'Q:reconcile', role: 'reconcile', outcome: 'in-sync', foreign: { 'bind demo.test.': ['old.demo.test.'] }, atMs: 1500 },
    { id: 'R:reconcile', role: 'reconcile', outcome: 'repaired', detail: 'bind demo.test.: serves 6, below the newest 7', foreign: { 'bind demo.test.': ['demo.test.', 'foreign.demo.test.'], 'builtin other.test.': [] }, atMs: 2000 },
    { id: 'S:reconcile', role: 'reconcile', outcome: 'store-unavailable', detail: '', atMs: 3000 }, // read nothing back: not a view of the zones
  ];
  const withUnread: AppliedGeneration[] = [...applied, { provider: 'knot', zone: 'x.test.', generation: 7n, atMs: 1000, by: 'B' }];
  const status = providerStatus(withUnread, heartbeats, undefined);
  const of = (id: string) => status.find((p) => p.id === id) ?? assert.fail(`no ${id} in the status`);
  const [bind, builtin, knot] = [of('bind'), of('builtin'), of('knot')];
  assert.deepEqual(bind, { id: 'bind', zones: [{ zone: 'demo.test.', applied: { generation: '7', by: 'B', atMs: 1000 }, foreign: ['demo.test.', 'foreign.demo.test.'], foreignSeen: { by: 'R:reconcile', atMs: 2000 } }] });
  assert.deepEqual(builtin.zones.map((z) => [z.zone, z.applied, z.foreign]), [['other.test.', null, []]]);
  assert.deepEqual(knot.zones.map((z) => [z.zone, z.foreign, z.foreignSeen]), [['x.test.', null, null]]);
});

test('without a reconcile the foreign names are unknown, never "none"; --config adds type, server and zones not applied yet', () => {
  const config = parseConfig(
    `zones: [{ apex: demo.test, nameservers: [ns1.demo.test] }, { apex: other.test, nameservers: [ns1.other.test] }]\nendpoints: []\nproviders:\n  - { name: bind, type: rfc2136, address: 192.0.2.53, zones: [demo.test], tsig: { name: k, secret: ${Buffer.alloc(32, 1).toString('base64')} } }\n`,
    'resolute.yaml',
  );
  const status = providerStatus(applied, [], config);
  assert.deepEqual(status.map((p) => [p.id, p.type, p.server, p.zones.map((z) => [z.zone, z.applied?.generation ?? null, z.foreign])]), [
    ['builtin', 'builtin', undefined, [['other.test.', null, null]]],
    ['bind', 'rfc2136', '192.0.2.53:53', [['demo.test.', '7', null]]],
  ]);
});
