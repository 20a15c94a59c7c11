/**
 * The replay's timeline as a picture: hand-written SVG 1.1 text, self-contained (no script, no
 * external reference, no dependency). Two lanes (the naive 2025 protocol, Resolute) × the
 * scenario's steps: in each cell the actors' actions, one line each (the full sentence as its
 * <title>, shown on hover); under each lane the DNS answer as a band, green where the name had
 * addresses and red where it was empty; the verdict at the bottom.
 */
import type { ActionKind, LaneName } from './lane.js';
import type { Timeline } from './replay.js';
import { answerText, clockText } from './timeline-text.js';

const STEP_WIDTH = 170;
const LEFT = 110;
const TOP = 78;
const LINE = 15;
const BAND = 24;
const LANE_GAP = 26;
const LANES: ReadonlyArray<{ readonly name: LaneName; readonly title: string }> = [
  { name: 'naive', title: 'naive 2025' },
  { name: 'resolute', title: 'Resolute' },
];
export const EMPTY_FILL = '#d62728';
const ANSWERED_FILL = '#2ca02c';
const KIND_COLOUR: Readonly<Record<ActionKind, string>> = {
  published: '#555555',
  read: '#1f4e9c',
  paused: '#7b3fb5',
  wrote: '#1f77b4',
  fenced: '#d35400',
  dropped: '#a0522d',
  current: '#2e7d32',
  idle: '#777777',
  cleaned: '#37474f',
  unavailable: '#b71c1c',
};

export function timelineSvg(timeline: Timeline): string {
  const steps = timeline.steps;
  const rows = LANES.map((lane) => Math.max(1, ...steps.map((s) => s.lanes[lane.name].actions.length)));
  const laneHeights = rows.map((n) => n * LINE + 8 + BAND);
  const width = LEFT + steps.length * STEP_WIDTH + 20;
  const height = TOP + laneHeights.reduce((a, b) => a + b + LANE_GAP, 0) + 40;
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(`resolute replay ${timeline.scenario}`)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="22" font-size="15" font-weight="bold">${escapeXml(`replay ${timeline.scenario}: ${timeline.title}`)}</text>`,
    `<text x="10" y="40">${escapeXml(`DNS answers for ${timeline.endpoint} A; green: addresses served, red: EMPTY`)}</text>`,
  ];
  for (const step of steps) {
    const x = LEFT + (step.index - 1) * STEP_WIDTH;
    out.push(`<g class="step"><title>${escapeXml(step.label)}</title><text x="${x + 4}" y="${TOP - 16}" font-weight="bold">${escapeXml(`step ${step.index}  ${clockText(step.atMs)}`)}</text>`);
    out.push(`<line x1="${x}" y1="${TOP - 28}" x2="${x}" y2="${height - 40}" stroke="#dddddd"/></g>`);
  }
  let y = TOP;
  LANES.forEach((lane, i) => {
    out.push(`<g class="lane" id="lane-${lane.name}">`, `<text x="10" y="${y + 12}" font-weight="bold">${escapeXml(lane.title)}</text>`);
    const bandY = y + rows[i] * LINE + 8;
    let previousSerial: number | undefined;
    for (const step of steps) {
      const x = LEFT + (step.index - 1) * STEP_WIDTH;
      const { actions, dns } = step.lanes[lane.name];
      actions.forEach((action, line) => {
        out.push(`<text x="${x + 4}" y="${y + 12 + line * LINE}" fill="${KIND_COLOUR[action.kind]}"><title>${escapeXml(`${action.actor}: ${action.text}`)}</title>${escapeXml(`${action.actor}: ${action.kind}`)}</text>`);
      });
      const fill = dns.isEmpty ? EMPTY_FILL : ANSWERED_FILL;
      const label = dns.isEmpty ? `EMPTY ${dns.rcode}` : dns.addresses.join(' ');
      out.push(
        `<rect class="${dns.isEmpty ? 'dns-empty' : 'dns-answered'}" x="${x}" y="${bandY}" width="${STEP_WIDTH}" height="${BAND}" fill="${fill}"><title>${escapeXml(`DNS: ${answerText(dns, previousSerial)}`)}</title></rect>`,
        `<text x="${x + 4}" y="${bandY + 16}" fill="#ffffff">${escapeXml(label)}</text>`,
      );
      if (dns.serial !== undefined) previousSerial = dns.serial;
    }
    out.push('</g>');
    y += laneHeights[i] + LANE_GAP;
  });
  out.push(`<text x="10" y="${height - 16}" font-size="13" font-weight="bold">${escapeXml(`verdict: ${timeline.verdict.text}`)}</text>`, '</svg>');
  return `${out.join('\n')}\n`;
}

/** The five characters XML reserves (XML 1.0 §2.4). */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}
