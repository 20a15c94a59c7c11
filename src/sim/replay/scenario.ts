/**
 * A replay's script: labelled steps at virtual times, each a few events that both lanes (the
 * naive 2025 stack and Resolute) play in order. The script is fixed — it is the replay of one
 * known incident; finding unknown interleavings is the seeded simulator's job.
 */

/** What happens in a step; an enactor or cleanup is named by its enactor's id (`A`, `B`, `C`). */
export type ReplayEvent =
  /** The planner publishes plan number `plan` of the scenario (its addresses: `addressesOf(plan)`). */
  | { readonly kind: 'publish'; readonly plan: number }
  /** One whole step of the enactor. */
  | { readonly kind: 'enact'; readonly enactor: string }
  /** The enactor starts a step and stalls after reading, before its write (the 2025 delay). */
  | { readonly kind: 'stall'; readonly enactor: string }
  /** The stalled step of the enactor goes on and finishes. */
  | { readonly kind: 'resume'; readonly enactor: string }
  /** The cleanup that runs after the enactor's applies. */
  | { readonly kind: 'cleanup'; readonly enactor: string };

export interface ScenarioStep {
  readonly label: string;
  /** Virtual time since the scenario began. */
  readonly atMs: number;
  readonly events: readonly ReplayEvent[];
}

export interface Scenario {
  readonly name: string;
  /** One line: what is replayed. */
  readonly title: string;
  /** The zone apex and the endpoint whose answers are watched (canonical names). */
  readonly zone: string;
  readonly endpoint: string;
  readonly enactors: readonly string[];
  /** The addresses of plan number `plan`: each plan differs from the one before. */
  readonly addressesOf: (plan: number) => readonly string[];
  /**
   * Cleanup keeps the plans at most this many generations below the one its enactor applied
   * (the naive stack's "much older"); Resolute's cleanup is given the matching `keepLast`, so
   * both lanes delete the same plans and only what follows differs.
   */
  readonly cleanupKeepGenerations: number;
  readonly steps: readonly ScenarioStep[];
}
