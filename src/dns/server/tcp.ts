/**
 * The TCP listener (RFC 7766): messages framed by a 2-octet length (RFC 1035 §4.2.2), several
 * queries pipelined on one connection and answered in order, an idle timeout, a cap on
 * connections and on the length a client may announce.
 */
import net from 'node:net';
import { channels } from '../../base/events.js';
import { answerQuery, type AnswerState } from './answer.js';
import { Transport } from './transport.js';

export interface TcpLimits {
  /** A connection with no complete query for this long is closed (RFC 7766 §6.2.3). */
  readonly idleMs: number;
  /** Connections beyond this are refused at accept time, so a flood cannot exhaust memory. */
  readonly connectionsMax: number;
  /** A message announced longer than this closes the connection: a query is never that long. */
  readonly messageOctetsMax: number;
}

export const DEFAULT_TCP_LIMITS: TcpLimits = Object.freeze({
  idleMs: 10_000,
  connectionsMax: 1_000,
  messageOctetsMax: 16_384,
});

export async function listenTcp(address: string, port: number, state: AnswerState, limits: TcpLimits): Promise<net.Server> {
  const server = net.createServer({ noDelay: true }, (socket) => serveConnection(socket, state, limits));
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

function serveConnection(socket: net.Socket, state: AnswerState, limits: TcpLimits): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.setTimeout(limits.idleMs, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 2) {
      const length = pending.readUInt16BE(0);
      if (length > limits.messageOctetsMax || length < 12) {
        // Too long to be a query, or too short to have a header: nothing sane can follow.
        socket.destroy();
        return;
      }
      if (pending.length < 2 + length) break;
      const query = pending.subarray(2, 2 + length);
      pending = pending.subarray(2 + length);
      let response: Uint8Array | null;
      try {
        response = answerQuery(query, state, Transport.TCP);
      } catch (error) {
        channels.dnsServerError.publish({ transport: 'tcp', error, remote: socket.remoteAddress });
        socket.destroy();
        return;
      }
      if (response === null) continue;
      const frame = Buffer.allocUnsafe(2 + response.length);
      frame.writeUInt16BE(response.length, 0);
      frame.set(response, 2);
      // Backpressure: a client that does not read its answers stops being read from.
      if (!socket.write(frame)) {
        socket.pause();
        socket.once('drain', () => socket.resume());
      }
    }
  });
}
