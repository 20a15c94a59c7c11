import { isSubdomain } from '../dns/wire/name.js';
import type {
  CheckConfig,
  Config,
  EndpointConfig,
  HealthSettings,
  PlannerSettings,
  PolicyConfig,
  StaticRecord,
  TargetConfig,
  ZoneConfig,
} from './config.js';
import type { CheckFile, ConfigFile, EndpointFile, ZoneFile } from './config-schema.js';
import type { ConfigPath, ConfigProblem } from './config-problem.js';
import { didYouMean } from './did-you-mean.js';
import { parseAddress } from './parse-address.js';
import { parseConfigName } from './parse-config-name.js';
import { parseDuration } from './parse-duration.js';
import { normalizeProviders, type ReadSecretFile } from './normalize-providers.js';
import { parseStaticValue } from './parse-static-value.js';
import { targetKey } from './target-key.js';

/**
 * The rules the schema cannot say (each needs more than one field), and the defaults.
 * Input has passed the schema; output is a frozen Config, or every problem found (never just
 * the first: a user fixes a file in one pass).
 *
 * | rule | example problem |
 * |---|---|
 * | names are host names inside exactly one zone | `api.other.test` outside every zone |
 * | no duplicate endpoint names, no name both managed and static | two `api.demo.test` |
 * | an endpoint has targets, of its address family | `::1` on an A endpoint |
 * | durations are positive, timeout < interval | `interval: 0s` |
 * | failover names regions that have targets | `primary: east` with no east target |
 * | one key (address + check) is checked one way | same URL, two intervals |
 * | delegations are below the apex, carry glue when in-bailiwick, hide nothing | NS without glue |
 * | providers hold configured zones, with a key (normalize-providers.ts) | `zones: [other.test]` |
 */
export function normalizeConfig(file: ConfigFile, options: NormalizeOptions = {}): { config: Config } | { problems: readonly ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const problem = (path: ConfigPath, reason: string, hint?: string): void => {
    problems.push(hint === undefined ? { path, reason } : { path, reason, hint });
  };
  const zones = file.zones.map((zone, i) => normalizeZone(zone, ['zones', i], problem));
  checkDuplicateApexes(zones, problem);
  const staticOwners = new Map<string, ConfigPath>();
  for (const [z, zone] of zones.entries()) {
    for (const [r, record] of zone.records.entries()) staticOwners.set(record.name, ['zones', z, 'records', r, 'name']);
  }
  const checksByKey = new Map<string, { check: CheckConfig | undefined; path: ConfigPath }>();
  const seen = new Map<string, number>();
  const endpoints: EndpointConfig[] = [];
  for (const [i, endpoint] of file.endpoints.entries()) {
    const normalized = normalizeEndpoint(endpoint, ['endpoints', i], zones, problem, checksByKey);
    if (normalized === undefined) continue;
    const first = seen.get(normalized.name);
    if (first !== undefined) {
      problem(['endpoints', i, 'name'], `duplicate endpoint name ${normalized.name}, first defined at endpoints[${first}]`, 'merge the two endpoints or rename one');
      continue;
    }
    seen.set(normalized.name, i);
    if (staticOwners.has(normalized.name)) {
      problem(['endpoints', i, 'name'], `${normalized.name} is both a managed endpoint and the owner of a static record`, 'remove the static record; Resolute publishes this name');
    }
    endpoints.push(normalized);
  }
  const planner = normalizePlanner(file, problem);
  const health = normalizeHealth(file, problem);
  const providers = normalizeProviders(file.providers, zones, problem, options.readSecretFile);
  if (problems.length > 0) return { problems };
  return { config: deepFreeze({ zones, endpoints, planner, health, providers }) };
}

export interface NormalizeOptions {
  /** Reads a provider's `tsig.secret_file`; without it, `secret_file` is refused (normalize-providers.ts). */
  readonly readSecretFile?: ReadSecretFile;
}

type Report = (path: ConfigPath, reason: string, hint?: string) => void;

function name(text: string, path: ConfigPath, problem: Report): string | undefined {
  const parsed = parseConfigName(text);
  if ('reason' in parsed) {
    problem(path, parsed.reason);
    return undefined;
  }
  return parsed.name;
}

