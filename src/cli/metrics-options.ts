/**
 * `--metrics-port P [--metrics-address A]` for the long-running commands (`run`, `up`): one
 * line to add the options, one to start the endpoint. The metrics subscribe to the diagnostics
 * channels of this process and read the store at each scrape (api/README.md).
 */
import type { Command } from 'commander';
import { createMetrics } from '../api/metrics.js';
import { startMetricsServer, type MetricsServer } from '../api/metrics-server.js';
import type { Store } from '../store/store.js';
import { parseIntegerOption } from './options.js';

export interface MetricsCliOptions {
  readonly metricsPort?: number;
  readonly metricsAddress: string;
}

export function addMetricsOptions(command: Command, defaultPort?: number): Command {
  return command
    .option('--metrics-port <port>', 'serve Prometheus metrics at http://ADDRESS:PORT/metrics (0: any free port)', parseIntegerOption('--metrics-port', 0, 65535), defaultPort)
    .option('--metrics-address <address>', 'the address of the metrics endpoint', '127.0.0.1');
}

/** Starts the endpoint when --metrics-port was given; `close` stops it and unsubscribes. */
export async function startMetrics(options: MetricsCliOptions, store: Store): Promise<(MetricsServer & { readonly close: () => Promise<void> }) | undefined> {
  if (options.metricsPort === undefined) return undefined;
  const metrics = createMetrics({ store });
  try {
    const server = await startMetricsServer({ metrics, port: options.metricsPort, address: options.metricsAddress });
    return {
      port: server.port,
      address: server.address,
      close: async () => {
        await server.close();
        metrics.close();
      },
    };
  } catch (error) {
    metrics.close();
    throw error;
  }
}
