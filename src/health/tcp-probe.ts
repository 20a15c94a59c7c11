import { connect } from 'node:net';
import type { ProbeResult } from './check.js';

/**
 * TCP connect check: up when the three-way handshake completes. The socket is then reset, not
 * closed: a RST leaves no TIME_WAIT behind, so 10,000 probes a second do not run the machine
 * out of ephemeral ports (HAProxy's tcp-check closes the same way).
 */
export function tcpProbe(address: string, port: number, signal: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve({ isUp: false, detail: 'timeout' });
      return;
    }
    const socket = connect({ host: address, port });
    const finish = (result: ProbeResult): void => {
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      if (socket.connecting || socket.destroyed) socket.destroy();
      else socket.resetAndDestroy();
      resolve(result);
    };
    const onAbort = (): void => finish({ isUp: false, detail: 'connect timeout' });
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish({ isUp: true, detail: 'connected' }));
    socket.once('error', (error: NodeJS.ErrnoException) => finish({ isUp: false, detail: `connect ${error.code ?? error.message}` }));
  });
}
