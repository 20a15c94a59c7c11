/**
 * The demo that `resolute up` writes into its data directory the first time (and reuses after):
 * `demo.yaml` (examples/ style: zone demo.test, api.demo.test failing over from east to west,
 * HTTP checks every second) and `demo-targets.json` (the targets' loopback addresses and the
 * ports chosen free for them). Edit demo.yaml and run `resolute reload` to see a reload.
 */
import { existsSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { readJsonFile } from './data-dir-files.js';
import type { DemoTarget } from './demo-targets.js';

export const DEMO_CONFIG_FILE = 'demo.yaml';
const DEMO_TARGETS_FILE = 'demo-targets.json';

/** Loopback addresses (Linux routes all of 127/8 to lo), so each target is its own "host". */
const TARGETS: readonly Omit<DemoTarget, 'port'>[] = [
  { name: 'east-1', region: 'east', address: '127.0.0.11' },
  { name: 'east-2', region: 'east', address: '127.0.0.12' },
  { name: 'west-1', region: 'west', address: '127.0.0.21' },
  { name: 'west-2', region: 'west', address: '127.0.0.22' },
];

/** The demo's targets and config file, written on a first start. */
export async function ensureDemo(dataDir: string): Promise<{ readonly configFile: string; readonly targets: readonly DemoTarget[] }> {
  const configFile = path.join(dataDir, DEMO_CONFIG_FILE);
  const targetsFile = path.join(dataDir, DEMO_TARGETS_FILE);
  let targets = readJsonFile<DemoTarget[]>(targetsFile);
  if (targets === undefined || !existsSync(configFile)) {
    targets = [];
    for (const t of TARGETS) targets.push({ ...t, port: await freeTcpPort(t.address) });
    writeFileSync(targetsFile, `${JSON.stringify(targets, null, 2)}\n`);
    writeFileSync(configFile, demoConfigText(targets));
  }
  return { configFile, targets };
}

function demoConfigText(targets: readonly DemoTarget[]): string {
  const lines = targets.map(
    (t) => `      - { address: ${t.address}, region: ${t.region}, weight: 100, check: { type: http, port: ${t.port}, path: /health, interval: 1s, timeout: 500ms, rise: 2, fall: 2 } }  # ${t.name}`,
  );
  return [
    '# The demo of `resolute up`: api.demo.test is served from east while at least half of east is',
    '# healthy, from west otherwise, and back to east once 75% of it is healthy again.',
    '# Edit it and run `resolute reload --data-dir <this directory>`.',
    'zones:',
    '  - apex: demo.test',
    '    nameservers: [ns1.demo.test]',
    '    negative_ttl: 5',
    '    records:',
    '      - { name: ns1.demo.test, type: A, value: 127.0.0.1 }',
    'endpoints:',
    '  - name: api.demo.test',
    '    type: A',
    '    ttl: 5',
    '    policy: failover',
    '    failover: { primary: east, secondary: west, min_healthy_fraction: 0.5, failback_fraction: 0.75 }',
    '    targets:',
    ...lines,
    'health:',
    '  checkers: 1',
    '  quorum: 1',
    '',
  ].join('\n');
}

function freeTcpPort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host: address, port: 0, exclusive: true }, () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}
