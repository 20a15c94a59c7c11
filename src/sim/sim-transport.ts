/**
 * One process's way to the RFC 2136 server model: the provider's bytes travel after a drawn
 * delay, the model answers at the instant they land, and the answer travels back. A server that
 * is down refuses the connection or drops the message (the caller's own timeout then fires),
 * as the seed says; a message over 65,535 octets cannot be framed over TCP (RFC 1035 §4.2.2).
 */
import { ResoluteError } from '../base/errors.js';
import type { DnsServer } from '../dns/exchange.js';
import type { TransferRequest, TransferResult } from '../dns/xfr/transfer-client.js';
import { parseMessage } from '../dns/wire/message.js';
import { isResoluteName } from '../providers/rfc2136/marker.js';
import type { Rfc2136Transport } from '../providers/rfc2136/signed-exchange.js';
import type { Faults } from './faults.js';
import type { Rfc2136ServerModel } from './rfc2136-server-model.js';
import type { Actor, Scheduler } from './scheduler.js';
import { SIM_EPOCH_MS } from './sim-clock.js';

export interface SimTransportOptions {
  readonly scheduler: Scheduler;
  readonly actor: Actor;
  readonly faults: Faults;
  readonly server: Rfc2136ServerModel;
  readonly trace: ((line: string) => void) | undefined;
}

export function simTransport(options: SimTransportOptions): Rfc2136Transport {
  const { scheduler, actor, faults, server, trace } = options;
  const serverSeconds = (): number => Math.floor((SIM_EPOCH_MS + scheduler.nowMs) / 1000);

  /** Sends one request; `answer` runs at the server when it lands. */
  function send<T>(what: string, where: string, timeoutMs: number, timeoutCode: 'ERR_DNS_TIMEOUT' | 'ERR_XFR_FAILED', answer: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let isSettled = false;
      const settle = (finish: () => void): void => {
        if (isSettled) return;
        isSettled = true;
        cancelTimeout();
        finish();
      };
      const cancelTimeout = scheduler.at(timeoutMs, actor, () => settle(() => reject(new ResoluteError(timeoutCode, `no answer within ${timeoutMs} ms`, { where }))));
      if (faults.isServerDown(scheduler.nowMs) && !faults.isServerSilent) {
        scheduler.at(faults.delayMs(scheduler.nowMs), actor, () => settle(() => reject(new ResoluteError('ERR_DNS_EXCHANGE', 'connection refused', { where }))));
        return;
      }
      scheduler.at(faults.delayMs(scheduler.nowMs), undefined, () => {
        if (faults.isServerDown(scheduler.nowMs)) {
          trace?.(`${actor.name} ${what} lost: the server is down`);
          return;
        }
        const result = answer();
        trace?.(`${actor.name} ${what} at the server (serial ${[...server.zones.values()].map((z) => z.serial).join(',')})`);
        scheduler.at(faults.delayMs(scheduler.nowMs), actor, () => settle(() => resolve(result)));
      });
    });
  }

  return {
    exchange(request: Uint8Array, to: DnsServer, exchangeOptions: { readonly timeoutMs: number }): Promise<Uint8Array> {
      const where = `sim rfc2136 ${to.address}:${to.port}`;
      if (request.length > 65_535) return Promise.reject(new ResoluteError('ERR_DNS_EXCHANGE', `a message of ${request.length} octets cannot be framed over TCP`, { where }));
      const opcode = (request[2] >> 3) & 0x0f;
      const what = opcode !== 5 ? 'query' : trace === undefined ? 'UPDATE' : `UPDATE ${updateText(request)}`;
      return send(what, where, exchangeOptions.timeoutMs, 'ERR_DNS_TIMEOUT', () => server.handle(request, serverSeconds()));
    },
    /** Pipelined queries on one connection: they land together and the server answers them at that one instant. */
    exchangeMany(requests: readonly Uint8Array[], to: DnsServer, exchangeOptions: { readonly timeoutMs: number }): Promise<Uint8Array[]> {
      const where = `sim rfc2136 ${to.address}:${to.port}`;
      return send(`${requests.length} pipelined queries`, where, exchangeOptions.timeoutMs, 'ERR_DNS_TIMEOUT', () => requests.map((request) => server.handle(request, serverSeconds())));
    },
    transfer(request: TransferRequest): Promise<TransferResult> {
      const where = `sim AXFR of ${request.zone}`;
      return send(`AXFR ${request.zone}`, where, request.timeoutMs ?? 10_000, 'ERR_XFR_FAILED', (): TransferResult => {
        const transferred = server.transfer(request.zone);
        return transferred === undefined ? { kind: 'refused', rcode: 9, tsigError: undefined } : { kind: 'axfr', ...transferred };
      });
    },
  };
}

/** For the trace: the markers an UPDATE's prerequisites name (a packed UPDATE names several groups'), e.g. `under _resolute, g0._resolute`. */
function updateText(request: Uint8Array): string {
  const message = parseMessage(request);
  const zone = message.questions[0]?.name ?? '';
  const markers = [...new Set(message.answers.filter((rr) => rr.type === 16 && isResoluteName(zone, rr.name)).map((rr) => rr.name.slice(0, -zone.length - 1)))];
  return markers.length === 0 ? 'by hand' : `under ${markers.join(', ')}`;
}