function duration(text: string | undefined, fallbackMs: number, path: ConfigPath, problem: Report): number {
  if (text === undefined) return fallbackMs;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    problem(path, `must be a positive duration, got "${text}"`, 'write e.g. 1s or 500ms');
    return fallbackMs;
  }
  return ms;
}

function normalizeZone(zone: ZoneFile, path: ConfigPath, problem: Report): ZoneConfig {
  const apex = name(zone.apex, [...path, 'apex'], problem) ?? `invalid-${String(path[1])}.`;
  const nameservers = zone.nameservers.flatMap((ns, i) => name(ns, [...path, 'nameservers', i], problem) ?? []);
  const hostmaster = zone.hostmaster === undefined ? `hostmaster.${apex}` : (name(zone.hostmaster, [...path, 'hostmaster'], problem) ?? apex);
  const records: StaticRecord[] = [];
  const recordPaths: ConfigPath[] = [];
  for (const [i, record] of (zone.records ?? []).entries()) {
    const at = [...path, 'records', i];
    const owner = name(record.name, [...at, 'name'], problem);
    if (owner === undefined) continue;
    if (!isSubdomain(owner, apex)) {
      problem([...at, 'name'], `${owner} is outside its zone ${apex}`, `use a name ending in ${apex}`);
      continue;
    }
    if ((record.value === undefined) === (record.values === undefined)) {
      problem(at, 'a static record needs exactly one of value or values');
      continue;
    }
    const texts = record.values ?? [record.value ?? ''];
    for (const [v, text] of texts.entries()) {
      const parsed = parseStaticValue(record.type, text);
      const valuePath = record.values === undefined ? [...at, 'value'] : [...at, 'values', v];
      if ('reason' in parsed) problem(valuePath, parsed.reason);
      else {
        records.push({ name: owner, type: record.type, ttlSeconds: record.ttl ?? 3600, value: parsed.value });
        recordPaths.push(at);
      }
    }
  }
  checkZoneRecords(apex, records, recordPaths, path, problem);
  return { apex, nameservers, negativeTtlSeconds: zone.negative_ttl ?? 5, hostmaster, records };
}

/**
 * RFC 1034 §4.2.1: below a delegation (a zone cut) the parent holds only the NS records and
 * the glue (A/AAAA of in-bailiwick name servers); RFC 1034 §3.6.2: a CNAME has no other data
 * beside it. Apex NS come from `nameservers`, not from records.
 */
function checkZoneRecords(apex: string, records: readonly StaticRecord[], paths: readonly ConfigPath[], path: ConfigPath, problem: Report): void {
  const cuts = new Set(records.filter((r) => r.type === 'NS').map((r) => r.name));
  for (const [i, record] of records.entries()) {
    const at = paths[i];
    if (record.type === 'NS' && record.name === apex) {
      problem([...at, 'name'], 'NS records at the apex come from the zone nameservers list', `list the server under zones[${String(path[1])}].nameservers`);
    }
    if (record.type === 'NS' && isSubdomain(record.value, record.name)) {
      const hasGlue = records.some((r) => r.name === record.value && (r.type === 'A' || r.type === 'AAAA'));
      if (!hasGlue) {
        problem(at, `delegation ${record.name} to ${record.value} needs glue (RFC 1034 §4.2.1)`, `add an A or AAAA record for ${record.value}`);
      }
    }
    for (const cut of cuts) {
      if (record.name === cut || !isSubdomain(record.name, cut)) continue;
      const isGlue = (record.type === 'A' || record.type === 'AAAA') && records.some((r) => r.type === 'NS' && r.name === cut && r.value === record.name);
      if (!isGlue) problem([...at, 'name'], `${record.name} is below the delegation ${cut}, so it would never be served`, 'move it to the child zone');
    }
    if (record.type === 'CNAME' && records.some((r) => r.name === record.name && r.type !== 'CNAME')) {
      problem([...at, 'name'], `${record.name} has a CNAME beside other data (RFC 1034 §3.6.2)`);
    }
  }
}

function checkDuplicateApexes(zones: readonly ZoneConfig[], problem: Report): void {
  const first = new Map<string, number>();
  for (const [i, zone] of zones.entries()) {
    const earlier = first.get(zone.apex);
    if (earlier !== undefined) problem(['zones', i, 'apex'], `duplicate zone ${zone.apex}, first defined at zones[${earlier}]`);
    else first.set(zone.apex, i);
  }
}

