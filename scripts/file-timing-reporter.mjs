// A node:test reporter that prints how long each test file took, slowest first, when the run
// ends, so that a slow file is seen before it eats CI's budget. It runs beside the spec
// reporter (scripts/test.sh passes both).
import path from 'node:path';

export default async function* fileTimingReporter(source) {
  const wallMs = new Map(); // file -> duration of the file's own subprocess (Node reports it)
  const summedMs = new Map(); // file -> sum of its top-level tests (fallback)
  const failed = new Set();
  for await (const event of source) {
    if (event.type !== 'test:complete' && event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { file, name, nesting, details } = event.data;
    if (file === undefined || nesting !== 0) continue;
    const ms = details?.duration_ms ?? 0;
    if (event.type === 'test:fail' || details?.passed === false) failed.add(file);
    if (name === file) wallMs.set(file, ms);
    else if (event.type === 'test:complete') summedMs.set(file, (summedMs.get(file) ?? 0) + ms);
  }
  const files = new Set([...wallMs.keys(), ...summedMs.keys()]);
  const rows = [...files].map((file) => [file, wallMs.get(file) ?? summedMs.get(file) ?? 0]);
  rows.sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, ms]) => sum + ms, 0);
  yield `\nTime per test file (slowest first; ${(total / 1000).toFixed(1)} s in all):\n`;
  for (const [file, ms] of rows) {
    const mark = failed.has(file) ? '  FAILED' : '';
    yield `  ${(ms / 1000).toFixed(2).padStart(8)} s  ${path.relative(process.cwd(), file)}${mark}\n`;
  }
}
