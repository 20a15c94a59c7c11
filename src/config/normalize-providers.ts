import { ResoluteError } from '../base/errors.js';
import { canonicalName } from '../dns/wire/name.js';
import { parseTsigKey, parseTsigKeyFile, type TsigKey } from '../dns/wire/tsig-key.js';
import { BUILTIN_PROVIDER_ID, type ProviderConfig, type Rfc2136ProviderConfig, type ZoneConfig } from './config.js';
import type { ProviderFile } from './config-schema.js';
import { formatConfigPath, type ConfigPath } from './config-problem.js';
import { ConfigTsigKey } from './config-tsig-key.js';
import { didYouMean } from './did-you-mean.js';
import { parseAddress } from './parse-address.js';
import { parseConfigName } from './parse-config-name.js';
import { parseDuration } from './parse-duration.js';

/**
 * Reads a `secret_file` (a path as written, relative to the config file): its text, or why it
 * cannot be read. Injected, so the rules stay free of I/O: load-config.ts reads beside the
 * file; a config that is no file (the HTTP API) has no reader, and refuses `secret_file`.
 */
export type ReadSecretFile = (path: string) => { readonly text: string } | { readonly reason: string };

type Report = (path: ConfigPath, reason: string, hint?: string) => void;

/**
 * The `providers:` list → every provider with canonical zones and a key whose secret is hidden
 * (config-tsig-key.ts), plus the built-in provider for the zones no entry lists.
 *
 * | rule | example problem |
 * |---|---|
 * | names are unique; `builtin` names the built-in provider only | two entries named bind |
 * | each zone is a configured zone, listed once per provider | `zones: [other.test]` |
 * | rfc2136: an IP address, a TSIG key with exactly one of secret / secret_file | `secret` and `secret_file` both |
 * | builtin: no address, port, tsig or timeout | `address` on builtin |
 * | one zone on one server (address and port) through one provider only | two entries, same server, same zone |
 *
 * A zone MAY be held by two providers on different servers (the built-in server and BIND, or
 * two independent primaries): each holds its own marker, fenced on its own, and the enactor
 * writes each. Two entries for one zone on the SAME server would share one marker
 * (`_resolute.<zone>`) under two ids in the store: refused. Secrets never enter a problem's
 * reason — a bad key is named by its key name and config path.
 */
export function normalizeProviders(
  files: readonly ProviderFile[] | undefined,
  zones: readonly ZoneConfig[],
  problem: Report,
  readSecretFile: ReadSecretFile | undefined,
): ProviderConfig[] {
  const apexes = zones.map((z) => z.apex);
  const explicit: ProviderConfig[] = [];
  const firstByName = new Map<string, number>();
  const holders = new Map<string, { server: string; path: ConfigPath }>(); // `${zone} ${server}` → first entry
  for (const [i, file] of (files ?? []).entries()) {
    const path: ConfigPath = ['providers', i];
    const earlier = firstByName.get(file.name);
    if (earlier !== undefined) problem([...path, 'name'], `duplicate provider name ${file.name}, first defined at providers[${earlier}]`, 'give each provider a name of its own');
    else firstByName.set(file.name, i);
    const providerZones = providerZonesOf(file, path, apexes, problem);
    const provider = file.type === 'builtin' ? builtinEntry(file, path, providerZones, problem) : rfc2136Entry(file, path, providerZones, problem, readSecretFile);
    if (provider === undefined) continue;
    const server = provider.type === 'builtin' ? 'built-in' : `${provider.server.address}:${provider.server.port}`;
    for (const [z, zone] of provider.zones.entries()) {
      const key = `${zone} ${server}`;
      const first = holders.get(key);
      if (first === undefined) holders.set(key, { server, path: [...path, 'zones', z] });
      else problem([...path, 'zones', z], `${zone} on ${server} is already published by ${formatConfigPath(first.path.slice(0, 2))}; both would write one marker`, 'list the zone under one provider per server');
    }
    explicit.push(provider);
  }
  const listed = new Set(explicit.flatMap((p) => p.zones));
  const unlisted = apexes.filter((apex) => !listed.has(apex));
  const builtinAt = explicit.findIndex((p) => p.type === 'builtin');
  if (builtinAt >= 0) {
    const builtin = explicit[builtinAt];
    explicit[builtinAt] = { type: 'builtin', id: BUILTIN_PROVIDER_ID, zones: [...builtin.zones, ...unlisted] };
    return explicit;
  }
  return unlisted.length === 0 ? explicit : [{ type: 'builtin', id: BUILTIN_PROVIDER_ID, zones: unlisted }, ...explicit];
}

function providerZonesOf(file: ProviderFile, path: ConfigPath, apexes: readonly string[], problem: Report): string[] {
  const zones: string[] = [];
  for (const [z, text] of file.zones.entries()) {
    const at = [...path, 'zones', z];
    const parsed = parseConfigName(text);
    if ('reason' in parsed) {
      problem(at, parsed.reason);
      continue;
    }
    if (!apexes.includes(parsed.name)) {
      const close = didYouMean(parsed.name, apexes);
      problem(at, `${parsed.name} is not a configured zone (zones: ${apexes.join(', ')})`, close === undefined ? 'add it under zones, or fix the name' : `did you mean "${close}"?`);
      continue;
    }
    if (zones.includes(parsed.name)) problem(at, `${parsed.name} is listed twice`);
    else zones.push(parsed.name);
  }
  return zones;
}

