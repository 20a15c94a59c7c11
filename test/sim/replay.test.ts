/**
 * `resolute replay us-east-1-2025` (src/sim/replay): the verdict, determinism, the SVG picture
 * and the command through the built CLI.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { replay, type Timeline } from '../../src/sim/replay/replay.js';
import { findScenario } from '../../src/sim/replay/scenarios.js';
import { EMPTY_FILL, timelineSvg } from '../../src/sim/replay/timeline-svg.js';
import { timelineText } from '../../src/sim/replay/timeline-text.js';
import { usEast1Of2025 } from '../../src/sim/replay/us-east-1-2025.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
const cli = path.join(root, 'dist/src/cli/main.js');
const dir = mkdtempSync(path.join(tmpdir(), 'resolute-replay-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let once: Timeline | undefined;
const timeline = async (): Promise<Timeline> => (once ??= await replay(usEast1Of2025));

test('the naive protocol serves an empty answer from step 9 on; Resolute never does, and never goes backwards', async () => {
  const t = await timeline();
  assert.equal(t.steps.length, 10);
  assert.deepEqual(t.verdict.naive, { emptySteps: [9, 10], emptyFrom: 9 });
  assert.deepEqual(t.verdict.resolute, { emptySteps: [], emptyFrom: undefined });
  assert.equal(t.verdict.text, 'the naive protocol served an empty answer for api.demo.test. from step 9 on; Resolute never did.');

  // Step 8: A's stale write goes through in the naive lane (plan 2's addresses, serial back) and is refused in Resolute's.
  const stale = t.steps[7];
  assert.deepEqual(stale.lanes.naive.dns.addresses, ['192.0.2.12', '192.0.2.102']);
  assert.equal(stale.lanes.naive.dns.serial, 2);
  assert.deepEqual(stale.lanes.naive.actions.map((a) => `${a.actor} ${a.kind}`), ['A wrote']);
  assert.deepEqual(stale.lanes.resolute.actions.map((a) => `${a.actor} ${a.kind}`), ['A fenced', 'A dropped']);
  assert.match(stale.lanes.resolute.actions[0].text, /refused at 7; plan 2 dropped for 7/);
  // Step 9: the same plans are deleted on both sides; only the naive provider loses its records.
  const cleanup = t.steps[8];
  for (const lane of [cleanup.lanes.naive, cleanup.lanes.resolute]) assert.match(lane.actions[0].text, /^deleted plans 1, 2, 3 \(below 4\)/);
  assert.equal(cleanup.lanes.naive.dns.rcode, 'NXDOMAIN');

  let serial = 0;
  for (const step of t.steps) {
    const dns = step.lanes.resolute.dns;
    assert.equal(dns.isEmpty, false, `Resolute at step ${step.index}`);
    assert.ok(dns.serial !== undefined && dns.serial >= serial, `Resolute's serial at step ${step.index}: ${dns.serial} after ${serial}`);
    serial = dns.serial;
  }
  assert.deepEqual(t.steps[9].lanes.resolute.dns.addresses, ['192.0.2.17', '192.0.2.107'], 'Resolute ends serving plan 7');
});

test('the replay is deterministic: the same timeline twice, byte for byte', async () => {
  const first = await timeline();
  const second = await replay(usEast1Of2025);
  assert.equal(timelineText(second), timelineText(first));
  assert.equal(JSON.stringify(second), JSON.stringify(first));
  assert.equal(timelineSvg(second), timelineSvg(first));
});

test('the SVG is well-formed XML with the SVG namespace, two lanes, a red band only where the naive lane was empty, and the verdict', async () => {
  const t = await timeline();
  const svg = timelineSvg(t);
  const elements = checkXml(svg);
  assert.equal(elements[0].name, 'svg');
  assert.match(elements[0].attributes, /xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.ok(elements.some((e) => e.name === 'g' && /id="lane-naive"/.test(e.attributes)));
  assert.ok(elements.some((e) => e.name === 'g' && /id="lane-resolute"/.test(e.attributes)));
  const bands = elements.filter((e) => e.name === 'rect' && /class="dns-/.test(e.attributes));
  assert.equal(bands.length, 2 * t.steps.length, 'one DNS band per lane and step');
  const red = bands.filter((e) => e.attributes.includes(`fill="${EMPTY_FILL}"`));
  assert.equal(red.length, 2, 'red where the naive lane was empty (steps 9 and 10), nowhere else');
  assert.ok(red.every((e) => e.attributes.includes('class="dns-empty"') && e.lane === 'lane-naive'));
  assert.ok(svg.includes(t.verdict.text));
  assert.ok(!/<script|href=/.test(svg), 'self-contained: no script, no link');
  // The check itself can fail: an unclosed element, a bare ampersand.
  assert.throws(() => checkXml(svg.replace('</g>', '')), /closes the element|every element closed/);
  assert.throws(() => checkXml(svg.replace('verdict: ', 'verdict: & ')), /stray markup/);
});

test('`resolute replay us-east-1-2025 --svg F` through the built CLI: exit 0, the timeline and the verdict, F replaced atomically', () => {
  const file = path.join(dir, 'replay.svg');
  writeFileSync(file, 'an older picture');
  const before = statSync(file).ino;
  const run = spawnSync(process.execPath, [cli, 'replay', 'us-east-1-2025', '--svg', file], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^step 8 {2}t\+3:00 {2}A finishes its apply of plan 2/m);
  assert.match(run.stdout, /naive 2025 {2}DNS: EMPTY — NXDOMAIN/);
  assert.match(run.stdout, /verdict: the naive protocol served an empty answer for api\.demo\.test\. from step 9 on; Resolute never did\.\n/);
  assert.notEqual(statSync(file).ino, before, 'a new file renamed over the old one, not written in place');
  assert.deepEqual(readdirSync(dir), ['replay.svg'], 'no temporary file left behind');
  checkXml(readFileSync(file, 'utf8'));

  const json = spawnSync(process.execPath, [cli, 'replay', 'us-east-1-2025', '--json'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(json.status, 0, json.stderr);
  assert.equal((JSON.parse(json.stdout) as Timeline).verdict.naive.emptyFrom, 9);
});

test('an unknown scenario is a usage error (exit 2) that lists the known ones', () => {
  assert.throws(() => findScenario('us-east-1-2024'), /ERR_USAGE: unknown scenario 'us-east-1-2024'.*known scenarios: us-east-1-2025/);
  const run = spawnSync(process.execPath, [cli, 'replay', 'us-east-1-2024'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 2);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /ERR_USAGE: unknown scenario 'us-east-1-2024' \(resolute replay\); known scenarios: us-east-1-2025/);
});

interface Element {
  readonly name: string;
  readonly attributes: string;
  /** The id of the nearest enclosing <g id=…>. */
  readonly lane: string | undefined;
}

