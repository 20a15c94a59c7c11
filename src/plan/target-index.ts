import type { Config } from '../config/config.js';

const cache = new WeakMap<Config, ReadonlyMap<string, readonly string[]>>();

/**
 * Target key → the names that use it, so a health change on one target re-plans only those
 * names. Built once per config (configs are frozen, so the cache by identity is safe).
 */
export function targetIndex(config: Config): ReadonlyMap<string, readonly string[]> {
  let index = cache.get(config);
  if (index === undefined) {
    const built = new Map<string, string[]>();
    for (const endpoint of config.endpoints) {
      for (const target of endpoint.targets) {
        const names = built.get(target.key);
        if (names === undefined) built.set(target.key, [endpoint.name]);
        else names.push(endpoint.name);
      }
    }
    index = built;
    cache.set(config, index);
  }
  return index;
}
