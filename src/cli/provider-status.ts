/**
 * `resolute status`, per provider: the generation each zone holds, and the foreign names in it
 * (records Resolute did not create and never touches, issue 7).
 *
 * Where the foreign names come from: reconcile's heartbeat, not a DNS read by `status`. Each
 * reconcile step reads every zone back (an AXFR with TSIG, for RFC 2136) and records, in its
 * heartbeat's `foreign` field, the names it found that Resolute did not create, per provider
 * and zone (enact/reconcile.ts). So `status` stays what it was — a read of the store, the same
 * from any machine, needing neither the servers' addresses nor their TSIG secrets, and never
 * slowed by a server that is down — and it says how old that view is. A zone no reconcile has
 * read back (none running yet, or its provider unreachable) has foreign names unknown (null),
 * never "none".
 */
import type { Config } from '../config/config.js';
import { providersOf } from '../config/providers-of.js';
import type { AppliedGeneration, Heartbeat } from '../store/store.js';

export interface ProviderStatus {
  readonly id: string;
  /** From `--config`; absent when status was given none. */
  readonly type?: 'builtin' | 'rfc2136';
  readonly server?: string;
  readonly zones: readonly ZoneStatus[];
}

export interface ZoneStatus {
  readonly zone: string;
  readonly applied: { readonly generation: string; readonly by: string; readonly atMs: number } | null;
  /** As the newest reconcile step saw them; null: no reconcile has read this zone back. */
  readonly foreign: readonly string[] | null;
  readonly foreignSeen: { readonly by: string; readonly atMs: number } | null;
}

export function providerStatus(applied: readonly AppliedGeneration[], heartbeats: readonly Heartbeat[], config: Config | undefined): ProviderStatus[] {
  const reconcile = [...heartbeats].filter((h) => h.role === 'reconcile' && h.foreign !== undefined).sort((a, b) => b.atMs - a.atMs)[0];
  const foreign = new Map(Object.entries(reconcile?.foreign ?? {}));
  const byProvider = new Map<string, { type?: 'builtin' | 'rfc2136'; server?: string; zones: Set<string> }>();
  const entry = (id: string): { type?: 'builtin' | 'rfc2136'; server?: string; zones: Set<string> } => {
    const known = byProvider.get(id);
    if (known !== undefined) return known;
    const created = { zones: new Set<string>() };
    byProvider.set(id, created);
    return created;
  };
  for (const p of config === undefined ? [] : providersOf(config)) {
    const e = entry(p.id);
    e.type = p.type;
    if (p.type === 'rfc2136') e.server = `${p.server.address}:${p.server.port}`;
    for (const zone of p.zones) e.zones.add(zone);
  }
  for (const a of applied) if (a.zone !== null) entry(a.provider).zones.add(a.zone);
  for (const key of foreign.keys()) {
    const [id, zone] = key.split(' ');
    entry(id).zones.add(zone);
  }
  return [...byProvider].map(([id, e]) => ({
    id,
    ...(e.type === undefined ? {} : { type: e.type }),
    ...(e.server === undefined ? {} : { server: e.server }),
    zones: [...e.zones].sort().map((zone) => {
      const row = applied.find((a) => a.provider === id && a.zone === zone);
      return {
        zone,
        applied: row === undefined ? null : { generation: row.generation.toString(), by: row.by, atMs: row.atMs },
        foreign: foreign.get(`${id} ${zone}`) ?? null,
        foreignSeen: reconcile === undefined || !foreign.has(`${id} ${zone}`) ? null : { by: reconcile.id, atMs: reconcile.atMs },
      };
    }),
  }));
}

export function formatProviderStatus(providers: readonly ProviderStatus[], ago: (atMs: number) => string): string[] {
  return providers.flatMap((p) => [
    `  ${p.id}${p.type === undefined ? '' : ` (${p.type}${p.server === undefined ? '' : ` ${p.server}`})`}`,
    ...p.zones.map((z) => {
      const applied = z.applied === null ? 'nothing applied' : `applied ${z.applied.generation} by ${z.applied.by}, ${ago(z.applied.atMs)}`;
      const foreign =
        z.foreign === null || z.foreignSeen === null
          ? 'foreign names unknown (no reconcile has read it back)'
          : `foreign names: ${z.foreign.join(' ') || 'none'} (seen by ${z.foreignSeen.by}, ${ago(z.foreignSeen.atMs)})`;
      return `    ${z.zone}  ${applied}; ${foreign}`;
    }),
  ]);
}
