import type net from 'node:net';
import tls from 'node:tls';
import { systemClock, type Clock } from '../base/clock.js';
import { connectInOrder, type ConnectResolver } from './connect-in-order.js';

/** What undici passes a `connect` function (undici's buildConnector.Options at call time). */
export interface ConnectorCall {
  readonly hostname: string;
  readonly host?: string;
  readonly protocol: string;
  readonly port: string | number;
  readonly servername?: string | null;
  readonly localAddress?: string | null;
  readonly httpSocket?: net.Socket;
}

/** undici's buildConnector.Callback: a socket, or an error — never both. */
export type ConnectorCallback = (...args: [null, net.Socket | tls.TLSSocket] | [Error, null]) => void;

export type Connector = (call: ConnectorCall, callback: ConnectorCallback) => void;

export interface ConnectorOptions {
  readonly attemptTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  /** TLS options for https origins (ca, cert, rejectUnauthorized, …). */
  readonly tls?: tls.ConnectionOptions;
  /** Offer HTTP/2 by ALPN, as undici's `allowH2`. */
  readonly allowH2?: boolean;
  readonly clock?: Clock;
}

/**
 * A `connect` function for undici (`new Agent({ connect: createConnector(resolver) })`), with
 * the same call shape as undici's buildConnector result, that connects through the resolver and
 * reports every connect outcome to it. Dependency-free: undici is not imported.
 */
export function createConnector(resolver: ConnectResolver, options: ConnectorOptions = {}): Connector {
  const timeouts = { attemptTimeoutMs: options.attemptTimeoutMs, connectTimeoutMs: options.connectTimeoutMs, clock: options.clock ?? systemClock };
  return (call, callback) => {
    const isHttps = call.protocol === 'https:';
    const hostname = call.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(call.port === '' || call.port === undefined ? (isHttps ? 443 : 80) : call.port);
    const secure = (socket: net.Socket): void => {
      if (!isHttps) return callback(null, socket);
      const servername = call.servername ?? (hostname.includes(':') || /^[\d.]+$/.test(hostname) ? undefined : hostname);
      const alpn = options.allowH2 === true ? ['http/1.1', 'h2'] : ['http/1.1'];
      const tlsSocket = tls.connect({ ...options.tls, socket, servername: servername ?? undefined, ALPNProtocols: alpn });
      const onError = (error: Error): void => {
        tlsSocket.destroy();
        callback(error, null);
      };
      tlsSocket.once('error', onError);
      tlsSocket.once('secureConnect', () => {
        tlsSocket.off('error', onError);
        callback(null, tlsSocket);
      });
    };
    // Behind a proxy undici hands us the tunnel; only TLS remains to be done.
    if (call.httpSocket !== undefined) return secure(call.httpSocket);
    const socketOptions = { localAddress: call.localAddress ?? undefined, noDelay: true, keepAlive: true, keepAliveInitialDelay: 60_000 };
    connectInOrder(resolver, { hostname, port }, socketOptions, timeouts, (error, socket) => {
      if (error !== null || socket === undefined) return callback(error ?? new Error('no socket'), null);
      secure(socket);
    });
  };
}
