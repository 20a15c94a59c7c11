/**
 * Style rules a reviewer would otherwise have to remember (CONVENTIONS.md), checked on every
 * source file: no ambient time, randomness or timers outside the seams; error codes and their
 * documentation in step; files named for what they hold.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const src = path.join(root, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

const files = sourceFiles(src);
const productionFiles = files.filter((f) => !f.endsWith('.test.ts'));
const rel = (file: string): string => path.relative(root, file);

test('no ambient time, randomness or timers outside base/, sim/, cli/ and test helpers (CONVENTIONS rule 4)', () => {
  // A socket's own idle timeout (socket.setTimeout) is not an ambient timer: method calls pass.
  const banned = /(?<![.\w])(setTimeout|setInterval|setImmediate)\(|\b(Date\.now|Math\.random|performance\.now)\(/;
  const seams = ['base', 'sim', 'cli', 'testing'];
  const offenders: string[] = [];
  for (const file of productionFiles) {
    if (seams.includes(path.relative(src, file).split(path.sep)[0])) continue;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, '');
        if (banned.test(code)) offenders.push(`${rel(file)}:${i + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(offenders, [], `take a Clock or Random instead:\n${offenders.join('\n')}`);
});

test('docs/errors.md lists exactly the error codes of src/base/errors.ts', () => {
  const source = readFileSync(path.join(src, 'base/errors.ts'), 'utf8');
  const union = source.slice(source.indexOf('export type ErrorCode'), source.indexOf(';', source.indexOf('export type ErrorCode')));
  const codes = new Set([...union.matchAll(/'(ERR_[A-Z0-9_]+)'/g)].map((m) => m[1]));
  const documented = new Set(
    [...readFileSync(path.join(root, 'docs/errors.md'), 'utf8').matchAll(/^\|\s*`(ERR_[A-Z0-9_]+)`/gm)].map((m) => m[1]),
  );
  assert.deepEqual([...codes].filter((c) => !documented.has(c)), [], 'codes missing from docs/errors.md');
  assert.deepEqual([...documented].filter((c) => !codes.has(c)), [], 'docs/errors.md lists codes the source no longer has');
});

test('every error code used in the source is declared', () => {
  const source = readFileSync(path.join(src, 'base/errors.ts'), 'utf8');
  const declared = new Set([...source.matchAll(/'(ERR_[A-Z0-9_]+)'/g)].map((m) => m[1]));
  const unknown: string[] = [];
  for (const file of productionFiles) {
    for (const match of readFileSync(file, 'utf8').matchAll(/'(ERR_[A-Z][A-Z0-9_]+)'/g)) {
      // Node's own codes (ERR_SOCKET_*, ERR_INVALID_*, ERR_SQLITE_ERROR) are read, not raised, here.
      const isNodeCode = /^ERR_(SOCKET|INVALID|SQLITE)_/.test(match[1]);
      if (!declared.has(match[1]) && !isNodeCode) {
        unknown.push(`${rel(file)}: ${match[1]}`);
      }
    }
  }
  assert.deepEqual(unknown, []);
});

test('files are kebab-case and named for what they hold, never utils or helpers (CONVENTIONS rules 9, 10)', () => {
  const bad = files.filter((file) => {
    const base = path.basename(file).replace(/(\.property)?(\.test)?\.ts$/, '');
    return !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(base) || /^(utils?|helpers?|manager|data|info|misc|common)$/.test(base);
  });
  assert.deepEqual(bad.map(rel), []);
});

test('no test helper sits in a folder named test/ under src/ (the runner would run it)', () => {
  assert.deepEqual(files.filter((f) => f.includes(`${path.sep}test${path.sep}`)).map(rel), []);
});

test('every top-level folder of src/ has a README.md (CONVENTIONS rule 1)', () => {
  const folders = readdirSync(src).filter((entry) => statSync(path.join(src, entry)).isDirectory());
  const missing = folders.filter((folder) => {
    try {
      return !statSync(path.join(src, folder, 'README.md')).isFile();
    } catch {
      return true;
    }
  });
  assert.deepEqual(missing, [], 'folders without a README.md');
});
