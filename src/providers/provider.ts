/**
 * The provider contract: a place where Resolute publishes records — the built-in
 * authoritative server, a server that takes RFC 2136 updates, an API.
 *
 * THE safety rule (DESIGN.md, "The safety protocol"): the fence is at the provider, not in the
 * enactor's memory. Every write carries the fence the enactor read FROM THE PROVIDER, and the
 * provider itself refuses it when it no longer holds that fence — in the same atomic step as
 * the write (`ls src/providers/*\/fence.ts` lists every such write). A stale enactor, however
 * long it was paused, is therefore refused by whoever holds the records, at the instant of the
 * write; it re-reads, sees a newer generation, and drops its plan.
 *
 * Records at a provider are materialized values (`ZoneRecords`), never references to plans, so
 * deleting plans (cleanup) cannot change what any provider serves.
 *
 * Expected outcomes are values (CONVENTIONS rule 6): callers switch on `kind` and end with
 * `unreachable()`; a provider never throws for a refused or failed write.
 */
import type { ResoluteError } from '../base/errors.js';
import type { ServedRRset } from '../dns/zone/zone-table.js';
import type { Plan } from '../plan/plan.js';

/** A provider that cannot be reached or did not answer sanely. */
export interface ProviderUnavailable {
  readonly kind: 'unavailable';
  /** Names the provider, the zone and what failed; never carries a secret. */
  readonly cause: ResoluteError;
}

/**
 * What a provider holds for a zone (or for one group of a zone, for providers that split a
 * large zone into separately fenced groups): its marker.
 */
export type Fence =
  /** The marker holds this generation: a write must name it exactly. */
  | { readonly kind: 'generation'; readonly generation: bigint }
  /** No marker yet: the first write adopts the zone under an "it does not exist" condition. */
  | { readonly kind: 'missing' }
  /** A marker that does not parse: replaced only under a condition on its exact value. */
  | { readonly kind: 'unparsable'; readonly raw: string };

export type FenceRead = { readonly kind: 'read'; readonly fence: Fence } | ProviderUnavailable;

/**
 * A zone's full published content at one generation: every owner name Resolute manages in the
 * zone (managed endpoints and static records) with all its RRsets. The zone's SOA is the
 * provider's own (the built-in provider derives it from the generation; an RFC 2136 server
 * keeps and bumps its own), so it is not in `names`.
 */
export interface ZoneRecords {
  /** The apex, canonical (`demo.test.`). */
  readonly zone: string;
  /** The generation of the plan these records come from. */
  readonly generation: bigint;
  /** Owner name (canonical) → its RRsets. A managed name with targets is never empty here. */
  readonly names: ReadonlyMap<string, readonly ServedRRset[]>;
  /** SOA fields of the zone from the plan (the built-in provider builds its SOA from them). */
  readonly soa: ZoneSoaFields;
}

export interface ZoneSoaFields {
  readonly nameservers: readonly string[];
  readonly hostmaster: string;
  /** SOA MINIMUM: the negative TTL (RFC 2308 §5). */
  readonly negativeTtlSeconds: number;
}

export type ApplyOutcome =
  /** Published: the provider now holds `generation`. */
  | { readonly kind: 'applied'; readonly generation: bigint }
  /** Refused by the provider: it no longer holds the fence the write named. Re-read, re-decide. */
  | { readonly kind: 'fenced'; readonly current: Fence }
  | ProviderUnavailable;

/** What a provider serves now, read back from the provider itself (for reconcile). */
export type ReadBack =
  | {
      readonly kind: 'read';
      readonly fence: Fence;
      /** Managed names as served. */
      readonly names: ReadonlyMap<string, readonly ServedRRset[]>;
      /** Names in the zone Resolute did not create: left alone, reported by `resolute status`. */
      readonly foreign: readonly string[];
    }
  | ProviderUnavailable;

export interface Provider {
  /** Stable id, used as the key of its applied generation in the store. */
  readonly id: string;
  /** The zones (apexes, canonical) this provider was configured with when it was made. */
  readonly zones: readonly string[];
  /**
   * The zones to act on for `plan` (enactor, reconcile, cleanup): the configured ones, and for
   * the built-in provider every zone of the plan that no external provider holds, so a zone
   * added to the config (`resolute reload`) is published without a restart. An RFC 2136
   * server's zones are its configured ones (a change of `providers:` needs a restart).
   */
  zonesFor(plan: Plan): readonly string[];
  /** The fence the provider holds for `zone` now — read from the provider, never assumed. */
  readFence(zone: string): Promise<FenceRead>;
  /**
   * Publishes `records` for `records.zone`, changing only what differs, ONLY if the provider
   * still holds `expected` and `expected` is below `records.generation` (never backwards). The
   * check and the write are one atomic step at the provider (its fence.ts).
   */
  apply(records: ZoneRecords, expected: Fence): Promise<ApplyOutcome>;
  /** What `zone` serves now, for reconcile (drift, a missing marker, a restored backup). */
  readBack(zone: string): Promise<ReadBack>;
  close(): Promise<void>;
}
