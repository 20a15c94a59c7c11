import type { ZoneKey } from '../../enact/enact-context.js';

/**
 * Holds a real Enactor at the instant the 2025 enactor was delayed: after it read the plan and
 * the provider's fence, before its write. It is the Enactor's `beforeApply` hook (the same
 * test-only seam the process tests use); armed once, it stops the next write and lets it go on
 * when opened.
 */
export class StallGate {
  private armed: ((generation: bigint) => void) | undefined;
  private release: (() => void) | undefined;

  /** Resolves with the plan's generation when the enactor reaches its write. */
  arm(): Promise<bigint> {
    return new Promise((resolve) => (this.armed = resolve));
  }

  /** Lets the held write go on. */
  open(): void {
    this.release?.();
    this.release = undefined;
  }

  readonly beforeApply = async (_zone: ZoneKey, generation: bigint): Promise<void> => {
    const reached = this.armed;
    if (reached === undefined) return;
    this.armed = undefined;
    const released = new Promise<void>((resolve) => (this.release = resolve));
    reached(generation);
    await released;
  };
}
