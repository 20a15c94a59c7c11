/**
 * The real Resolute authoritative server, in-process on a loopback port, serving one zone given
 * as master-file text — for tests that need a DNS server whose zone they change under a client.
 */
import { seededRandom } from '../base/random.js';
import { startDnsServer, type DnsServer } from '../dns/server/dns-server.js';
import { parseMasterFile } from '../dns/zone/master-file.js';
import { buildZone } from '../dns/zone/zone.js';
import { buildZoneTable, setZoneAvailability } from '../dns/zone/table-builder.js';
import type { ZoneTable } from '../dns/zone/zone-table.js';

export interface ZoneServer {
  readonly address: string;
  readonly port: number;
  /** Serves this zone text from now on (same origin or another). */
  replaceZone(zoneText: string): void;
  /** Every query in the zone gets SERVFAIL, as from a server whose zone failed to load. */
  setUnavailable(): void;
  /** Stops listening; the port is free until restart(). */
  stop(): Promise<void>;
  /** Listens again on the same port with the zone it had. */
  restart(): Promise<void>;
  /** The server as it runs now (undefined while stopped). */
  readonly server: DnsServer | undefined;
}

export function tableFromText(zoneText: string, version = 0n): ZoneTable {
  const file = parseMasterFile(zoneText, { file: 'test.zone' });
  return buildZoneTable([buildZone(file.origin, file.records, 'test.zone', file.lines)], { version });
}

export async function startZoneServer(zoneText: string, options: { address?: string; port?: number } = {}): Promise<ZoneServer> {
  const address = options.address ?? '127.0.0.1';
  let table = tableFromText(zoneText);
  let version = 0n;
  const start = (port: number): Promise<DnsServer> => startDnsServer({ address, port, table, random: seededRandom(7) });
  let server: DnsServer | undefined = await start(options.port ?? 0);
  const port = server.port;
  return {
    address,
    port,
    get server() {
      return server;
    },
    replaceZone(text) {
      table = tableFromText(text, ++version);
      server?.setTable(table);
    },
    setUnavailable() {
      table = setZoneAvailability(table, table.zones[0].origin, false);
      server?.setTable(table);
    },
    async stop() {
      await server?.close();
      server = undefined;
    },
    async restart() {
      if (server === undefined) server = await start(port);
    },
  };
}
