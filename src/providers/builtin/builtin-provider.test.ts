import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seededRandom } from '../../base/random.js';
import type { KeyValue } from '../../store/kv/key-value.js';
import { KvStore } from '../../store/kv/kv-store.js';
import { appliedKey } from '../../store/kv/store-keys.js';
import { MemoryKeyValue } from '../../store/memory/memory-key-value.js';
import { SqliteKeyValue } from '../../store/sqlite/sqlite-key-value.js';
import { sqliteStoreFile } from '../../store/sqlite/sqlite-store.js';
import { ManualClock } from '../../store/store-contract.js';
import { runProviderContract, type ProviderFixture } from '../provider-contract.js';
import { BuiltinProvider } from './builtin-provider.js';
import { ZONE_META_NAME } from './zone-meta.js';

const ZONE = 'demo.test.';

/** Two enactors' providers over one store backend; the marker is damaged in the backend itself. */
function fixtureOver(kv: KeyValue, cleanup: () => void): ProviderFixture {
  const store = new KvStore(kv, { clock: new ManualClock(), random: seededRandom(7) });
  const provider = new BuiltinProvider({ id: 'builtin', zones: [ZONE], store, by: 'enactor-a' });
  const peer = new BuiltinProvider({ id: 'builtin', zones: [ZONE], store, by: 'enactor-b' });
  return {
    provider,
    peer,
    zone: ZONE,
    async setMarker(zone, raw) {
      const key = appliedKey('builtin', zone);
      await kv.txn([], [raw === null ? { kind: 'delete', key } : { kind: 'put', key, value: new TextEncoder().encode(raw) }]);
    },
    async changedSince(zone, generation) {
      const read = await store.readRecordSets({ provider: 'builtin', zone, sinceGeneration: generation });
      if (read.kind !== 'found' || read.isFull) throw new Error(`expected the names changed since ${generation}, got ${read.kind}`);
      return read.changes.map((c) => c.name).filter((n) => n !== ZONE_META_NAME);
    },
    async close() {
      await provider.close();
      await peer.close();
      await store.close();
      cleanup();
    },
  };
}

runProviderContract('builtin over the memory store', async () => fixtureOver(new MemoryKeyValue(), () => {}));

runProviderContract('builtin over the sqlite store', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'resolute-builtin-'));
  return fixtureOver(new SqliteKeyValue(sqliteStoreFile(dataDir)), () => rmSync(dataDir, { recursive: true, force: true }));
});
