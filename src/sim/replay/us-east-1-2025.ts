/**
 * The October 2025 sequence (DESIGN: "The problem it solves"): enactor A stalls for minutes
 * applying plan 2; B applies plans 3…7; A finishes and writes its stale plan over plan 7; B's
 * cleanup, which follows its apply of plan 7, deletes the plans many generations older — plan
 * 2 among them; B and C find nothing newer to apply. Timings are illustrative (a plan every
 * 5 s, a stall of minutes); the order of events is the incident's.
 */
import type { Scenario } from './scenario.js';

const SECOND_MS = 1000;

export const usEast1Of2025: Scenario = {
  name: 'us-east-1-2025',
  title: 'October 2025: a stalled enactor, a stale plan written last, a cleanup that deletes it',
  zone: 'demo.test.',
  endpoint: 'api.demo.test.',
  enactors: ['A', 'B', 'C'],
  addressesOf: (plan) => [`192.0.2.${10 + plan}`, `192.0.2.${100 + plan}`],
  cleanupKeepGenerations: 3,
  steps: [
    { label: 'plan 1 published; A applies it', atMs: 0, events: [{ kind: 'publish', plan: 1 }, { kind: 'enact', enactor: 'A' }] },
    { label: 'plan 2 published; A reads it and stalls in its apply', atMs: 5 * SECOND_MS, events: [{ kind: 'publish', plan: 2 }, { kind: 'stall', enactor: 'A' }] },
    { label: 'plan 3 published; B applies it', atMs: 10 * SECOND_MS, events: [{ kind: 'publish', plan: 3 }, { kind: 'enact', enactor: 'B' }] },
    { label: 'plan 4 published; B applies it', atMs: 15 * SECOND_MS, events: [{ kind: 'publish', plan: 4 }, { kind: 'enact', enactor: 'B' }] },
    { label: 'plan 5 published; B applies it', atMs: 20 * SECOND_MS, events: [{ kind: 'publish', plan: 5 }, { kind: 'enact', enactor: 'B' }] },
    { label: 'plan 6 published; B applies it', atMs: 25 * SECOND_MS, events: [{ kind: 'publish', plan: 6 }, { kind: 'enact', enactor: 'B' }] },
    { label: 'plan 7 published; B and C apply it', atMs: 30 * SECOND_MS, events: [{ kind: 'publish', plan: 7 }, { kind: 'enact', enactor: 'B' }, { kind: 'enact', enactor: 'C' }] },
    { label: 'A finishes its apply of plan 2, minutes late', atMs: 180 * SECOND_MS, events: [{ kind: 'resume', enactor: 'A' }] },
    { label: "B's cleanup after plan 7 deletes plans more than 3 generations older", atMs: 181 * SECOND_MS, events: [{ kind: 'cleanup', enactor: 'B' }] },
    { label: 'B and C look for a newer plan', atMs: 185 * SECOND_MS, events: [{ kind: 'enact', enactor: 'B' }, { kind: 'enact', enactor: 'C' }] },
  ],
};