/**
 * A small structural check of XML 1.0: one prolog, tags balanced and properly nested, one root,
 * attributes quoted, no stray `<` or `&` in text. Returns the elements in document order.
 */
function checkXml(text: string): Element[] {
  const body = text.replace(/^<\?xml [^?]*\?>\n/, '');
  assert.ok(body.length < text.length, 'an XML declaration first');
  const stack: Array<{ name: string; id: string | undefined }> = [];
  const elements: Element[] = [];
  let roots = 0;
  let last = 0;
  for (const match of body.matchAll(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const between = body.slice(last, match.index);
    assert.ok(!/[<>]/.test(between) && !/&(?!(lt|gt|amp|quot|apos);)/.test(between), `stray markup before offset ${match.index}: ${JSON.stringify(between.slice(0, 60))}`);
    last = match.index + match[0].length;
    const [, closing, name, attributes, selfClosing] = match;
    if (closing === '/') {
      assert.equal(stack.pop()?.name, name, `</${name}> closes the element open at that point`);
      continue;
    }
    if (stack.length === 0) roots++;
    const lane = [...stack].reverse().find((s) => s.id !== undefined)?.id;
    elements.push({ name, attributes, lane });
    if (selfClosing !== '/') stack.push({ name, id: /\bid="([^"]+)"/.exec(attributes)?.[1] });
  }
  assert.equal(body.slice(last).trim(), '', 'nothing after the root element');
  assert.deepEqual(stack, [], 'every element closed');
  assert.equal(roots, 1, 'one root element');
  return elements;
}
