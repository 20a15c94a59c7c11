/**
 * Plays a scenario against both protocols, side by side: for each step, the clock moves to its
 * time, each lane plays the step's events in order, and each lane's DNS answer for the endpoint
 * is read from the real query path. The verdict names the first step from which a lane's
 * answer was empty and stayed so to the end (and any earlier empty step).
 *
 * Deterministic: virtual time, a seeded Random, in-memory stores; the same scenario gives the
 * same timeline, byte for byte.
 */
import { seededRandom } from '../../base/random.js';
import type { DnsAnswer } from './answer-name.js';
import type { Lane, LaneAction, LaneName } from './lane.js';
import { NaiveLane } from './naive-lane.js';
import { ReplayClock } from './replay-clock.js';
import { ResoluteLane } from './resolute-lane.js';
import type { Scenario } from './scenario.js';

export interface LaneStep {
  readonly actions: readonly LaneAction[];
  readonly dns: DnsAnswer;
}

export interface TimelineStep {
  /** 1-based, as printed. */
  readonly index: number;
  readonly label: string;
  readonly atMs: number;
  readonly lanes: Readonly<Record<LaneName, LaneStep>>;
}

export interface LaneVerdict {
  /** Steps whose answer was empty. */
  readonly emptySteps: readonly number[];
  /** The first step from which every answer to the end was empty; undefined if the last was not. */
  readonly emptyFrom: number | undefined;
}

export interface Timeline {
  readonly scenario: string;
  readonly title: string;
  readonly endpoint: string;
  readonly steps: readonly TimelineStep[];
  readonly verdict: Readonly<Record<LaneName, LaneVerdict>> & { readonly text: string };
}

/** The replay's time origin: an arbitrary fixed instant, so timestamps print the same each run. */
const START_MS = Date.UTC(2025, 9, 20, 6, 48, 0);
const SEED = 2025;

export async function replay(scenario: Scenario): Promise<Timeline> {
  const clock = new ReplayClock(START_MS);
  const random = seededRandom(SEED);
  const lanes: Lane[] = [new NaiveLane(scenario, clock, random), await ResoluteLane.open(scenario, clock, random)];
  try {
    const steps: TimelineStep[] = [];
    for (const [i, step] of scenario.steps.entries()) {
      clock.at(step.atMs);
      const played = {} as Record<LaneName, LaneStep>;
      for (const lane of lanes) {
        const actions: LaneAction[] = [];
        for (const event of step.events) actions.push(...(await lane.play(event)));
        played[lane.name] = { actions, dns: await lane.answer() };
      }
      steps.push({ index: i + 1, label: step.label, atMs: step.atMs, lanes: played });
    }
    const naive = laneVerdict(steps, 'naive');
    const resolute = laneVerdict(steps, 'resolute');
    return { scenario: scenario.name, title: scenario.title, endpoint: scenario.endpoint, steps, verdict: { naive, resolute, text: verdictText(scenario.endpoint, naive, resolute) } };
  } finally {
    for (const lane of lanes) await lane.close();
  }
}

function laneVerdict(steps: readonly TimelineStep[], lane: LaneName): LaneVerdict {
  const emptySteps = steps.filter((s) => s.lanes[lane].dns.isEmpty).map((s) => s.index);
  let emptyFrom: number | undefined;
  for (let i = steps.length - 1; i >= 0 && steps[i].lanes[lane].dns.isEmpty; i--) emptyFrom = steps[i].index;
  return { emptySteps, emptyFrom };
}

function verdictText(endpoint: string, naive: LaneVerdict, resolute: LaneVerdict): string {
  const naivePart =
    naive.emptyFrom !== undefined
      ? `the naive protocol served an empty answer for ${endpoint} from step ${naive.emptyFrom} on`
      : naive.emptySteps.length > 0
        ? `the naive protocol served an empty answer for ${endpoint} at steps ${naive.emptySteps.join(', ')}`
        : `the naive protocol never served an empty answer for ${endpoint}`;
  const resolutePart = resolute.emptySteps.length === 0 ? 'Resolute never did' : `Resolute did too, at steps ${resolute.emptySteps.join(', ')}`;
  return `${naivePart}; ${resolutePart}.`;
}
