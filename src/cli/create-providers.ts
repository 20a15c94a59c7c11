/**
 * The providers a `resolute run` process writes to, from the config's `providers:` list
 * (config/providers-of.ts): the built-in provider for the zones it holds, and one
 * Rfc2136Provider per RFC 2136 server. The composition root's one place that names provider
 * implementations; enact/ sees only the Provider contract.
 */
import type { Clock } from '../base/clock.js';
import type { Random } from '../base/random.js';
import { BUILTIN_PROVIDER_ID, type Config, type ProviderConfig } from '../config/config.js';
import { providersOf } from '../config/providers-of.js';
import { BuiltinProvider } from '../providers/builtin/builtin-provider.js';
import type { Provider } from '../providers/provider.js';
import { Rfc2136Provider } from '../providers/rfc2136/rfc2136-provider.js';
import type { Store } from '../store/store.js';

export interface ProviderEnvironment {
  readonly store: Store;
  readonly clock: Clock;
  readonly random: Random;
  /** Who writes (the process id): kept with each applied generation of the built-in provider. */
  readonly by: string;
  /** The generation the DNS processes serve for a zone (data-dir-files.ts), for the built-in provider. */
  readonly servedGeneration: (zone: string) => bigint | undefined;
}

/**
 * The built-in provider also takes every planned zone no external provider holds
 * (BuiltinProvider.zonesFor), so it is always created — even when every zone of the config at
 * start is on an RFC 2136 server — for a zone a later reload adds.
 */
export function createProviders(config: Config, env: ProviderEnvironment): Provider[] {
  const externalZones = externalZonesOf(config);
  const listed = providersOf(config);
  const all: readonly ProviderConfig[] = listed.some((p) => p.type === 'builtin') ? listed : [{ type: 'builtin', id: BUILTIN_PROVIDER_ID, zones: [] }, ...listed];
  return all.flatMap((p) => (p.zones.length === 0 && p.type !== 'builtin' ? [] : [createProvider(p, env, externalZones)]));
}

/** The zones an external (RFC 2136) provider of `config` publishes. */
export function externalZonesOf(config: Config): string[] {
  return [...new Set(providersOf(config).flatMap((p) => (p.type === 'builtin' ? [] : p.zones)))];
}

function createProvider(config: ProviderConfig, env: ProviderEnvironment, externalZones: readonly string[]): Provider {
  switch (config.type) {
    case 'builtin':
      return new BuiltinProvider({ id: config.id, zones: config.zones, externalZones, store: env.store, by: env.by, servedGeneration: env.servedGeneration });
    case 'rfc2136':
      return new Rfc2136Provider({ id: config.id, zones: config.zones, server: config.server, key: config.tsig.reveal(), timeoutMs: config.timeoutMs, clock: env.clock, random: env.random });
  }
}
