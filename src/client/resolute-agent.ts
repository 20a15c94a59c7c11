import http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { systemClock, type Clock } from '../base/clock.js';
import { connectInOrder, type ConnectResolver } from './connect-in-order.js';

export interface ResoluteAgentOptions extends http.AgentOptions {
  readonly resolver: ConnectResolver;
  readonly attemptTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly clock?: Clock;
}

/** The options http.Agent hands createConnection (host, port and what net.connect takes). */
type ConnectionOptions = http.ClientRequestArgs & net.TcpNetConnectOpts;

export function connectionTarget(options: ConnectionOptions): { hostname: string; port: number; family: number } {
  const host = options.host ?? options.hostname ?? 'localhost';
  // http passes a bracketed IPv6 literal through in `host` ('[::1]'); net wants it bare.
  return { hostname: host.replace(/^\[(.*)\]$/, '$1'), port: Number(options.port ?? options.defaultPort ?? 80), family: options.family ?? 0 };
}

/**
 * An http.Agent whose connections go through the resolver and tell it how they went: an address
 * that refused or timed out is tried last for a while (lookup alone never learns that).
 */
export class ResoluteAgent extends http.Agent {
  readonly #resolver: ConnectResolver;
  readonly #timeouts: { attemptTimeoutMs?: number; connectTimeoutMs?: number; clock: Clock };

  constructor({ resolver, attemptTimeoutMs, connectTimeoutMs, clock, ...agentOptions }: ResoluteAgentOptions) {
    super(agentOptions);
    this.#resolver = resolver;
    this.#timeouts = { attemptTimeoutMs, connectTimeoutMs, clock: clock ?? systemClock };
  }

  // http.Agent#createSocket calls this with a callback and uses it when nothing is returned.
  override createConnection(options: http.ClientRequestArgs, callback?: (error: Error | null, socket: Duplex) => void): Duplex | undefined {
    // Without a callback (not http.Agent's own call) there is no way to connect asynchronously.
    if (callback === undefined) return super.createConnection(options) ?? undefined;
    const { localAddress, localPort, keepAlive, keepAliveInitialDelay, noDelay, timeout } = options as ConnectionOptions;
    const target = connectionTarget(options as ConnectionOptions);
    connectInOrder(this.#resolver, target, { localAddress, localPort, keepAlive, keepAliveInitialDelay, noDelay, timeout }, this.#timeouts, (error, socket) =>
      callback(error, socket as Duplex),
    );
    return undefined;
  }
}
