import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { seededRandom } from '../base/random.js';
import { LastKnownGoodFile, type StoredAnswer } from './last-known-good-file.js';

const answer: StoredAnswer = { v4: ['192.0.2.10'], v6: ['2001:db8::10'], ttlSeconds: 30, qname: 'api.example.org', freshUntilWallMs: 1_700_000_000_000 };

test('last-known-good answers written to disk are read back, and no temporary file is left', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'resolute-client-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'lkg.json');
  const errors: unknown[] = [];
  const file = new LastKnownGoodFile(path, seededRandom(1), (e) => e !== undefined && errors.push(e));
  void file.save(new Map([['api.example.org', answer]]));
  await file.save(new Map([['api.example.org', answer], ['db.example.org', { ...answer, v4: ['192.0.2.20'] }]]));
  assert.deepEqual(errors, []);
  assert.deepEqual(await readdir(dir), ['lkg.json']);
  const loaded = new LastKnownGoodFile(path, seededRandom(1), () => undefined).load();
  assert.deepEqual([...loaded.keys()], ['api.example.org', 'db.example.org']);
  assert.deepEqual(loaded.get('db.example.org')?.v4, ['192.0.2.20']);
  assert.match(await readFile(path, 'utf8'), /"version":1/);
});

test('a missing or corrupt last-known-good file is read as empty, so the resolver still starts', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'resolute-client-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.equal(new LastKnownGoodFile(join(dir, 'none.json'), seededRandom(1), () => undefined).load().size, 0);
  await writeFile(join(dir, 'bad.json'), '{"version":1,"names":{"x":{"v4":[1]}}');
  assert.equal(new LastKnownGoodFile(join(dir, 'bad.json'), seededRandom(1), () => undefined).load().size, 0);
});

test('a write to a directory that does not exist is reported, not thrown', async () => {
  const seen: unknown[] = [];
  const file = new LastKnownGoodFile('/nonexistent-dir/lkg.json', seededRandom(1), (e) => seen.push(e));
  await file.save(new Map([['api.example.org', answer]]));
  assert.equal(seen.length, 1);
  assert.equal((seen[0] as { code?: string }).code, 'ENOENT');
});
