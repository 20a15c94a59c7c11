import type { ConfigTsigKey } from './config-tsig-key.js';

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
  /**
   * Where zones are published: every entry of `providers:`, and the built-in provider with the
   * zones no entry lists (no `providers:` at all: every zone on the built-in provider). Always
   * set by normalizeConfig; read it through providersOf() (providers-of.ts), which also answers
   * for a Config built by hand without it (a benchmark).
   */
  readonly providers?: readonly ProviderConfig[];
}

/** The id of the built-in provider: its applied generations in the store, read by the DNS processes. */
export const BUILTIN_PROVIDER_ID = 'builtin';

export type ProviderConfig = BuiltinProviderConfig | Rfc2136ProviderConfig;

export interface BuiltinProviderConfig {
  readonly type: 'builtin';
  readonly id: typeof BUILTIN_PROVIDER_ID;
  /** Canonical apexes. */
  readonly zones: readonly string[];
}

/** A server that takes RFC 2136 updates signed with TSIG (src/providers/rfc2136/). */
export interface Rfc2136ProviderConfig {
  readonly type: 'rfc2136';
  readonly id: string;
  readonly zones: readonly string[];
  /** Canonical IP address and port; updates, queries and transfers go over TCP. */
  readonly server: { readonly address: string; readonly port: number };
  /** The key; its secret is shown nowhere (config-tsig-key.ts). */
  readonly tsig: ConfigTsigKey;
  readonly timeoutMs: number;
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
