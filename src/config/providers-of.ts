import { BUILTIN_PROVIDER_ID, type Config, type ProviderConfig, type Rfc2136ProviderConfig } from './config.js';

/**
 * Where a config's zones are published. normalizeConfig always fills `providers`; a Config
 * built by hand without it (a benchmark) publishes every zone on the built-in provider, which is
 * also what a file without `providers:` means.
 */
export function providersOf(config: Config): readonly ProviderConfig[] {
  return config.providers ?? [{ type: 'builtin', id: BUILTIN_PROVIDER_ID, zones: config.zones.map((z) => z.apex) }];
}

/**
 * The ways two configs' RFC 2136 providers differ (added, removed, another server, zones, key
 * or timeout), one line each; empty when they are the same. The built-in provider's zones are
 * not compared: a zone no provider lists lands there, as it did before `providers:` existed.
 */
export function providerChanges(previous: Config, next: Config): string[] {
  const external = (c: Config): Map<string, Rfc2136ProviderConfig> =>
    new Map(providersOf(c).flatMap((p) => (p.type === 'rfc2136' ? [[p.id, p] as const] : [])));
  const [before, after] = [external(previous), external(next)];
  const changes: string[] = [];
  for (const [id, old] of before) {
    const now = after.get(id);
    if (now === undefined) changes.push(`provider ${id} is removed`);
    else {
      if (old.server.address !== now.server.address || old.server.port !== now.server.port) changes.push(`provider ${id} moves from ${old.server.address}:${old.server.port} to ${now.server.address}:${now.server.port}`);
      if (old.zones.join(' ') !== now.zones.join(' ')) changes.push(`provider ${id} publishes ${now.zones.join(', ') || 'no zone'} instead of ${old.zones.join(', ')}`);
      if (!old.tsig.isSameAs(now.tsig)) changes.push(`provider ${id} has another TSIG key (${now.tsig.name})`);
      if (old.timeoutMs !== now.timeoutMs) changes.push(`provider ${id} has another timeout`);
    }
  }
  for (const id of after.keys()) if (!before.has(id)) changes.push(`provider ${id} is added`);
  return changes;
}
