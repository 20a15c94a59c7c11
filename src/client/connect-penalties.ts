import type { Clock } from '../base/clock.js';

/** What happened when a client connected to one address. */
export type ConnectOutcome = 'connected' | 'refused' | 'timed-out';

/**
 * Addresses that recently refused or timed out, tried last until their penalty ends.
 *
 * lookup alone never learns whether a connection worked: without this, a target that died
 * while its address is still published (or served stale) is tried first on every request
 * until DNS catches up. The penalty is short (default 30 s) because the address may come back,
 * and one success lifts it at once.
 */
export class ConnectPenalties {
  /** address → monotonic ms when its penalty ends. */
  readonly #until = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly penaltyMs: number,
  ) {}

  /** True when no address is penalized: the lookup fast path then skips ordering. */
  get isEmpty(): boolean {
    return this.#until.size === 0;
  }

  report(address: string, outcome: ConnectOutcome): void {
    if (outcome === 'connected') this.#until.delete(address);
    else this.#until.set(address, this.clock.monotonicMs() + this.penaltyMs);
  }

  isPenalized(address: string, nowMs: number): boolean {
    const until = this.#until.get(address);
    if (until === undefined) return false;
    if (nowMs < until) return true;
    this.#until.delete(address);
    return false;
  }

  /** The first address not penalized, else the one whose penalty ends first. */
  pick(addresses: readonly string[]): string | undefined {
    const now = this.clock.monotonicMs();
    let best: string | undefined;
    let bestUntil = Infinity;
    for (const address of addresses) {
      if (!this.isPenalized(address, now)) return address;
      const until = this.#until.get(address) ?? 0;
      if (until < bestUntil) [best, bestUntil] = [address, until];
    }
    return best;
  }

  /** The same addresses, penalized ones last (stable: otherwise the authority's order). */
  order(addresses: readonly string[]): readonly string[] {
    const now = this.clock.monotonicMs();
    const good: string[] = [];
    const bad: string[] = [];
    for (const address of addresses) (this.isPenalized(address, now) ? bad : good).push(address);
    if (bad.length === 0) return addresses;
    bad.sort((a, b) => (this.#until.get(a) ?? 0) - (this.#until.get(b) ?? 0));
    return [...good, ...bad];
  }
}
