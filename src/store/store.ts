import type { ResoluteError } from '../base/errors.js';

/**
 * The Store: everything the roles share (DESIGN: Parts, Store; the safety protocol).
 *
 * Every method is asynchronous and never throws for an expected outcome: a store that cannot
 * answer returns `{ kind: 'unavailable', cause }`, and callers switch on `kind` and end with
 * `unreachable()`. Each method is one single-key read, one range read by prefix, or one
 * transaction of compare-then-put/delete over a few keys, so etcd implements it as well as
 * SQLite (src/store/README.md has the key layout).
 *
 * The store never decodes a plan: plans travel as bytes (plan/plan-codec.ts encodes them), so
 * a store of an older release can hold a plan of a newer one during a rolling upgrade.
 */
export interface Store {
  // Plans: immutable, chunked, made visible by one compare-and-set on the newest-generation key.
  publishPlan(request: PublishPlanRequest): Promise<PublishOutcome>;
  /** The newest generation's header only: one single-key read, cheap enough to poll. */
  readNewestHeader(): Promise<HeaderRead>;
  readNewestPlan(): Promise<PlanRead>;
  readPlan(generation: bigint): Promise<PlanRead>;
  /** Headers of every stored plan, oldest first. */
  listPlans(): Promise<Listed<PlanHeader>>;
  /** Stored plans created at or after `sinceMs`, oldest first (the planner's velocity window). */
  readPlansSince(sinceMs: number): Promise<Listed<StoredPlan>>;
  /** Deletes stored plans with a generation below `below`; never the newest (cleanup). */
  deletePlans(request: { readonly below: bigint }): Promise<DeleteOutcome>;

  // Each provider's applied generation, and per zone for the built-in provider.
  readApplied(key: AppliedKey): Promise<AppliedRead>;
  listApplied(): Promise<Listed<AppliedGeneration>>;
  /** Compare-and-set: succeeds only if the stored generation is still `expected` and below `generation`. */
  setApplied(request: SetAppliedRequest): Promise<FencedOutcome>;

  // The built-in provider's materialized record sets (DESIGN: stored in the same transaction as its fence).
  /** THE built-in provider's fenced write: the zone's applied generation and these record sets, or nothing. */
  applyRecordSets(request: ApplyRecordSetsRequest): Promise<FencedOutcome>;
  /**
   * A zone's record sets at its applied generation. With `sinceGeneration`, only the names
   * changed after it (O(k)) when the store still has those changes; otherwise the whole zone
   * (`isFull`), which replaces whatever the reader held.
   */
  readRecordSets(request: ReadRecordSetsRequest): Promise<RecordSetsRead>;

  // Leases: by the store's clock; renewed only by their holder.
  acquireLease(request: LeaseRequest): Promise<LeaseOutcome>;
  renewLease(request: LeaseRequest): Promise<LeaseOutcome>;
  releaseLease(request: { readonly name: string; readonly holder: string }): Promise<ReleaseOutcome>;
  readLease(name: string): Promise<LeaseRead>;

  // What roles report: heartbeats, the audit log, health history, the planner's freeze flag.
  recordHeartbeat(heartbeat: HeartbeatInput): Promise<WriteOutcome>;
  listHeartbeats(): Promise<Listed<Heartbeat>>;
  appendAudit(entry: AuditInput): Promise<WriteOutcome>;
  /** The newest `limit` entries, newest first. */
  readAudit(request: { readonly limit: number }): Promise<Listed<AuditEntry>>;
  recordHealthTransition(transition: HealthTransition): Promise<WriteOutcome>;
  /** Transitions at or after `sinceMs`, oldest first, at most `limit` (the newest ones). */
  readHealthTransitions(request: { readonly sinceMs: number; readonly limit: number }): Promise<Listed<HealthTransition>>;
  recordCheckerHeartbeat(heartbeat: CheckerHeartbeat): Promise<WriteOutcome>;
  listCheckerHeartbeats(): Promise<Listed<CheckerHeartbeat>>;
  setFreeze(request: FreezeRequest): Promise<WriteOutcome>;
  readFreeze(): Promise<FreezeRead>;
  /** An operator's drain of a target (`resolute drain`): one key per target, the last write wins. */
  setDrain(request: DrainRequest): Promise<WriteOutcome>;
  /** Every target ever drained or undrained, by target key; the planner uses those with `isDrained`. */
  listDrains(): Promise<Listed<Drain>>;

