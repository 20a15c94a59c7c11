/**
 * NOTIFY (RFC 1996) from the primary to its secondaries when a zone's serial changes, so they
 * transfer it at once instead of at their next refresh.
 *
 * For each (zone, secondary):
 *  1. send a NOTIFY over UDP: opcode NOTIFY, AA, the question `zone SOA IN`, the new SOA in the
 *     answer section (§3.7), TSIG-signed when a key is configured;
 *  2. a response with the same ID and question, NOERROR and (when signed) a verified TSIG is
 *     the acknowledgement: done;
 *  3. anything else — no answer, ICMP unreachable, an error RCODE, a bad signature — is retried
 *     after a delay that doubles each time (§3.6), up to `attemptsMax` attempts;
 *  4. a newer NOTIFY for the same zone and secondary replaces one still retrying (the newer
 *     serial is what matters).
 * Outcomes are published on `resolute:xfr:notify`; nothing is logged here (CONVENTIONS 13).
 */
import type { Clock } from '../../base/clock.js';
import { channels } from '../../base/events.js';
import type { Random } from '../../base/random.js';
import { exchange } from '../exchange.js';
import { Opcode, Rcode, rcodeName, RRClass, RRType } from '../wire/constants.js';
import { buildRequest, serializeMessage } from '../wire/message.js';
import type { ResourceRecord } from '../wire/record.js';
import { signMessage, verifyResponse } from '../wire/tsig.js';
import type { TsigKey } from '../wire/tsig-key.js';
import { serialOfSoaRdata } from './soa-serial.js';

export interface NotifyTarget {
  readonly address: string;
  readonly port: number;
}

export interface NotifierOptions {
  readonly clock: Clock;
  readonly random: Random;
  /** Sign every NOTIFY with this key and require signed acknowledgements. */
  readonly key?: TsigKey;
  /** Default 6: the first attempt and 5 retries. */
  readonly attemptsMax?: number;
  /** How long an attempt waits for its acknowledgement; default 1000 ms. */
  readonly attemptTimeoutMs?: number;
  /** The wait before the first retry, doubled for each next one; default 500 ms. */
  readonly retryDelayMs?: number;
}

export type NotifyOutcome = 'acknowledged' | 'failed' | 'superseded';

export class Notifier {
  private readonly running = new Map<string, AbortController>();
  private isClosed = false;

  constructor(private readonly options: NotifierOptions) {}

  /**
   * Notifies every target that zone `soa.name` is now at `soa`'s serial. Resolves when each
   * target has acknowledged, given up, or been superseded by a newer notify.
   */
  notify(soa: ResourceRecord, targets: readonly NotifyTarget[]): Promise<NotifyOutcome[]> {
    return Promise.all(targets.map((target) => this.notifyOne(soa, target)));
  }

  /** Stops every retry. */
  close(): void {
    this.isClosed = true;
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
  }

  private async notifyOne(soa: ResourceRecord, target: NotifyTarget): Promise<NotifyOutcome> {
    if (this.isClosed) return 'superseded';
    const key = `${soa.name} ${target.address} ${target.port}`;
    this.running.get(key)?.abort();
    const controller = new AbortController();
    this.running.set(key, controller);
    const { clock } = this.options;
    const attemptsMax = this.options.attemptsMax ?? 6;
    let delayMs = this.options.retryDelayMs ?? 500;
    const serial = serialOfSoaRdata(soa.rdata);
    const publish = (outcome: string, attempt: number, reason?: string): void =>
      channels.xfrNotify.publish({ zone: soa.name, serial, target: `${target.address}:${target.port}`, outcome, attempt, reason });
    try {
      for (let attempt = 1; ; attempt++) {
        const failure = await this.attempt(soa, target, controller.signal);
        if (controller.signal.aborted) {
          publish('superseded', attempt);
          return 'superseded';
        }
        if (failure === undefined) {
          publish('acknowledged', attempt);
          return 'acknowledged';
        }
        if (attempt >= attemptsMax) {
          publish('failed', attempt, failure);
          return 'failed';
        }
        publish('retrying', attempt, failure);
        try {
          await clock.sleep(delayMs, controller.signal);
        } catch {
          publish('superseded', attempt);
          return 'superseded';
        }
        delayMs *= 2;
      }
    } finally {
      if (this.running.get(key) === controller) this.running.delete(key);
    }
  }

  /** One NOTIFY exchange: undefined when acknowledged, else why not. */
  private async attempt(soa: ResourceRecord, target: NotifyTarget, signal: AbortSignal): Promise<string | undefined> {
    const { clock, key } = this.options;
    const message = buildRequest({
      id: this.options.random.uint16(),
      opcode: Opcode.NOTIFY,
      aa: true,
      questions: [{ name: soa.name, type: RRType.SOA, class: RRClass.IN }],
      answers: [soa],
    });
    let bytes = serializeMessage(message);
    let requestMac: Uint8Array | undefined;
    if (key !== undefined) {
      const signed = signMessage(bytes, key, { timeSigned: Math.floor(clock.nowMs() / 1000) });
      bytes = signed.bytes;
      requestMac = signed.mac;
    }
    try {
      const result = await exchange(bytes, target, {
        transport: 'udp',
        timeoutMs: this.options.attemptTimeoutMs ?? 1000,
        clock,
        signal,
      });
      if (key !== undefined && requestMac !== undefined) {
        const check = verifyResponse(result.bytes, key, requestMac, Math.floor(clock.nowMs() / 1000));
        if (check.kind !== 'verified') return `TSIG: ${check.kind === 'failed' ? check.reason : 'unsigned'}`;
      }
      return result.response.rcode === Rcode.NOERROR ? undefined : `answered ${rcodeName(result.response.rcode)}`;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
}
