/**
 * An authoritative DNS server on one address and port, UDP and TCP, answering from a zone
 * table that `setTable` replaces whole (CONVENTIONS rule 12).
 */
import type dgram from 'node:dgram';
import type net from 'node:net';
import { systemClock, type Clock } from '../../base/clock.js';
import { ResoluteError } from '../../base/errors.js';
import type { Random } from '../../base/random.js';
import { channels } from '../../base/events.js';
import type { ZoneTransfers } from '../xfr/zone-transfers.js';
import type { ZoneTable } from '../zone/zone-table.js';
import type { AnswerState } from './answer.js';
import { listenTcp, DEFAULT_TCP_LIMITS, type TcpLimits } from './tcp.js';
import { listenUdp } from './udp.js';

export interface DnsServerOptions {
  readonly address: string;
  /** 0 picks a free port (the same for UDP and TCP). */
  readonly port: number;
  readonly table: ZoneTable;
  readonly random: Random;
  /** Times TCP idle connections (default: the system clock). */
  readonly clock?: Clock;
  /** Largest UDP response, whatever the client offers (default 1232, RFC 9715). */
  readonly udpPayloadMax?: number;
  readonly tcp?: Partial<TcpLimits>;
  /** CHAOS TXT answers, e.g. `version.bind.` → `resolute 0.1.0`; none by default. */
  readonly chaos?: ReadonlyMap<string, string>;
  /** AXFR, IXFR, TSIG and NOTIFY handling (dns/xfr); absent: transfers are REFUSED. */
  readonly transfers?: ZoneTransfers;
}

export interface DnsServer {
  readonly address: string;
  readonly port: number;
  /** The table being served. */
  readonly table: ZoneTable;
  /** Serves `table` from now on; queries in flight finish on the table they started with. */
  setTable(table: ZoneTable): void;
  close(): Promise<void>;
}

export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const state: AnswerState = {
    table: options.table,
    limits: { udpPayloadMax: Math.max(512, options.udpPayloadMax ?? 1232), random: options.random },
    chaos: options.chaos ?? new Map(),
    transfers: options.transfers,
  };
  const tcpLimits = { ...DEFAULT_TCP_LIMITS, ...options.tcp };
  const { udp, tcp, port } = await bindBoth(options.address, options.port, state, tcpLimits, options.clock ?? systemClock);
  return {
    address: options.address,
    port,
    get table() {
      return state.table;
    },
    setTable(table) {
      state.table = table;
      channels.dnsTableSwapped.publish({ version: table.version, port });
    },
    async close() {
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}

/** Binds UDP then TCP on the same port; with port 0, retries when TCP finds it taken. */
async function bindBoth(
  address: string,
  port: number,
  state: AnswerState,
  tcpLimits: TcpLimits,
  clock: Clock,
): Promise<{ udp: dgram.Socket; tcp: net.Server; port: number }> {
  for (let attempt = 0; ; attempt++) {
    let udp: dgram.Socket;
    try {
      udp = await listenUdp(address, port, state);
    } catch (error) {
      throw startError('UDP', address, port, error);
    }
    const bound = udp.address().port;
    try {
      const tcp = await listenTcp(address, bound, state, tcpLimits, clock);
      return { udp, tcp, port: bound };
    } catch (error) {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      if (port !== 0 || attempt >= 10) throw startError('TCP', address, bound, error);
    }
  }
}

function startError(transport: string, address: string, port: number, error: unknown): ResoluteError {
  const code = (error as NodeJS.ErrnoException).code;
  const hint =
    code === 'EADDRINUSE'
      ? 'another process holds this port: stop it or pick another --port'
      : code === 'EACCES'
        ? 'ports below 1024 need privileges: pick a port above 1024'
        : code === 'EADDRNOTAVAIL'
          ? 'this machine has no such address: use 127.0.0.1 or ::1'
          : 'check --address and --port';
  return new ResoluteError('ERR_SERVER_START', `cannot listen on ${transport} ${address} port ${port}: ${code ?? String(error)}`, {
    hint,
    cause: error,
  });
}