function normalizeEndpoint(
  endpoint: EndpointFile,
  path: ConfigPath,
  zones: readonly ZoneConfig[],
  problem: Report,
  checksByKey: Map<string, { check: CheckConfig | undefined; path: ConfigPath }>,
): EndpointConfig | undefined {
  const endpointName = name(endpoint.name, [...path, 'name'], problem);
  if (endpointName === undefined) return undefined;
  // The longest apex wins: a name in both demo.test and eu.demo.test belongs to the child.
  const zone = zones.filter((z) => isSubdomain(endpointName, z.apex)).sort((a, b) => b.apex.length - a.apex.length)[0];
  if (zone === undefined) {
    problem([...path, 'name'], `${endpointName} is outside every zone (${zones.map((z) => z.apex).join(', ')})`, 'add its zone under zones, or fix the name');
  } else {
    for (const cut of zone.records.filter((r) => r.type === 'NS')) {
      if (isSubdomain(endpointName, cut.name)) problem([...path, 'name'], `${endpointName} is below the delegation ${cut.name}, so it would never be served`);
    }
  }
  if (endpoint.targets.length === 0) {
    problem([...path, 'targets'], 'an endpoint needs at least one target', 'list the addresses that serve this name');
  }
  const targets: TargetConfig[] = [];
  for (const [i, target] of endpoint.targets.entries()) {
    const at = [...path, 'targets', i];
    const parsed = parseAddress(target.address);
    if (parsed === undefined) {
      problem([...at, 'address'], `"${target.address}" is not an IP address`);
      continue;
    }
    const family = endpoint.type === 'A' ? 4 : 6;
    if (parsed.family !== family) {
      problem([...at, 'address'], `${parsed.address} is an IPv${parsed.family} address on a ${endpoint.type} endpoint`, `use an IPv${family} address, or type ${parsed.family === 4 ? 'A' : 'AAAA'}`);
      continue;
    }
    const check = target.check === undefined ? undefined : normalizeCheck(target.check, [...at, 'check'], problem);
    const key = targetKey(parsed.address, check);
    const earlier = checksByKey.get(key);
    if (earlier !== undefined && JSON.stringify(earlier.check) !== JSON.stringify(check)) {
      problem([...at, 'check'], `${key} is also checked with other settings at ${formatPathShort(earlier.path)}`, 'use the same check settings for one address and port');
    } else if (earlier === undefined) {
      checksByKey.set(key, { check, path: at });
    }
    if (targets.some((t) => t.key === key)) problem(at, `target ${key} is listed twice`);
    targets.push({ key, address: parsed.address, region: target.region, zone: target.zone, weight: target.weight ?? 100, check });
  }
  const policy = normalizePolicy(endpoint, targets, path, problem);
  return { name: endpointName, zone: zone?.apex ?? '.', type: endpoint.type, ttlSeconds: endpoint.ttl ?? 30, policy, targets };
}