  /**
   * A wake-up for polling loops (issue 6: a plan served within 100 ms of its commit): `next`
   * resolves `changed` as soon as one of `targets` was written, by any process, since the watch
   * was made or since `next` last said `changed`; else `timeout` after `timeoutMs`. A hint,
   * never a source of truth: the caller reads the store after it, and a missed or coalesced
   * notification costs at most `timeoutMs` (the caller's poll interval). Close it when done.
   */
  watch(targets: readonly WatchTarget[]): StoreWatch;

  close(): Promise<void>;
}

/** What a watch can follow: the newest plan's header, or an applied generation (a zone's record sets). */
export type WatchTarget = { readonly kind: 'newest-plan' } | ({ readonly kind: 'applied' } & AppliedKey);

export interface StoreWatch {
  /** `aborted` when `signal` aborts first. Store down: waits for the timeout (the caller's read reports it). */
  next(request: { readonly timeoutMs: number; readonly signal?: AbortSignal }): Promise<'changed' | 'timeout' | 'aborted'>;
  close(): void;
}

/** The store could not answer: down, locked beyond its bound, or a plan it cannot read whole. */
export interface Unavailable {
  readonly kind: 'unavailable';
  /** A ResoluteError with code ERR_STORE_UNAVAILABLE, saying what failed and where. */
  readonly cause: ResoluteError;
}

export type Listed<T> = { readonly kind: 'listed'; readonly items: readonly T[] } | Unavailable;
export type WriteOutcome = { readonly kind: 'written' } | Unavailable;

// ---- Plans ----

export interface SchemaVersion {
  readonly major: number;
  readonly minor: number;
}

/** A plan as bytes (plan/plan-codec.ts): chunks each well under 1 MiB, and sha-256 over them all. */
export interface EncodedPlan {
  readonly schemaVersion: SchemaVersion;
  readonly chunks: readonly Uint8Array[];
  /** Lower-case hex sha-256 of the chunks' bytes in order. */
  readonly digest: string;
}

export interface PublishPlanRequest {
  /** The newest generation the plan was computed against; null for the first plan. */
  readonly parentGeneration: bigint | null;
  readonly createdAtMs: number;
  readonly plan: EncodedPlan;
  /**
   * The assigned generation is at least this (DESIGN: a provider ahead of the store makes the
   * next generation jump above it): pass the provider's generation + 1.
   */
  readonly minGeneration?: bigint;
}

export type PublishOutcome =
  | { readonly kind: 'published'; readonly generation: bigint }
  /** The newest moved since the parent was read: recompute against `newest`. */
  | { readonly kind: 'conflict'; readonly newest: PlanHeader | null }
  | Unavailable;

/** What the newest-generation key and each generation's index key carry. */
export interface PlanHeader {
  readonly generation: bigint;
  readonly parentGeneration: bigint | null;
  readonly createdAtMs: number;
  readonly schemaVersion: SchemaVersion;
  readonly chunkCount: number;
  readonly byteLength: number;
  readonly digest: string;
}

export interface StoredPlan {
  readonly header: PlanHeader;
  readonly plan: EncodedPlan;
}

export type HeaderRead = { readonly kind: 'found'; readonly header: PlanHeader } | { readonly kind: 'none' } | Unavailable;
/** `none`: no such generation (never published, or deleted by cleanup). Never said of a plan read in part. */
export type PlanRead = { readonly kind: 'found'; readonly plan: StoredPlan } | { readonly kind: 'none' } | Unavailable;
export type DeleteOutcome = { readonly kind: 'deleted'; readonly generations: readonly bigint[] } | Unavailable;

// ---- Applied generations ----

export interface AppliedKey {
  readonly provider: string;
  /** Per-zone generation (the built-in provider); omitted for a provider-wide one. */
  readonly zone?: string;
}

export interface AppliedGeneration {
  readonly provider: string;
  readonly zone: string | null;
  readonly generation: bigint;
  readonly atMs: number;
  /** Who wrote it (an enactor id). */
  readonly by: string;
}

/** `corrupt`: the stored value cannot be read; it can be replaced only by naming it (`expected: 'corrupt'`). */
export type AppliedRead =
  | { readonly kind: 'found'; readonly applied: AppliedGeneration }
  | { readonly kind: 'none' }
  | { readonly kind: 'corrupt'; readonly detail: string }
  | Unavailable;

export type ExpectedGeneration = bigint | null | 'corrupt';

