import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HttpCheckConfig } from '../config/config.js';
import type { ProbeResult } from './check.js';

/** At most this much body is read looking for `body_contains`: a health page is small. */
const BODY_BYTES_MAX = 64 * 1024;

/**
 * HTTP(S) check: up when the status is in the expected range and, when asked, the body holds a
 * substring. HTTPS verifies the certificate against `ca` (or the system store) and the server
 * name unless the check says `tls_verify: false`. Each probe opens its own connection (no
 * keep-alive): a pooled connection would hide a listener that no longer accepts.
 */
export function httpProbe(check: HttpCheckConfig, address: string, signal: AbortSignal, ca?: string | Buffer): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const request = check.type === 'https' ? httpsRequest : httpRequest;
    const host = check.host ?? (address.includes(':') ? `[${address}]` : address);
    let isSettled = false;
    const finish = (result: ProbeResult): void => {
      if (isSettled) return;
      isSettled = true;
      resolve(result);
    };
    const req = request(
      {
        host: address,
        port: check.port,
        method: check.method,
        path: check.path,
        headers: { host, 'user-agent': 'resolute-health', connection: 'close' },
        agent: false,
        signal,
        ...(check.type === 'https' ? { servername: check.host ?? (address.includes(':') ? undefined : address), rejectUnauthorized: check.isTlsVerified, ca } : {}),
      },
      (response) => readResponse(check, response, finish),
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      finish({ isUp: false, detail: signal.aborted ? 'timeout' : `${check.type} ${error.code ?? error.message}` });
    });
    req.end();
  });
}

function readResponse(check: HttpCheckConfig, response: IncomingMessage, finish: (result: ProbeResult) => void): void {
  const status = response.statusCode ?? 0;
  const { min, max } = check.expectStatus;
  if (status < min || status > max) {
    response.resume();
    finish({ isUp: false, detail: `status ${status}, expected ${min === max ? min : `${min}-${max}`}` });
    return;
  }
  if (check.bodyContains === undefined) {
    response.resume();
    finish({ isUp: true, detail: `status ${status}` });
    return;
  }
  const needle = check.bodyContains;
  let body = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    if (body.length < BODY_BYTES_MAX) body += chunk;
    if (body.includes(needle)) {
      finish({ isUp: true, detail: `status ${status}, body matched` });
      response.destroy();
    }
  });
  response.on('end', () => finish({ isUp: body.includes(needle), detail: body.includes(needle) ? `status ${status}, body matched` : `status ${status}, body lacks "${needle}"` }));
  response.on('error', () => finish({ isUp: false, detail: `status ${status}, body read failed` }));
}
