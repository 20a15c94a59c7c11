/**
 * The demo's targets for `resolute up`: small HTTP servers on loopback addresses, each
 * answering `GET /health` with 200. `kill` closes a target's listener (and its connections),
 * so its health check fails like a dead host's; `revive` listens again on the same address and
 * port. A control server on 127.0.0.1 lets `resolute demo kill|revive` reach them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DemoTarget {
  /** `east-1`, `west-2`, … */
  readonly name: string;
  readonly region: string;
  readonly address: string;
  readonly port: number;
}

export class DemoTargets {
  private readonly servers = new Map<string, http.Server>();

  private constructor(readonly targets: readonly DemoTarget[]) {}

  static async start(targets: readonly DemoTarget[]): Promise<DemoTargets> {
    const demo = new DemoTargets(targets);
    for (const target of targets) await demo.revive(target.name);
    return demo;
  }

  isKnown(name: string): boolean {
    return this.targets.some((t) => t.name === name);
  }

  async kill(name: string): Promise<void> {
    const server = this.servers.get(name);
    if (server === undefined) return;
    this.servers.delete(name);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async revive(name: string): Promise<void> {
    const target = this.targets.find((t) => t.name === name);
    if (target === undefined || this.servers.has(name)) return;
    const server = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
      response.end(`${target.name} (${target.region}) ok\n`);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: target.address, port: target.port, exclusive: true }, () => resolve());
    });
    this.servers.set(name, server);
  }

  async close(): Promise<void> {
    await Promise.all([...this.servers.keys()].map((name) => this.kill(name)));
  }
}

/** `POST /targets/<name>/kill` and `/revive` on 127.0.0.1 (port 0: the OS picks). */
export async function startDemoControl(targets: DemoTargets): Promise<{ readonly port: number; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    const match = /^\/targets\/([\w-]+)\/(kill|revive)$/.exec(request.url ?? '');
    const reply = (status: number, text: string): void => {
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(`${text}\n`);
    };
    if (request.method !== 'POST' || match === null) return reply(404, 'use POST /targets/<name>/kill or /revive');
    const [, name, action] = match;
    if (!targets.isKnown(name)) return reply(404, `no demo target '${name}'; the targets are ${targets.targets.map((t) => t.name).join(', ')}`);
    const done = action === 'kill' ? targets.kill(name) : targets.revive(name);
    done.then(
      () => reply(200, action === 'kill' ? `${name} stopped: its health check fails from now on` : `${name} answers again: it comes back through the recovery ramp`),
      (error: unknown) => reply(500, `${name}: ${error instanceof Error ? error.message : String(error)}`),
    );
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
