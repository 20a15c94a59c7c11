import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock } from '../base/clock.js';
import { seededRandom } from '../base/random.js';
import { parseConfig } from '../config/load-config.js';
import { EndpointTable } from '../plan/endpoint-table.js';
import type { Plan } from '../plan/plan.js';
import { openMemoryStore } from '../store/memory/memory-store.js';
import { createProviders } from './create-providers.js';

const SECRET = Buffer.alloc(32, 1).toString('base64');

function planOfZones(...apexes: string[]): Plan {
  return {
    generation: 2n,
    parentGeneration: 1n,
    createdAtMs: 0,
    zones: apexes.map((apex) => ({ apex, nameservers: [`ns1.${apex}`], negativeTtlSeconds: 5, hostmaster: `hostmaster.${apex}`, records: [] })),
    endpoints: EndpointTable.from([]),
    reasons: [],
    unsettledNames: [],
  };
}

test('with every zone on an RFC 2136 server at start, a built-in provider still takes a zone a reload adds', async () => {
  const config = parseConfig(
    `zones: [{ apex: demo.test, nameservers: [ns1.demo.test] }]\nendpoints: []\nproviders:\n  - { name: bind, type: rfc2136, address: 192.0.2.53, zones: [demo.test], tsig: { name: k, secret: ${SECRET} } }\n`,
    'resolute.yaml',
  );
  const store = await openMemoryStore({ clock: systemClock, random: seededRandom(1) });
  const providers = createProviders(config, { store, clock: systemClock, random: seededRandom(1), by: 'E', servedGeneration: () => undefined });
  assert.deepEqual(providers.map((p) => p.id), ['builtin', 'bind']);
  const [builtin, bind] = providers;
  const plan = planOfZones('demo.test.', 'added.test.');
  assert.deepEqual(builtin.zonesFor(plan), ['added.test.'], 'the added zone, never the RFC 2136 server\'s');
  assert.deepEqual(bind.zonesFor(plan), ['demo.test.']);
});
