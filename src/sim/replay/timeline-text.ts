/**
 * The replay's timeline as text: per step, its time and label, then each lane's actions and
 * its DNS answer; the verdict last. Answers that are empty are marked EMPTY, answers whose SOA
 * serial went back are marked, so the eye finds the two failures of 2025.
 */
import type { DnsAnswer } from './answer-name.js';
import type { LaneName } from './lane.js';
import type { Timeline } from './replay.js';

const LANE_TITLE: Readonly<Record<LaneName, string>> = { naive: 'naive 2025', resolute: 'Resolute' };
const LANES: readonly LaneName[] = ['naive', 'resolute'];

export function timelineText(timeline: Timeline): string {
  const lines = [`replay ${timeline.scenario}: ${timeline.title}`, `watching ${timeline.endpoint} A, the naive 2025 protocol and Resolute side by side`, ''];
  const lastSerial: Partial<Record<LaneName, number>> = {};
  for (const step of timeline.steps) {
    lines.push(`step ${step.index}  ${clockText(step.atMs)}  ${step.label}`);
    for (const lane of LANES) {
      const { actions, dns } = step.lanes[lane];
      const title = LANE_TITLE[lane].padEnd(10);
      for (const action of actions) lines.push(`  ${title}  ${action.actor}: ${action.text}`);
      lines.push(`  ${title}  DNS: ${answerText(dns, lastSerial[lane])}`);
      if (dns.serial !== undefined) lastSerial[lane] = dns.serial;
    }
    lines.push('');
  }
  lines.push(`verdict: ${timeline.verdict.text}`);
  return `${lines.join('\n')}\n`;
}

/** `t+3:01` — minutes and seconds since the scenario began. */
export function clockText(atMs: number): string {
  const seconds = Math.floor(atMs / 1000);
  return `t+${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

export function answerText(dns: DnsAnswer, previousSerial?: number): string {
  const serial = dns.serial === undefined ? '' : ` (serial ${dns.serial}${previousSerial !== undefined && dns.serial < previousSerial ? `, BACK from ${previousSerial}` : ''})`;
  if (dns.isEmpty) return `EMPTY — ${dns.rcode}, no address${serial}`;
  return `${dns.addresses.join(' ')}${serial}`;
}
