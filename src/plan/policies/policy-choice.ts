import type { TargetConfig } from '../../config/config.js';

/** What a routing policy chooses: the healthy targets to publish, before the safety rules. */
export interface PolicyChoice {
  readonly targets: readonly TargetConfig[];
  /** Failover: the region served; null for other policies. */
  readonly activeRegion: string | null;
  /** Set when the policy changed course (a failover, a failback), for the plan's reasons. */
  readonly note?: string;
}
