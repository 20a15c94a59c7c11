/**
 * Imports point down the table of CONVENTIONS.md only: this test reads every import of every
 * source file under src/ and fails on an edge the table does not allow, naming the file, the
 * import and the rule. Tests (*.test.ts) may import anything, the naive 2025 stack (sim/naive)
 * included; test helpers live in src/testing/ and may import anything but sim/naive. Outside
 * tests, only sim/ reaches sim/naive, and `run` and `up` never load it, even through another
 * module (the last test here).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const src = path.join(root, 'src');

/** A module's place: `dns/wire`, `dns/server`, `store`, `providers/rfc2136`, … */
function placeOf(file: string): string {
  const rel = path.relative(src, file).split(path.sep);
  if (rel[0] === 'dns' || rel[0] === 'providers' || rel[0] === 'store' || rel[0] === 'sim') {
    return rel.length > 2 ? `${rel[0]}/${rel[1]}` : `${rel[0]}/${rel[1].replace(/\.ts$/, '')}`;
  }
  return rel[0];
}

type Rule = (target: string, typeOnly: boolean) => boolean;
const under = (...prefixes: string[]): Rule => (target) => prefixes.some((p) => target === p || target.startsWith(`${p}/`));
const any = (...rules: Rule[]): Rule => (target, typeOnly) => rules.some((r) => r(target, typeOnly));
const typesOnly = (rule: Rule): Rule => (target, typeOnly) => typeOnly && rule(target, typeOnly);

/** Every place, what it may import (besides itself). From CONVENTIONS.md, "Direction of dependencies". */
const allowed: Array<[RegExp, Rule]> = [
  [/^base$/, () => false],
  [/^dns\/wire$/, under('base')],
  [/^dns\/zone$/, under('base', 'dns/wire')],
  [/^dns\/exchange$/, under('base', 'dns/wire')],
  [/^dns\/xfr$/, under('base', 'dns/wire', 'dns/zone', 'dns/exchange')],
  [/^dns\/server$/, under('base', 'dns/wire', 'dns/zone', 'dns/xfr')],
  [/^config$/, under('base', 'dns/wire')],
  [/^health$/, under('base', 'dns/wire', 'dns/exchange', 'config')],
  [/^plan$/, any(under('base', 'dns/wire', 'config'), typesOnly(under('health')))],
  // store/kv is the Store written once over a key-value backend; memory/, sqlite/ (and etcd/) are backends of it.
  [/^store\//, any(under('base', 'config', 'health', 'store/store', 'store/kv'), typesOnly(under('plan')))],
  [/^providers\/provider$/, under('base', 'dns', 'plan')],
  // Files at the root of providers/ (the contract suite, zone-records) are shared by every provider; never one provider's folder.
  [/^providers\/builtin$/, under('base', 'dns', 'plan', 'providers/provider', 'providers/zone-records', 'providers/static-record-rdata', 'store/store')],
  [/^providers\//, under('base', 'dns', 'plan', 'providers/provider', 'providers/zone-records', 'providers/static-record-rdata')],
  [/^enact$/, under('base', 'plan', 'store/store', 'providers/provider')],
  [/^verify$/, under('base', 'dns', 'config', 'plan', 'store/store')],
  [/^client$/, under('base', 'dns/wire', 'dns/exchange')],
  [/^api$/, (t) => !t.startsWith('cli') && !t.startsWith('sim') && t !== 'ui' && t !== 'testing'],
  [/^ui$/, typesOnly(under('api'))],
  [/^sim\//, (t) => !t.startsWith('cli') && t !== 'api' && t !== 'ui' && t !== 'verify' && t !== 'testing'],
  [/^cli$/, (t) => !t.startsWith('sim/naive') && t !== 'testing'],
  [/^testing$/, (t) => !t.startsWith('sim/naive')],
  // The package entry re-exports the embeddable pieces; it is no layer of its own.
  [/^index\.ts$/, (t) => !t.startsWith('sim') && !t.startsWith('cli') && t !== 'testing' && t !== 'ui'],
];

/** npm packages each place may use: the query path and the client stay dependency-free. */
const packages: Array<[RegExp, readonly string[]]> = [
  [/^config$/, ['yaml', 'ajv', 'ajv-formats', '@sinclair/typebox']],
  [/^store\//, ['better-sqlite3', 'etcd3']],
  [/^cli$/, ['commander', 'pino', 'pino-pretty']],
  [/^api$/, ['pino', 'prom-client']],
  [/^testing$/, ['*']],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

interface ImportEdge {
  readonly specifier: string;
  readonly typeOnly: boolean;
}

function importsOf(text: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const pattern = /^\s*(import|export)\s+(type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (const match of text.matchAll(pattern)) edges.push({ specifier: match[3], typeOnly: match[2] !== undefined });
  for (const match of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) edges.push({ specifier: match[1], typeOnly: false });
  return edges;
}

test('every import points down the dependency table of CONVENTIONS.md', () => {
  const violations: string[] = [];
  for (const file of sourceFiles(src)) {
    const isTest = file.endsWith('.test.ts');
    const from = placeOf(file);
    const rel = path.relative(root, file);
    for (const { specifier, typeOnly } of importsOf(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('node:')) continue;
      if (!specifier.startsWith('.')) {
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
        if (isTest) continue;
        const permitted = packages.find(([p]) => p.test(from))?.[1] ?? [];
        if (!permitted.includes('*') && !permitted.includes(name)) {
          violations.push(`${rel}: imports the package '${name}', which ${from}/ may not use`);
        }
        continue;
      }
      if (!specifier.endsWith('.js')) violations.push(`${rel}: import '${specifier}' needs an explicit .js suffix (ESM)`);
      const target = placeOf(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
      if (target === from) continue;
      if (isTest) continue;
      if (target.startsWith('sim/naive') && !from.startsWith('sim/')) {
        violations.push(`${rel}: only sim/ and tests may reach the naive 2025 stack ('${specifier}')`);
        continue;
      }
      const rule = allowed.find(([p]) => p.test(from))?.[1];
      if (rule === undefined) violations.push(`${rel}: ${from}/ is not in the dependency table; add it to CONVENTIONS.md and this test`);
      else if (!rule(target, typeOnly)) violations.push(`${rel}: ${from} may not import ${target}${typeOnly ? ' (even as a type)' : ''} ('${specifier}')`);
    }
  }
  assert.deepEqual(violations, [], `imports against the layering:\n${violations.join('\n')}`);
});

/** Modules a file loads when it is loaded: its static imports, followed (dynamic `import()` is not). */
function staticClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'"]*?\s+from\s+)?['"](\.[^'"]+)['"]/gm)) {
      pending.push(path.resolve(path.dirname(file), match[1].replace(/\.js$/, '.ts')));
    }
  }
  return seen;
}

test('`resolute run` and `resolute up` never load the naive 2025 stack, not even through another module', () => {
  for (const entry of ['cli/run-command.ts', 'cli/up-command.ts']) {
    const loaded = staticClosure(path.join(src, entry));
    assert.ok(loaded.size > 5, `${entry}: the import walk followed its imports (${loaded.size} modules)`);
    const naive = [...loaded].filter((file) => placeOf(file).startsWith('sim/naive'));
    assert.deepEqual(naive.map((f) => path.relative(root, f)), [], `${entry} loads the naive stack`);
  }
});
