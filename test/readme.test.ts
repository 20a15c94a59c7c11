/**
 * Documentation that cannot drift: every YAML example in every README loads through the real
 * config loader (zone-file examples are loaded by src/dns/zone's own tests), and the project
 * README keeps the two set-up commands that CI runs.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { parseConfig } from '../src/config/load-config.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

function readmes(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return readmes(full);
    return entry === 'README.md' ? [full] : [];
  });
}

function blocks(text: string, language: string): string[] {
  return [...text.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
}

test('every YAML example in a README loads through the config loader', () => {
  let count = 0;
  for (const file of readmes(path.join(root, 'src'))) {
    blocks(readFileSync(file, 'utf8'), 'yaml').forEach((yaml, i) => {
      const where = `${path.relative(root, file)} yaml example ${i + 1}`;
      assert.doesNotThrow(() => parseConfig(yaml, where), where);
      count++;
    });
  }
  assert.ok(count > 0, 'the READMEs hold YAML examples');
});

test('the README gives the two set-up commands, and .ci/run runs the test command', () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const commands = blocks(readme.slice(readme.indexOf('## Set up')), 'sh').slice(0, 2).map((b) => b.trim());
  assert.equal(commands.length, 2);
  assert.match(commands[0], /^npm ci && npx resolute (up|serve)\b/);
  assert.equal(commands[1], 'npm ci && npm test');
  const ci = readFileSync(path.join(root, '.ci/run'), 'utf8');
  assert.match(ci, /npm ci/);
  assert.match(ci, /npm test/);
});