export interface SetAppliedRequest extends AppliedKey {
  /** What the writer read: the fence. */
  readonly expected: ExpectedGeneration;
  /** Must be above `expected` (a generation at a provider never decreases). */
  readonly generation: bigint;
  readonly by: string;
}

export type FencedOutcome =
  | { readonly kind: 'applied'; readonly generation: bigint }
  /** The stored generation is not `expected`, or not below `generation`: nothing was written. */
  | { readonly kind: 'fenced'; readonly current: ExpectedGeneration }
  | Unavailable;

// ---- Record sets of the built-in provider ----

/** One owner name's record sets, as bytes the built-in provider encodes; `null` deletes the name. */
export interface RecordSetChange {
  readonly name: string;
  readonly value: Uint8Array | null;
}

export interface ApplyRecordSetsRequest {
  readonly provider: string;
  readonly zone: string;
  readonly expected: ExpectedGeneration;
  readonly generation: bigint;
  readonly by: string;
  readonly changes: readonly RecordSetChange[];
  /** The changes are the whole zone: names not among them are deleted (a first write, a repair). */
  readonly isFull?: boolean;
}

export interface ReadRecordSetsRequest {
  readonly provider: string;
  readonly zone: string;
  readonly sinceGeneration?: bigint;
}

export type RecordSetsRead =
  | {
      readonly kind: 'found';
      /** The zone's applied generation these record sets are at. */
      readonly generation: bigint;
      /** True: `changes` is the whole zone (no deletions listed). False: the names changed after `sinceGeneration`. */
      readonly isFull: boolean;
      readonly changes: readonly RecordSetChange[];
    }
  | { readonly kind: 'none' }
  | Unavailable;

// ---- Leases ----

export interface LeaseRequest {
  readonly name: string;
  readonly holder: string;
  readonly ttlMs: number;
}

export interface Lease {
  readonly name: string;
  readonly holder: string;
  readonly acquiredAtMs: number;
  readonly expiresAtMs: number;
}

export type LeaseOutcome =
  | { readonly kind: 'held'; readonly lease: Lease }
  /** Someone else holds it and it has not expired (or, for renew, it is no longer ours). */
  | { readonly kind: 'taken'; readonly lease: Lease | null }
  | Unavailable;
export type ReleaseOutcome = { readonly kind: 'released' } | { readonly kind: 'not-holder' } | Unavailable;
export type LeaseRead = { readonly kind: 'found'; readonly lease: Lease; readonly isExpired: boolean } | { readonly kind: 'none' } | Unavailable;

// ---- Reports ----

export interface HeartbeatInput {
  /** The enactor's (or any role's) id. */
  readonly id: string;
  readonly role: string;
  /** The last outcome, e.g. `applied`, `fenced`, `unavailable`. */
  readonly outcome: string;
  readonly detail?: string;
  readonly generation?: bigint;
  /**
   * A reconcile step's read-back: per `<provider> <zone>` it read, the names there that
   * Resolute did not create (empty: none). Absent when nothing was read back.
   */
  readonly foreign?: Readonly<Record<string, readonly string[]>>;
}

export interface Heartbeat extends HeartbeatInput {
  readonly atMs: number;
}

export interface AuditInput {
  /** Who: an operator, `planner`, an enactor id. */
  readonly actor: string;
  /** What: `publish`, `rollback`, `freeze`, `cleanup`, … */
  readonly action: string;
  readonly detail: string;
  readonly generation?: bigint;
}

export interface AuditEntry extends AuditInput {
  readonly atMs: number;
}

export interface HealthTransition {
  readonly checkerId: string;
  readonly target: string;
  readonly from: 'unknown' | 'up' | 'down';
  readonly to: 'up' | 'down';
  readonly atMs: number;
  readonly detail: string;
}

export interface CheckerHeartbeat {
  readonly checkerId: string;
  readonly atMs: number;
}

export interface FreezeRequest {
  readonly isFrozen: boolean;
  readonly by: string;
  readonly reason: string;
}

export interface Freeze extends FreezeRequest {
  readonly atMs: number;
}

/** An empty store reads as not frozen (`atMs` 0, by `nobody`). */
export type FreezeRead = { readonly kind: 'found'; readonly freeze: Freeze } | Unavailable;

export interface DrainRequest {
  /** The target key (config/target-key.ts), e.g. `tcp://192.0.2.10:443`. */
  readonly target: string;
  /** False: undrained, the target is planned from its health again. */
  readonly isDrained: boolean;
  readonly by: string;
  readonly reason: string;
}

export interface Drain extends DrainRequest {
  readonly atMs: number;
}
