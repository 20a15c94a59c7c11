/**
 * The configuration as every other layer sees it: validated, defaults filled in, names
 * canonical (`api.demo.test.`), durations in milliseconds. Built only by normalizeConfig, so a
 * value of this type has passed every rule; frozen, so it can be shared between planner runs.
 */
export interface Config {
  readonly zones: readonly ZoneConfig[];
  readonly endpoints: readonly EndpointConfig[];
  readonly planner: PlannerSettings;
  readonly health: HealthSettings;
}

export interface ZoneConfig {
  /** Canonical apex, e.g. `demo.test.`. */
  readonly apex: string;
  readonly nameservers: readonly string[];
  /** SOA minimum (RFC 2308 §4): how long resolvers may cache a negative answer. */
  readonly negativeTtlSeconds: number;
  /** SOA RNAME as a name. */
  readonly hostmaster: string;
  readonly records: readonly StaticRecord[];
}

export type StaticRecordType = 'A' | 'AAAA' | 'CNAME' | 'MX' | 'TXT' | 'CAA' | 'NS' | 'SRV';

/** A record served as written; `value` is canonical presentation form (names absolute). */
export interface StaticRecord {
  readonly name: string;
  readonly type: StaticRecordType;
  readonly ttlSeconds: number;
  readonly value: string;
}

export type EndpointType = 'A' | 'AAAA';

export interface EndpointConfig {
  /** Canonical name, e.g. `api.demo.test.`. */
  readonly name: string;
  /** Apex of the zone that holds the name. */
  readonly zone: string;
  readonly type: EndpointType;
  readonly ttlSeconds: number;
  readonly policy: PolicyConfig;
  readonly targets: readonly TargetConfig[];
}

export type PolicyConfig =
  | { readonly kind: 'weighted' }
  | {
      readonly kind: 'failover';
      readonly primary: string;
      readonly secondary: string;
      readonly minHealthyFraction: number;
      /** Hysteresis: back to the primary only at or above this fraction (>= minHealthyFraction). */
      readonly failbackFraction: number;
    }
  | { readonly kind: 'multivalue'; readonly maxRecords: number };

export interface TargetConfig {
  /** Identity of the target for health and planning; see target-key.ts. */
  readonly key: string;
  /** Canonical textual address (IPv6 compressed, lower case). */
  readonly address: string;
  readonly region: string | undefined;
  readonly zone: string | undefined;
  readonly weight: number;
  /** No check: the target is always taken as healthy. */
  readonly check: CheckConfig | undefined;
}

interface CheckCommon {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly rise: number;
  readonly fall: number;
  readonly port: number;
}

export interface TcpCheckConfig extends CheckCommon {
  readonly type: 'tcp';
}

export interface HttpCheckConfig extends CheckCommon {
  readonly type: 'http' | 'https';
  readonly method: 'GET' | 'HEAD' | 'POST';
  readonly path: string;
  readonly host: string | undefined;
  /** Inclusive range of statuses that count as healthy. */
  readonly expectStatus: { readonly min: number; readonly max: number };
  readonly bodyContains: string | undefined;
  /** On by default: a check that trusts any certificate hides a broken or hijacked endpoint. */
  readonly isTlsVerified: boolean;
  readonly caFile: string | undefined;
}

export interface DnsCheckConfig extends CheckCommon {
  readonly type: 'dns';
  readonly qname: string;
  readonly qtype: string;
}

export type CheckConfig = TcpCheckConfig | HttpCheckConfig | DnsCheckConfig;

export interface PlannerSettings {
  /** Velocity limit: at most this fraction of an endpoint's capacity removed per window. */
  readonly velocityMaxFraction: number;
  readonly velocityWindowMs: number;
  /** Recovery ramp: capacity that comes back reaches full weight in `rampSteps` steps. */
  readonly rampSteps: number;
  readonly rampStepMs: number;
  /** A reload removing more than this fraction of an endpoint's targets needs --allow-delete. */
  readonly maxDeleteFraction: number;
}

export interface HealthSettings {
  readonly checkers: number;
  readonly quorum: number;
  readonly staleAfterMs: number;
}