function formatPathShort(path: ConfigPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function normalizePolicy(endpoint: EndpointFile, targets: readonly TargetConfig[], path: ConfigPath, problem: Report): PolicyConfig {
  const kind = endpoint.policy ?? 'weighted';
  if (kind !== 'failover' && endpoint.failover !== undefined) problem([...path, 'failover'], `failover settings on a ${kind} endpoint`, 'set policy: failover, or remove them');
  if (kind !== 'multivalue' && endpoint.multivalue !== undefined) problem([...path, 'multivalue'], `multivalue settings on a ${kind} endpoint`, 'set policy: multivalue, or remove them');
  if (kind === 'weighted') return { kind };
  if (kind === 'multivalue') return { kind, maxRecords: endpoint.multivalue?.max_records ?? 8 };
  const failover = endpoint.failover;
  if (failover === undefined) {
    problem([...path, 'failover'], 'policy failover needs failover: { primary, secondary }');
    return { kind: 'weighted' };
  }
  const regions = new Set(targets.flatMap((t) => t.region ?? []));
  for (const role of ['primary', 'secondary'] as const) {
    const region = failover[role];
    if (!regions.has(region)) {
      const close = didYouMean(region, regions);
      problem(
        [...path, 'failover', role],
        `region "${region}" has no targets in this endpoint (regions: ${[...regions].join(', ') || 'none'})`,
        close === undefined ? 'set region on the targets, or name an existing region' : `did you mean "${close}"?`,
      );
    }
  }
  if (failover.primary === failover.secondary) problem([...path, 'failover', 'secondary'], 'secondary must differ from primary');
  const minHealthyFraction = failover.min_healthy_fraction ?? 0.5;
  const failbackFraction = failover.failback_fraction ?? Math.min(1, minHealthyFraction + 0.25);
  if (failbackFraction < minHealthyFraction) {
    problem([...path, 'failover', 'failback_fraction'], `must be at least min_healthy_fraction (${minHealthyFraction}), got ${failbackFraction}`, 'the gap between the two is the hysteresis');
  }
  return { kind, primary: failover.primary, secondary: failover.secondary, minHealthyFraction, failbackFraction };
}

const DEFAULT_PORTS = { tcp: 0, http: 80, https: 443, dns: 53 } as const;

function normalizeCheck(check: CheckFile, path: ConfigPath, problem: Report): CheckConfig {
  const intervalMs = duration(check.interval, 1000, [...path, 'interval'], problem);
  const timeoutMs = duration(check.timeout, Math.min(500, intervalMs), [...path, 'timeout'], problem);
  if (timeoutMs > intervalMs) problem([...path, 'timeout'], `timeout (${timeoutMs}ms) is longer than interval (${intervalMs}ms)`, 'a probe must end before the next one starts');
  const port = check.port ?? DEFAULT_PORTS[check.type];
  if (port === 0) problem([...path, 'port'], 'a tcp check needs a port');
  const common = { intervalMs, timeoutMs, rise: check.rise ?? 2, fall: check.fall ?? 2, port };
  const misplaced = (keys: readonly (keyof CheckFile)[], kinds: string): void => {
    for (const key of keys) if (check[key] !== undefined) problem([...path, key], `${key} applies only to ${kinds} checks, not ${check.type}`);
  };
  switch (check.type) {
    case 'tcp':
      misplaced(['method', 'path', 'host', 'expect_status', 'body_contains', 'tls_verify', 'ca_file', 'query'], 'http/https');
      return { type: 'tcp', ...common };
    case 'http':
    case 'https': {
      misplaced(['query'], 'dns');
      if (check.type === 'http') misplaced(['tls_verify', 'ca_file'], 'https');
      const [min, max] = String(check.expect_status ?? '200-399').split('-').map(Number);
      if (max !== undefined && max < min) problem([...path, 'expect_status'], `range ${min}-${max} is empty`);
      return {
        type: check.type,
        ...common,
        method: check.method ?? 'GET',
        path: check.path ?? '/',
        host: check.host,
        expectStatus: { min, max: max ?? min },
        bodyContains: check.body_contains,
        isTlsVerified: check.tls_verify ?? true,
        caFile: check.ca_file,
      };
    }
    case 'dns': {
      misplaced(['method', 'path', 'host', 'expect_status', 'body_contains', 'tls_verify', 'ca_file'], 'http/https');
      if (check.query === undefined) {
        problem([...path, 'query'], 'a dns check needs query: { name, type }');
        return { type: 'dns', ...common, qname: '.', qtype: 'A' };
      }
      const qname = name(check.query.name, [...path, 'query', 'name'], problem) ?? '.';
      return { type: 'dns', ...common, qname, qtype: (check.query.type ?? 'A').toUpperCase() };
    }
  }
}

function normalizePlanner(file: ConfigFile, problem: Report): PlannerSettings {
  const planner = file.planner ?? {};
  return {
    velocityMaxFraction: planner.velocity?.max_fraction ?? 0.25,
    velocityWindowMs: duration(planner.velocity?.window, 60_000, ['planner', 'velocity', 'window'], problem),
    rampSteps: planner.ramp?.steps ?? 4,
    rampStepMs: duration(planner.ramp?.step, 10_000, ['planner', 'ramp', 'step'], problem),
    maxDeleteFraction: planner.max_delete_fraction ?? 0.5,
  };
}

function normalizeHealth(file: ConfigFile, problem: Report): HealthSettings {
  const checkers = file.health?.checkers ?? 1;
  const quorum = file.health?.quorum ?? Math.floor(checkers / 2) + 1;
  if (quorum > checkers) problem(['health', 'quorum'], `quorum ${quorum} is more than the ${checkers} checkers`, 'raise checkers or lower quorum');
  return { checkers, quorum, staleAfterMs: duration(file.health?.stale_after, 10_000, ['health', 'stale_after'], problem) };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
