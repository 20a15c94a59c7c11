import net from 'node:net';
import type { Clock } from '../base/clock.js';
import type { ConnectOutcome } from './connect-penalties.js';
import type { DnsLookup } from './create-resolver.js';

/** What connecting needs from a resolver: its addresses, and an ear for how connecting went. */
export interface ConnectResolver {
  readonly lookup: DnsLookup;
  reportConnect(address: string, outcome: ConnectOutcome): void;
}

export interface ConnectTimeouts {
  /** How long one address may take before the next is tried. Default 1000 ms. */
  readonly attemptTimeoutMs?: number;
  /** How long the last address may take (undici's connect timeout). Default 10 000 ms. */
  readonly connectTimeoutMs?: number;
  readonly clock: Clock;
}

export interface ConnectTarget {
  readonly hostname: string;
  readonly port: number;
  /** 0, 4 or 6, as net.connect's `family`. */
  readonly family?: number;
}

/** Socket options passed through to net.connect for every attempt. */
export type SocketOptions = Pick<net.TcpNetConnectOpts, 'localAddress' | 'localPort' | 'keepAlive' | 'keepAliveInitialDelay' | 'noDelay' | 'timeout'>;

function timedOut(address: string, port: number): NodeJS.ErrnoException {
  return Object.assign(new Error(`connect ETIMEDOUT ${address}:${port}`), { code: 'ETIMEDOUT', syscall: 'connect', address, port });
}

/**
 * Connects to the first address of `hostname` that accepts, in the resolver's order (addresses
 * that recently refused or timed out come last), and reports every outcome back to the resolver.
 * Each address but the last gets `attemptTimeoutMs`, like Node's autoSelectFamily attempts; the
 * last gets the whole `connectTimeoutMs`. Calls back once: the connected socket, or the last error.
 */
export function connectInOrder(
  resolver: ConnectResolver,
  target: ConnectTarget,
  socketOptions: SocketOptions,
  timeouts: ConnectTimeouts,
  callback: (error: Error | null, socket?: net.Socket) => void,
): void {
  resolver.lookup(target.hostname, { all: true, family: target.family ?? 0 }, (lookupError, addresses) => {
    if (lookupError !== null) return callback(lookupError);
    const attempt = (i: number, lastError: Error | undefined): void => {
      if (i === addresses.length) return callback(lastError ?? new Error(`no address for ${target.hostname}`));
      const { address } = addresses[i];
      const isLast = i === addresses.length - 1;
      const socket = net.connect({ ...socketOptions, host: address, port: target.port });
      const onError = (error: Error): void => {
        cancelTimer();
        socket.destroy();
        resolver.reportConnect(address, 'refused');
        attempt(i + 1, error);
      };
      const cancelTimer = timeouts.clock.after(isLast ? (timeouts.connectTimeoutMs ?? 10_000) : (timeouts.attemptTimeoutMs ?? 1000), () => {
        socket.off('error', onError);
        socket.destroy();
        resolver.reportConnect(address, 'timed-out');
        attempt(i + 1, timedOut(address, target.port));
      });
      socket.once('error', onError);
      socket.once('connect', () => {
        cancelTimer();
        socket.off('error', onError);
        resolver.reportConnect(address, 'connected');
        callback(null, socket);
      });
    };
    attempt(0, undefined);
  });
}
