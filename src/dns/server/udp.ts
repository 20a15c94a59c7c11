/**
 * The UDP listener: each datagram goes through the query path and its response, if any, goes
 * back to the sender. Nothing is awaited and nothing is queued: a datagram is answered in the
 * same turn of the event loop it arrived in.
 */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { channels } from '../../base/events.js';
import { answerQuery, type AnswerState } from './answer.js';
import { Transport } from './transport.js';

/** Enough for bursts from many clients at once; the kernel caps it at net.core.rmem_max. */
const RECEIVE_BUFFER_OCTETS = 4 * 1024 * 1024;

export async function listenUdp(address: string, port: number, state: AnswerState): Promise<dgram.Socket> {
  // In a cluster worker, exclusive: false lets every worker read the one shared socket.
  const socket = dgram.createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4', ipv6Only: isIPv6(address) });
  socket.on('message', (query, remote) => {
    // Port 0 cannot be answered (and only a forged source has it): drop before any work.
    if (remote.port === 0) return;
    try {
      const response = answerQuery(query, state, Transport.UDP);
      if (response !== null) socket.send(response, remote.port, remote.address);
    } catch (error) {
      // A bug in the query path, or a send the kernel refuses at once, must cost one answer,
      // never the server.
      channels.dnsServerError.publish({ transport: 'udp', error, remote: remote.address });
    }
  });
  socket.on('error', (error) => channels.dnsServerError.publish({ transport: 'udp', error }));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address, port, exclusive: false }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  try {
    socket.setRecvBufferSize(RECEIVE_BUFFER_OCTETS);
  } catch {
    // Not allowed to grow it: the default still works, with more loss under bursts.
  }
  return socket;
}
