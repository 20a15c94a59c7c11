import type { Clock } from '../../base/clock.js';
import type { Random } from '../../base/random.js';
import type {
  AppliedKey,
  ApplyRecordSetsRequest,
  AuditInput,
  CheckerHeartbeat,
  DrainRequest,
  FreezeRequest,
  HealthTransition,
  HeartbeatInput,
  LeaseRequest,
  PublishPlanRequest,
  ReadRecordSetsRequest,
  SetAppliedRequest,
  Store,
  StoreWatch,
  WatchTarget,
} from '../store.js';
import { listApplied, readApplied, setApplied } from './applied-records.js';
import type { KeyValue } from './key-value.js';
import { KvWatch } from './kv-watch.js';
import { acquireLease, readLease, releaseLease, renewLease } from './lease-records.js';
import { deletePlans, listPlans, publishPlan, readNewestHeader, readNewestPlan, readPlan, readPlansSince } from './plan-records.js';
import {
  appendAudit,
  listCheckerHeartbeats,
  listDrains,
  listHeartbeats,
  readAudit,
  readFreeze,
  readHealthTransitions,
  recordCheckerHeartbeat,
  recordHealthTransition,
  recordHeartbeat,
  setDrain,
  setFreeze,
} from './report-records.js';
import { orUnavailable } from './store-unavailable.js';
import { applyRecordSets, readRecordSets } from './zone-records.js';

export interface KvStoreOptions {
  /** The store's notion of time: lease expiry, report times. */
  readonly clock: Clock;
  /** Write ids and report keys; seeded in the simulator. */
  readonly random: Random;
}

/**
 * The Store, written once over a KeyValue backend (memory, SQLite, etcd): same keys, same
 * transactions, same outcomes whichever backend holds them. Each method maps a backend's
 * ERR_STORE_UNAVAILABLE to the `unavailable` outcome (store-unavailable.ts).
 */
export class KvStore implements Store {
  private readonly clock: Clock;
  private readonly random: Random;

  constructor(
    private readonly kv: KeyValue,
    options: KvStoreOptions,
  ) {
    this.clock = options.clock;
    this.random = options.random;
  }

  publishPlan = (request: PublishPlanRequest) => orUnavailable(() => publishPlan(this.kv, request));
  readNewestHeader = () => orUnavailable(() => readNewestHeader(this.kv));
  readNewestPlan = () => orUnavailable(() => readNewestPlan(this.kv));
  readPlan = (generation: bigint) => orUnavailable(() => readPlan(this.kv, generation));
  listPlans = () => orUnavailable(() => listPlans(this.kv));
  readPlansSince = (sinceMs: number) => orUnavailable(() => readPlansSince(this.kv, sinceMs));
  deletePlans = (request: { readonly below: bigint }) => orUnavailable(() => deletePlans(this.kv, this.clock, request.below));

  readApplied = (key: AppliedKey) => orUnavailable(() => readApplied(this.kv, key));
  listApplied = () => orUnavailable(() => listApplied(this.kv));
  setApplied = (request: SetAppliedRequest) => orUnavailable(() => setApplied(this.kv, this.clock, request));
  applyRecordSets = (request: ApplyRecordSetsRequest) => orUnavailable(() => applyRecordSets(this.kv, this.clock, this.random, request));
  readRecordSets = (request: ReadRecordSetsRequest) => orUnavailable(() => readRecordSets(this.kv, request));

  acquireLease = (request: LeaseRequest) => orUnavailable(() => acquireLease(this.kv, this.clock, request));
  renewLease = (request: LeaseRequest) => orUnavailable(() => renewLease(this.kv, this.clock, request));
  releaseLease = (request: { readonly name: string; readonly holder: string }) => orUnavailable(() => releaseLease(this.kv, request));
  readLease = (name: string) => orUnavailable(() => readLease(this.kv, this.clock, name));

  recordHeartbeat = (heartbeat: HeartbeatInput) => orUnavailable(() => recordHeartbeat(this.kv, this.clock, heartbeat));
  listHeartbeats = () => orUnavailable(() => listHeartbeats(this.kv));
  appendAudit = (entry: AuditInput) => orUnavailable(() => appendAudit(this.kv, this.clock, this.random, entry));
  readAudit = (request: { readonly limit: number }) => orUnavailable(() => readAudit(this.kv, request.limit));
  recordHealthTransition = (transition: HealthTransition) => orUnavailable(() => recordHealthTransition(this.kv, this.random, transition));
  readHealthTransitions = (request: { readonly sinceMs: number; readonly limit: number }) =>
    orUnavailable(() => readHealthTransitions(this.kv, request.sinceMs, request.limit));
  recordCheckerHeartbeat = (heartbeat: CheckerHeartbeat) => orUnavailable(() => recordCheckerHeartbeat(this.kv, heartbeat));
  listCheckerHeartbeats = () => orUnavailable(() => listCheckerHeartbeats(this.kv));
  setFreeze = (request: FreezeRequest) => orUnavailable(() => setFreeze(this.kv, this.clock, request));
  readFreeze = () => orUnavailable(() => readFreeze(this.kv));
  setDrain = (request: DrainRequest) => orUnavailable(() => setDrain(this.kv, this.clock, request));
  listDrains = () => orUnavailable(() => listDrains(this.kv));

  watch = (targets: readonly WatchTarget[]): StoreWatch => new KvWatch(this.kv, this.clock, targets);

  close = () => this.kv.close();
}
