import https from 'node:https';
import type net from 'node:net';
import type tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { systemClock, type Clock } from '../base/clock.js';
import { connectInOrder, type ConnectResolver } from './connect-in-order.js';
import { connectionTarget } from './resolute-agent.js';

export interface ResoluteHttpsAgentOptions extends https.AgentOptions {
  readonly resolver: ConnectResolver;
  readonly attemptTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly clock?: Clock;
}

type ConnectionOptions = https.RequestOptions & tls.ConnectionOptions & net.TcpNetConnectOpts;

/**
 * https.Agent with ResoluteAgent's connect feedback: TCP is connected through the resolver, then
 * https.Agent's own createConnection wraps that socket in TLS (keeping its session cache and
 * its servername, the hostname — never the address).
 */
export class ResoluteHttpsAgent extends https.Agent {
  readonly #resolver: ConnectResolver;
  readonly #timeouts: { attemptTimeoutMs?: number; connectTimeoutMs?: number; clock: Clock };

  constructor({ resolver, attemptTimeoutMs, connectTimeoutMs, clock, ...agentOptions }: ResoluteHttpsAgentOptions) {
    super(agentOptions);
    this.#resolver = resolver;
    this.#timeouts = { attemptTimeoutMs, connectTimeoutMs, clock: clock ?? systemClock };
  }

  override createConnection(requestOptions: https.RequestOptions, callback?: (error: Error | null, socket: Duplex) => void): Duplex | undefined {
    if (callback === undefined) return super.createConnection(requestOptions) ?? undefined;
    const options = requestOptions as ConnectionOptions;
    const { localAddress, localPort, keepAlive, keepAliveInitialDelay, noDelay, timeout } = options;
    const target = connectionTarget({ ...options, defaultPort: options.defaultPort ?? 443 });
    connectInOrder(this.#resolver, target, { localAddress, localPort, keepAlive, keepAliveInitialDelay, noDelay, timeout }, this.#timeouts, (error, socket) => {
      if (error !== null || socket === undefined) return callback(error, undefined as unknown as Duplex);
      // https.Agent's createConnection is tls.connect plus its session cache; given `socket`,
      // TLS runs over our connected socket.
      const tlsSocket = super.createConnection({ ...options, socket } as https.RequestOptions);
      callback(null, tlsSocket as Duplex);
    });
    return undefined;
  }
}
