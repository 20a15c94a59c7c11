/**
 * The /metrics endpoint (node:http): GET /metrics serves the Prometheus text exposition; every
 * other path is 404. Listening on port 0 picks a free port (tests), reported in `port`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ResoluteError } from '../base/errors.js';
import type { Metrics } from './metrics.js';

export interface MetricsServerOptions {
  readonly metrics: Metrics;
  readonly port: number;
  /** Default 127.0.0.1: metrics stay on the machine unless an address is given on purpose. */
  readonly address?: string;
}

export interface MetricsServer {
  readonly port: number;
  readonly address: string;
  close(): Promise<void>;
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const address = options.address ?? '127.0.0.1';
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: metrics are at GET /metrics\n');
      return;
    }
    options.metrics.text().then(
      (text) => response.writeHead(200, { 'content-type': options.metrics.registry.contentType }).end(request.method === 'HEAD' ? undefined : text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics failed: ${error instanceof Error ? error.message : String(error)}\n`),
    );
  });
  await listen(server, options.port, address);
  const bound = server.address() as AddressInfo;
  return {
    port: bound.port,
    address: bound.address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function listen(server: Server, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new ResoluteError('ERR_METRICS_SERVER', `the metrics server cannot listen on ${address}:${port}: ${error.code ?? error.message}`, {
          where: `--metrics-port ${port}`,
          hint: error.code === 'EADDRINUSE' ? 'another process uses that port: pick another --metrics-port' : 'check the address and the permissions',
          cause: error,
        }),
      );
    });
    server.listen(port, address, () => resolve());
  });
}
