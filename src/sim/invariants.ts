/**
 * The invariants of DESIGN.md ("The safety protocol"), checked against what each server serves
 * after every step of the simulation:
 *
 * | invariant | checked how |
 * |---|---|
 * | 1 never empty | a managed name a server has served with an address always has one there (an empty answer, NODATA or NXDOMAIN is a violation) |
 * | 2 never backwards | the generation and the SOA serial (RFC 1982) a server serves per zone never go down |
 * | 3 converges | at the end, once faults and planners stopped: every provider and DNS process at the newest plan, with its records (world.ts) |
 * | 4 cleanup is harmless | a plan deletion changes nothing any server serves, and never takes a plan at or above one a provider holds (world.ts) |
 *
 * "Once it has been published": each server (a provider, one incarnation of a DNS process) is
 * held to what it itself served; a restarted process starts with a clean slate.
 */
import { isSerialNewer } from '../dns/xfr/soa-serial.js';

export type Invariant = 'never-empty' | 'never-backwards' | 'converges' | 'cleanup-harmless' | 'no-crash';

export interface Violation {
  readonly invariant: Invariant;
  readonly atMs: number;
  readonly detail: string;
}

/** What one server serves for one zone now. */
export interface ZoneView {
  readonly generation: bigint | undefined;
  readonly serial: number | undefined;
  /** Managed name → addresses served (0: an empty answer). */
  readonly addresses: ReadonlyMap<string, number>;
}

interface Seen {
  generation: bigint | undefined;
  serial: number | undefined;
  readonly published: Set<string>;
}

export class InvariantChecker {
  /** The first violation of each invariant, in the order found. */
  readonly violations: Violation[] = [];
  private readonly seen = new Map<string, Seen>();

  observe(server: string, zone: string, view: ZoneView, atMs: number): void {
    const key = `${server} ${zone}`;
    let seen = this.seen.get(key);
    if (seen === undefined) {
      seen = { generation: undefined, serial: undefined, published: new Set() };
      this.seen.set(key, seen);
    }
    for (const [name, count] of view.addresses) {
      if (count > 0) seen.published.add(name);
      else if (seen.published.has(name)) this.report('never-empty', atMs, `${server} serves no address for ${name} (generation ${view.generation ?? '?'})`);
    }
    if (view.generation !== undefined) {
      if (seen.generation !== undefined && view.generation < seen.generation) this.report('never-backwards', atMs, `${server} ${zone}: generation ${view.generation} after ${seen.generation}`);
      seen.generation = view.generation;
    }
    if (view.serial !== undefined) {
      if (seen.serial !== undefined && view.serial !== seen.serial && !isSerialNewer(view.serial, seen.serial)) this.report('never-backwards', atMs, `${server} ${zone}: SOA serial ${view.serial} after ${seen.serial} (RFC 1982)`);
      seen.serial = view.serial;
    }
  }

  /** A fresh process, or a zone an operator changed by hand: held only to what it serves from now on. */
  forget(server: string, zone?: string): void {
    for (const key of [...this.seen.keys()]) if (zone === undefined ? key.startsWith(`${server} `) : key === `${server} ${zone}`) this.seen.delete(key);
  }

  /**
   * Forgets only the generation (an operator deleted the marker): with the fence gone, an
   * adoption UPDATE still on the wire from long ago may land under "marker does not exist" and
   * write an older plan. The serial is still held to RFC 1982, and the names to never empty.
   */
  forgetGeneration(server: string, zone: string): void {
    const seen = this.seen.get(`${server} ${zone}`);
    if (seen !== undefined) seen.generation = undefined;
  }

  report(invariant: Invariant, atMs: number, detail: string): void {
    if (this.violations.some((v) => v.invariant === invariant)) return;
    this.violations.push({ invariant, atMs, detail });
  }
}
