/**
 * What can go wrong, drawn from the seed: each seed gets its own intensities (some seeds are
 * calm, some are storms), then every delay and every fault is drawn from the same Random as it
 * happens. Nothing is scripted: the 2025 interleaving must be found, not written down.
 *
 * | fault | where it acts |
 * |---|---|
 * | delays, slow calls, pauses of minutes (the 2025 enactor) | every store call and DNS message (sim-store.ts, sim-transport.ts) |
 * | process crash at any await point, restart later | world.ts: the actor's pending operations are never resolved |
 * | store unavailable | sim-store.ts |
 * | RFC 2136 server down (refused or silent), updates refused | sim-transport.ts, rfc2136-server-model.ts |
 * | clock jumps (a host's wall clock stepped) | sim-clock.ts skew |
 * | health flapping | the planners' health input (world.ts) |
 * | records edited by hand at the RFC 2136 server, its marker deleted | rfc2136-server-model.ts |
 *
 * Every fault stops at `endMs`: a pause drawn before it ends by then, so convergence after it
 * is measured from a quiet world.
 */
import type { Random } from '../base/random.js';

export type FaultKind = 'crash' | 'store-outage' | 'server-outage' | 'server-refuses' | 'clock-jump' | 'health-flap' | 'hand-edit';

export const FAULT_KINDS: readonly FaultKind[] = ['crash', 'store-outage', 'server-outage', 'server-refuses', 'clock-jump', 'health-flap', 'hand-edit'];

export class Faults {
  /** Faults per virtual second, this seed. */
  readonly ratePerS: number;
  /** Chance that a call is slow (tens to hundreds of ms), and that it pauses (seconds to minutes). */
  readonly slowChance: number;
  readonly pauseChance: number;
  /** Relative weight of each fault kind, this seed. */
  private readonly weights: ReadonlyMap<FaultKind, number>;
  storeDownUntilMs = -1;
  serverDownUntilMs = -1;
  /** While down: true drops messages (the caller times out), false refuses the connection. */
  isServerSilent = false;
  serverRefusesUntilMs = -1;

  constructor(
    private readonly random: Random,
    /** Virtual time at which every fault stops. */
    readonly endMs: number,
  ) {
    this.ratePerS = 0.2 + random.next() * 2;
    this.slowChance = random.next() * 0.1;
    this.pauseChance = random.next() * 0.05;
    this.weights = new Map(FAULT_KINDS.map((k) => [k, random.next()]));
  }

  /** A fault kind drawn by this seed's weights. */
  kind(): FaultKind {
    let total = 0;
    for (const w of this.weights.values()) total += w;
    let at = this.random.next() * total;
    for (const [kind, w] of this.weights) {
      at -= w;
      if (at < 0) return kind;
    }
    return FAULT_KINDS[FAULT_KINDS.length - 1];
  }

  /** The time until the next fault. */
  nextFaultInMs(): number {
    return Math.round((-Math.log(1 - this.random.next()) / this.ratePerS) * 1000);
  }

  /** One way of a call or message: mostly a few ms; sometimes slow; now and then a pause ending by `endMs`. */
  delayMs(nowMs: number): number {
    const base = this.random.int(5);
    if (nowMs >= this.endMs) return base;
    const draw = this.random.next();
    if (draw < this.pauseChance) return Math.min(1_000 + this.random.int(180_000), this.endMs - nowMs);
    if (draw < this.pauseChance + this.slowChance) return 10 + this.random.int(500);
    return base;
  }

  /** A fault's duration: short or long, never past `endMs`. */
  durationMs(nowMs: number): number {
    const ms = this.random.next() < 0.7 ? 100 + this.random.int(3_000) : 3_000 + this.random.int(30_000);
    return Math.max(0, Math.min(ms, this.endMs - nowMs));
  }

  isStoreDown(nowMs: number): boolean {
    return nowMs < this.storeDownUntilMs;
  }

  isServerDown(nowMs: number): boolean {
    return nowMs < this.serverDownUntilMs;
  }

  isServerRefusing(nowMs: number): boolean {
    return nowMs < this.serverRefusesUntilMs;
  }
}
