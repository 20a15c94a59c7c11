import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIPv4 } from '../dns/wire/address-text.js';
import { RRType } from '../dns/wire/constants.js';
import { rdataToText } from '../dns/wire/rdata-text.js';
import { EndpointTable } from '../plan/endpoint-table.js';
import type { Plan, PlanEndpoint } from '../plan/plan.js';
import { zoneRecordsOf } from './zone-records.js';

function endpoint(name: string, policy: PlanEndpoint['policy'], addresses: string[]): PlanEndpoint {
  return {
    name,
    zone: 'demo.test.',
    type: 'A',
    ttlSeconds: 30,
    policy,
    activeRegion: null,
    isFailOpen: false,
    records: addresses.map((address, i) => ({ address, target: address, weight: 100 - i * 50, role: 'serving', sinceMs: 0 })),
  };
}

const plan: Plan = {
  generation: 42n,
  parentGeneration: 41n,
  createdAtMs: 0,
  reasons: [],
  unsettledNames: [],
  endpoints: EndpointTable.from([
    endpoint('api.demo.test.', 'weighted', ['192.0.2.10', '192.0.2.11']),
    endpoint('all.demo.test.', 'multivalue', ['192.0.2.20', '192.0.2.21']),
    endpoint('other.example.', 'weighted', ['192.0.2.30']),
  ].map((e, i) => (i === 2 ? { ...e, zone: 'example.' } : e))),
  zones: [
    {
      apex: 'demo.test.',
      nameservers: ['ns1.demo.test.'],
      hostmaster: 'hostmaster.demo.test.',
      negativeTtlSeconds: 5,
      records: [
        { name: 'demo.test.', type: 'MX', ttlSeconds: 300, value: '10 mail.demo.test.' },
        { name: 'demo.test.', type: 'TXT', ttlSeconds: 300, value: '"v=spf1 -all" "second string"' },
        { name: 'demo.test.', type: 'TXT', ttlSeconds: 60, value: '"another"' },
        { name: 'demo.test.', type: 'TXT', ttlSeconds: 60, value: '"another"' },
        { name: 'demo.test.', type: 'CAA', ttlSeconds: 300, value: '0 issue "letsencrypt.org"' },
      ],
    },
  ],
};

test('a plan becomes the zone records of each zone: weighted endpoints pick one by weight, multivalue serve all', () => {
  const records = zoneRecordsOf(plan, 'demo.test.');
  assert.ok(records !== undefined);
  assert.equal(records.generation, 42n);
  assert.deepEqual([...records.names.keys()], ['all.demo.test.', 'api.demo.test.', 'demo.test.']);
  const [api] = records.names.get('api.demo.test.') ?? [];
  assert.deepEqual(api.rdatas.map((r) => formatIPv4(r)), ['192.0.2.10', '192.0.2.11']);
  assert.deepEqual(api.weights, [100, 50]);
  assert.equal(api.pick, 1);
  const [all] = records.names.get('all.demo.test.') ?? [];
  assert.equal(all.pick, undefined);
  assert.equal(all.rdatas.length, 2);
  assert.deepEqual(records.soa, { nameservers: ['ns1.demo.test.'], hostmaster: 'hostmaster.demo.test.', negativeTtlSeconds: 5 });
});

test('static records are grouped into RRsets with one TTL, the smallest, and no duplicates (RFC 2181 §5)', () => {
  const apex = zoneRecordsOf(plan, 'demo.test.')?.names.get('demo.test.') ?? [];
  const txt = apex.find((r) => r.type === RRType.TXT);
  assert.equal(txt?.ttlSeconds, 60);
  assert.deepEqual(txt?.rdatas.map((r) => rdataToText(RRType.TXT, r)), ['"v=spf1 -all" "second string"', '"another"']);
  assert.equal(rdataToText(RRType.MX, apex.find((r) => r.type === RRType.MX)?.rdatas[0] as Uint8Array), '10 mail.demo.test.');
  assert.equal(rdataToText(RRType.CAA, apex.find((r) => r.type === RRType.CAA)?.rdatas[0] as Uint8Array), '0 issue "letsencrypt.org"');
});

test('a zone the plan does not hold gives nothing, and an endpoint with no records is a bug, never an empty name', () => {
  assert.equal(zoneRecordsOf(plan, 'absent.test.'), undefined);
  const broken: Plan = { ...plan, endpoints: EndpointTable.from([endpoint('api.demo.test.', 'weighted', [])]) };
  assert.throws(() => zoneRecordsOf(broken, 'demo.test.'), /ERR_ASSERTION/);
});
