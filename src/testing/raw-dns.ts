/**
 * Raw DNS over UDP and TCP for tests that send what no real client would: malformed packets,
 * pipelined frames, a declared length that never arrives. Loopback only.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { systemClock } from '../base/clock.js';

export interface RawServer {
  readonly address: string;
  readonly port: number;
}

/**
 * Sends one datagram and collects what comes back for `waitMs` (or until the first reply when
 * `firstOnly`). Returns the replies in arrival order; an empty array means nothing was sent back.
 */
export async function sendUdp(server: RawServer, packet: Uint8Array, waitMs: number, firstOnly = true): Promise<Buffer[]> {
  const socket = dgram.createSocket(net.isIPv6(server.address) ? 'udp6' : 'udp4');
  const replies: Buffer[] = [];
  try {
    await new Promise<void>((resolve) => socket.bind(0, server.address, () => resolve()));
    await new Promise<void>((resolve) => {
      const cancel = systemClock.after(waitMs, resolve);
      socket.on('message', (message) => {
        replies.push(message);
        if (firstOnly) {
          cancel();
          resolve();
        }
      });
      socket.send(packet, server.port, server.address);
    });
  } finally {
    socket.close();
  }
  return replies;
}

/** One UDP socket that sends many datagrams and keeps every reply, for floods and batches. */
export class UdpProbe {
  readonly replies: Buffer[] = [];
  private waiter: (() => void) | undefined;

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly server: RawServer,
  ) {
    socket.on('message', (message) => {
      this.replies.push(message);
      this.waiter?.();
    });
  }

  static async open(server: RawServer): Promise<UdpProbe> {
    const socket = dgram.createSocket(net.isIPv6(server.address) ? 'udp6' : 'udp4');
    await new Promise<void>((resolve) => socket.bind(0, server.address, () => resolve()));
    // Replies to a burst must not overflow the default ~200 KB receive buffer (each tiny
    // datagram costs about a kilobyte of it), or the test would lose them, not the server.
    try {
      socket.setRecvBufferSize(4 * 1024 * 1024);
    } catch {
      // not allowed above net.core.rmem_max: keep the default
    }
    return new UdpProbe(socket, server);
  }

  send(packet: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.send(packet, this.server.port, this.server.address, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Resolves when a reply satisfies `predicate` (checked on every reply, old ones included). */
  waitFor(predicate: (reply: Buffer) => boolean, timeoutMs: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.replies.find(predicate);
        if (found === undefined) return;
        cancel();
        this.waiter = undefined;
        resolve(found);
      };
      const cancel = systemClock.after(timeoutMs, () => {
        this.waiter = undefined;
        reject(new Error(`no matching UDP reply within ${timeoutMs} ms (${this.replies.length} replies so far)`));
      });
      this.waiter = check;
      check();
    });
  }

  close(): void {
    this.socket.close();
  }
}

/** A TCP connection that reads 2-octet-framed messages (RFC 1035 §4.2.2) and notes its close. */
export class TcpProbe {
  readonly frames: Buffer[] = [];
  private pending = Buffer.alloc(0);
  private closed = false;
  private readonly listeners = new Set<() => void>();

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.pending = Buffer.concat([this.pending, chunk]);
      while (this.pending.length >= 2) {
        const length = this.pending.readUInt16BE(0);
        if (this.pending.length < 2 + length) break;
        this.frames.push(this.pending.subarray(2, 2 + length));
        this.pending = this.pending.subarray(2 + length);
      }
      this.notify();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  /** `localAddress`: the client's source address (another loopback address is another client). */
  static connect(server: RawServer, timeoutMs = 5_000, localAddress?: string): Promise<TcpProbe> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: server.address, port: server.port, noDelay: true, ...(localAddress === undefined ? {} : { localAddress }) });
      const cancel = systemClock.after(timeoutMs, () => {
        socket.destroy();
        reject(new Error(`TCP connect to ${server.address}:${server.port} timed out`));
      });
      socket.once('connect', () => {
        cancel();
        resolve(new TcpProbe(socket));
      });
      socket.once('error', (error) => {
        cancel();
        reject(error);
      });
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Writes raw octets (frame them yourself with frame(), or not). */
  write(octets: Uint8Array): void {
    this.socket.write(octets);
  }

  /** Resolves once `count` frames have arrived; rejects when the connection closes first or time runs out. */
  waitForFrames(count: number, timeoutMs: number): Promise<Buffer[]> {
    return this.waitUntil(() => this.frames.length >= count, () => this.closed, timeoutMs, `${count} frames`).then(() => this.frames.slice(0, count));
  }

  /** Resolves once the server has closed the connection; rejects after `timeoutMs`. */
  waitForClose(timeoutMs: number): Promise<void> {
    return this.waitUntil(() => this.closed, () => false, timeoutMs, 'the connection to close');
  }

  close(): void {
    this.socket.destroy();
  }

  private waitUntil(isDone: () => boolean, hasFailed: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (isDone()) {
          finish();
          resolve();
        } else if (hasFailed()) {
          finish();
          reject(new Error(`the connection closed before ${what} (${this.frames.length} frames received)`));
        }
      };
      const cancel = systemClock.after(timeoutMs, () => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${this.frames.length} frames, closed: ${this.closed})`));
      });
      const finish = (): void => {
        cancel();
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** A message behind its 2-octet length. */
export function frame(message: Uint8Array): Buffer {
  const out = Buffer.alloc(2 + message.length);
  out.writeUInt16BE(message.length, 0);
  out.set(message, 2);
  return out;
}
