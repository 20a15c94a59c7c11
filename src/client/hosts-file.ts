import { isIP } from 'node:net';

/** The addresses /etc/hosts gives one name, each family in file order. */
export interface HostsEntry {
  readonly v4: readonly string[];
  readonly v6: readonly string[];
}

/** Lower-case names without a trailing dot → addresses. */
export type HostsTable = ReadonlyMap<string, HostsEntry>;

/**
 * Parses hosts(5) text: `address name [aliases…]`, `#` comments. Lines with an address that is
 * not an IP are skipped, as glibc skips them. Names match case-insensitively (RFC 4343).
 */
export function parseHostsFile(text: string): HostsTable {
  const table = new Map<string, { v4: string[]; v6: string[] }>();
  for (const rawLine of text.split('\n')) {
    const [address, ...names] = rawLine.replace(/#.*$/, '').trim().split(/\s+/);
    if (address === undefined || names.length === 0) continue;
    const family = isIP(address.replace(/%.*$/, ''));
    if (family === 0) continue;
    for (const rawName of names) {
      const name = rawName.toLowerCase().replace(/\.$/, '');
      if (name.length === 0) continue;
      let entry = table.get(name);
      if (entry === undefined) table.set(name, (entry = { v4: [], v6: [] }));
      const list = family === 4 ? entry.v4 : entry.v6;
      if (!list.includes(address)) list.push(address);
    }
  }
  return table;
}
