import type { Plan } from './plan.js';

/**
 * The two things the planner reads from the store; the store implements them (issue 6), tests
 * use an in-memory log. Safety state lives in stored plans, so this is all the planner needs to
 * never double a rate or reset a ramp across planners and restarts.
 */
export interface PlanLog {
  /** The newest stored plan: the parent of the next one. Undefined for an empty store. */
  newest(): Promise<Plan | undefined>;
  /**
   * Stored plans created at or after `sinceMs` (wall clock), oldest first: the velocity
   * window. Plans are immutable, so a store may cache them by generation.
   */
  since(sinceMs: number): Promise<readonly Plan[]>;
}
