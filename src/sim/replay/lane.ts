/**
 * One side of the replay: a protocol (the naive 2025 stack, or Resolute's real code) playing the
 * scenario's events on its own store, on the replay's virtual clock, and saying after each step
 * what DNS answers for the endpoint.
 */
import type { ReplayEvent } from './scenario.js';
import type { DnsAnswer } from './answer-name.js';

export type LaneName = 'naive' | 'resolute';

/** What an actor did, in a word (for the picture's colours) and a sentence (for the timeline). */
export type ActionKind = 'published' | 'read' | 'paused' | 'wrote' | 'fenced' | 'dropped' | 'current' | 'idle' | 'cleaned' | 'unavailable';

export interface LaneAction {
  /** `planner`, an enactor id, or `<id> cleanup`. */
  readonly actor: string;
  readonly kind: ActionKind;
  readonly text: string;
}

export interface Lane {
  readonly name: LaneName;
  play(event: ReplayEvent): Promise<readonly LaneAction[]>;
  /** What DNS answers for the scenario's endpoint now, from the real query path. */
  answer(): Promise<DnsAnswer>;
  close(): Promise<void>;
}
