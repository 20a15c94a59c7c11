/**
 * The TCP listener (RFC 7766): messages framed by a 2-octet length (RFC 1035 §4.2.2), several
 * queries pipelined on one connection and answered in order, an idle timeout, a cap on
 * connections — in all and per client address — and on the length a client may announce.
 */
import net from 'node:net';
import type { Clock } from '../../base/clock.js';
import { channels } from '../../base/events.js';
import { answerQuery, type AnswerState } from './answer.js';
import { Transport } from './transport.js';

export interface TcpLimits {
  /** A connection with no complete query for this long is closed (RFC 7766 §6.2.3). */
  readonly idleMs: number;
  /** Connections beyond this are refused at accept time, so a flood cannot exhaust memory. */
  readonly connectionsMax: number;
  /**
   * Connections from one client address beyond this are closed at accept time, so one client
   * cannot take every slot of `connectionsMax` from the others (RFC 7766 §6.2.2 asks servers
   * to protect themselves from clients holding many connections).
   */
  readonly connectionsPerClientMax: number;
  /** A message announced longer than this closes the connection: a query is never that long. */
  readonly messageOctetsMax: number;
}

export const DEFAULT_TCP_LIMITS: TcpLimits = Object.freeze({
  idleMs: 10_000,
  connectionsMax: 1_000,
  // A tenth of the slots: room for a resolver farm behind one NAT address, not for all of them.
  connectionsPerClientMax: 100,
  messageOctetsMax: 16_384,
});

export async function listenTcp(
  address: string,
  port: number,
  state: AnswerState,
  limits: TcpLimits,
  clock: Clock,
): Promise<net.Server> {
  const perClient = new ClientConnectionCounts(limits.connectionsPerClientMax);
  const server = net.createServer({ noDelay: true }, (socket) => {
    if (!perClient.admit(socket)) {
      socket.destroy();
      return;
    }
    serveConnection(socket, state, limits, clock);
  });
  server.maxConnections = limits.connectionsMax;
  server.on('error', (error) => channels.dnsServerError.publish({ transport: 'tcp', error }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port, exclusive: false, ipv6Only: net.isIPv6(address) }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** Open connections per client address; a connection over the cap is not admitted. */
class ClientConnectionCounts {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  admit(socket: net.Socket): boolean {
    const client = socket.remoteAddress ?? '';
    const count = this.open.get(client) ?? 0;
    if (count >= this.max) return false;
    this.open.set(client, count + 1);
    socket.once('close', () => {
      const left = (this.open.get(client) ?? 1) - 1;
      if (left === 0) this.open.delete(client);
      else this.open.set(client, left);
    });
    return true;
  }
}

function serveConnection(socket: net.Socket, state: AnswerState, limits: TcpLimits, clock: Clock): void {
  let pending: Buffer = Buffer.alloc(0);
  // While a zone transfer streams its messages, later queries wait: answers go out in order.
  let isStreaming = false;
  // Idle means no complete query for idleMs (RFC 7766 §6.2.3) — not "no byte": a client that
  // trickles one byte at a time must not hold a connection slot forever.
  let cancelIdle = clock.after(limits.idleMs, () => socket.destroy());
  const completeQuery = (): void => {
    cancelIdle();
    cancelIdle = clock.after(limits.idleMs, () => socket.destroy());
  };
  socket.on('close', () => cancelIdle());
  socket.on('error', () => socket.destroy());
  const drain = (): void => {
    while (!isStreaming && !socket.isPaused() && pending.length >= 2) {
      const length = pending.readUInt16BE(0);
      if (length > limits.messageOctetsMax || length < 12) {
        // Too long to be a query, or too short to have a header: nothing sane can follow.
        socket.destroy();
        return;
      }
      if (pending.length < 2 + length) break;
      const query = pending.subarray(2, 2 + length);
      pending = pending.subarray(2 + length);
      completeQuery();
      let response: Uint8Array | null;
      try {
        // AXFR and IXFR are several messages (RFC 5936 §2.2): dns/xfr produces them.
        const transfer = state.transfers?.respondOverTcp(query, socket.remoteAddress ?? '', state.table);
        if (transfer !== undefined) {
          isStreaming = true;
          writeStream(socket, transfer).then(
            () => {
              isStreaming = false;
              drain();
            },
            (error: unknown) => {
              channels.dnsServerError.publish({ transport: 'tcp', error, remote: socket.remoteAddress });
              socket.destroy();
            },
          );
          return;
        }
        response = answerQuery(query, state, Transport.TCP);
      } catch (error) {
        channels.dnsServerError.publish({ transport: 'tcp', error, remote: socket.remoteAddress });
        socket.destroy();
        return;
      }
      if (response === null) continue;
      // Backpressure: a client that does not read its answers stops being read from, and its
      // queries already received wait (the loop stops while paused) until it reads again.
      if (!socket.write(frame(response))) {
        socket.pause();
        socket.once('drain', () => {
          socket.resume();
          drain();
        });
      }
    }
  };
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    // What a paused client may pile up is bounded: a few queries' worth, then it is cut off.
    if (pending.length > 4 * (2 + limits.messageOctetsMax)) {
      socket.destroy();
      return;
    }
    drain();
  });
}

function frame(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(2 + message.length);
  out.writeUInt16BE(message.length, 0);
  out.set(message, 2);
  return out;
}

/** Writes each message as it is produced, waiting for the socket to drain when it is full. */
async function writeStream(socket: net.Socket, messages: Iterable<Uint8Array>): Promise<void> {
  for (const message of messages) {
    if (socket.destroyed) return;
    if (!socket.write(frame(message))) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.once('drain', done);
        socket.once('close', done);
      });
    }
  }
}
