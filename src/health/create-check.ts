import { readFile } from 'node:fs/promises';
import type { Random } from '../base/random.js';
import type { TargetConfig } from '../config/config.js';
import type { Check } from './check.js';
import { dnsProbe } from './dns-probe.js';
import { httpProbe } from './http-probe.js';
import { tcpProbe } from './tcp-probe.js';

/**
 * The runnable check of a configured target, or undefined for a target without a check (it
 * is always taken as healthy). Reads `ca_file` once here, not on every probe. `random` gives DNS
 * query IDs: pass systemRandom in production (IDs must be unpredictable, RFC 5452 §9.2).
 */
export async function createCheck(target: TargetConfig, random: Random): Promise<Check | undefined> {
  const check = target.check;
  if (check === undefined) return undefined;
  const { intervalMs, timeoutMs, rise, fall } = check;
  const common = { key: target.key, intervalMs, timeoutMs, rise, fall };
  switch (check.type) {
    case 'tcp':
      return { ...common, probe: (signal) => tcpProbe(target.address, check.port, signal) };
    case 'http':
    case 'https': {
      const ca = check.caFile === undefined ? undefined : await readFile(check.caFile);
      return { ...common, probe: (signal) => httpProbe(check, target.address, signal, ca) };
    }
    case 'dns':
      return { ...common, probe: (signal) => dnsProbe(check, target.address, signal, random) };
  }
}

/** One check per target key across every endpoint (a key shared by endpoints is probed once). */
export async function createChecks(targets: Iterable<TargetConfig>, random: Random): Promise<Check[]> {
  const byKey = new Map<string, TargetConfig>();
  for (const target of targets) if (!byKey.has(target.key)) byKey.set(target.key, target);
  const checks = await Promise.all([...byKey.values()].map((target) => createCheck(target, random)));
  return checks.filter((c): c is Check => c !== undefined);
}