function builtinEntry(file: ProviderFile, path: ConfigPath, zones: string[], problem: Report): ProviderConfig | undefined {
  if (file.name !== BUILTIN_PROVIDER_ID) {
    problem([...path, 'name'], `the built-in provider is named ${BUILTIN_PROVIDER_ID}, got ${file.name}`, `write name: ${BUILTIN_PROVIDER_ID} (its DNS processes read that id in the store)`);
  }
  for (const key of ['address', 'port', 'tsig', 'timeout'] as const) {
    if (file[key] !== undefined) problem([...path, key], `${key} applies only to rfc2136 providers, not builtin`);
  }
  return { type: 'builtin', id: BUILTIN_PROVIDER_ID, zones };
}

function rfc2136Entry(file: ProviderFile, path: ConfigPath, zones: string[], problem: Report, readSecretFile: ReadSecretFile | undefined): Rfc2136ProviderConfig | undefined {
  if (file.name === BUILTIN_PROVIDER_ID) problem([...path, 'name'], `${BUILTIN_PROVIDER_ID} is the built-in provider's name`, 'name the server, e.g. bind-primary');
  let address: string | undefined;
  if (file.address === undefined) problem(path, 'an rfc2136 provider needs address: the server\'s IP address');
  else {
    address = parseAddress(file.address)?.address;
    if (address === undefined) problem([...path, 'address'], `"${file.address}" is not an IP address`, 'write the server\'s address, e.g. 192.0.2.53 (no host names: the provider must not depend on a resolver)');
  }
  let timeoutMs = 10_000;
  if (file.timeout !== undefined) {
    const ms = parseDuration(file.timeout);
    if (ms === undefined || ms <= 0) problem([...path, 'timeout'], `must be a positive duration, got "${file.timeout}"`, 'write e.g. 10s');
    else timeoutMs = ms;
  }
  const key = tsigKeyOf(file, path, problem, readSecretFile);
  if (address === undefined || key === undefined) return undefined;
  return { type: 'rfc2136', id: file.name, zones, server: { address, port: file.port ?? 53 }, tsig: new ConfigTsigKey(key), timeoutMs };
}

/** The key from `tsig:`; every problem names the key and the config path, never the secret. */
function tsigKeyOf(file: ProviderFile, path: ConfigPath, problem: Report, readSecretFile: ReadSecretFile | undefined): TsigKey | undefined {
  const tsig = file.tsig;
  const at = [...path, 'tsig'];
  if (tsig === undefined) {
    problem(path, 'an rfc2136 provider needs tsig: { name, algorithm, secret_file }', 'updates must be signed (RFC 8945); generate a key with `tsig-keygen -a hmac-sha256 NAME`');
    return undefined;
  }
  if ((tsig.secret === undefined) === (tsig.secret_file === undefined)) {
    problem(at, `key ${tsig.name} needs exactly one of secret or secret_file`, 'prefer secret_file: it keeps the secret out of the config file');
    return undefined;
  }
  const algorithm = tsig.algorithm ?? 'hmac-sha256';
  const fail = (where: ConfigPath, error: unknown): undefined => {
    if (!(error instanceof ResoluteError)) throw error;
    problem(where, error.reason, error.hint);
    return undefined;
  };
  if (tsig.secret !== undefined) {
    try {
      return parseTsigKey(`${tsig.name}:${algorithm}:${tsig.secret}`, formatConfigPath([...at, 'secret']));
    } catch (error) {
      return fail([...at, 'secret'], error);
    }
  }
  const filePath = tsig.secret_file as string;
  const where = [...at, 'secret_file'];
  if (readSecretFile === undefined) {
    problem(where, 'secret_file is read relative to a config file, and this config is not one', 'give the secret inline');
    return undefined;
  }
  const read = readSecretFile(filePath);
  if ('reason' in read) {
    problem(where, `cannot read ${filePath}: ${read.reason}`, 'give the path of the key file, relative to the config file');
    return undefined;
  }
  try {
    return keyFromFile(read.text, tsig.name, tsig.algorithm, filePath);
  } catch (error) {
    return fail(where, error);
  }
}

/** A BIND key file (the key named `name` in it), or the bare base64 secret. */
function keyFromFile(text: string, name: string, algorithm: string | undefined, filePath: string): TsigKey {
  if (!/\bkey\b[^{]*\{/.test(text)) return parseTsigKey(`${name}:${algorithm ?? 'hmac-sha256'}:${text.trim()}`, filePath);
  const keys = parseTsigKeyFile(text, filePath);
  const wanted = canonicalName(name.endsWith('.') ? name : `${name}.`);
  const key = keys.find((k) => k.name === wanted);
  if (key === undefined) {
    throw new ResoluteError('ERR_TSIG_KEY', `${filePath} holds no key ${wanted} (it holds ${keys.map((k) => k.name).join(', ')})`, { hint: 'set tsig.name to the key name in the file' });
  }
  if (algorithm !== undefined && key.algorithm !== algorithm) {
    throw new ResoluteError('ERR_TSIG_KEY', `key ${wanted} in ${filePath} is ${key.algorithm}, not ${algorithm}`, { hint: 'remove tsig.algorithm, or make it match the file' });
  }
  return key;
}

