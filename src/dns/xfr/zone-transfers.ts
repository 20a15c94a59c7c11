/**
 * Zone transfers out of the built-in server, and the signed messages around them: what the
 * server's TCP listener and slow path hand over to this folder.
 *
 * A transfer request over TCP (`respondOverTcp`), in order:
 *
 * | check                                                   | answer                                 |
 * |---------------------------------------------------------|----------------------------------------|
 * | malformed, or not QUERY / one question / AXFR or IXFR   | not ours: the normal query path        |
 * | TSIG with an unknown key, or a MAC that does not verify | NOTAUTH + unsigned TSIG BADKEY/BADSIG  |
 * |                                                         | (RFC 8945 §5.2.1, §5.2.2, §5.3.2)      |
 * | TSIG time outside the fudge                             | NOTAUTH + signed TSIG BADTIME (§5.2.3) |
 * | class other than IN                                     | REFUSED                                |
 * | a zone not served here                                  | NOTAUTH (RFC 5936 §2.2.1)              |
 * | the client's address is not in the zone's ACL           | REFUSED (RFC 5936 §6)                  |
 * | the ACL names a key and the request is not signed by it | REFUSED                                |
 * | the zone has no usable data                             | SERVFAIL                               |
 * | IXFR without exactly one SOA of the zone in authority   | FORMERR (RFC 1995 §3)                  |
 * | AXFR                                                    | the zone (axfr.ts)                     |
 * | IXFR                                                    | the journal's answer (ixfr.ts)         |
 *
 * Every answer to a verified request is signed, each message of a stream chained to the one
 * before (RFC 8945 §5.3.1). Other signed messages (SOA queries of secondaries, over UDP or TCP)
 * come through `answerSlowPath`: verified, answered by the normal path, and signed.
 */
import net from 'node:net';
import { ResoluteError } from '../../base/errors.js';
import type { Clock } from '../../base/clock.js';
import { channels } from '../../base/events.js';
import { Opcode, Rcode, RRClass, RRType } from '../wire/constants.js';
import { parseMessage, type Message, type Question } from '../wire/message.js';
import { canonicalName } from '../wire/name.js';
import type { ResourceRecord } from '../wire/record.js';
import {
  appendUnsignedTsig,
  keyLookup,
  signMessage,
  timeOctets,
  TSIG_TYPE,
  TsigError,
  TsigStreamSigner,
  verifyRequest,
  type TsigCheck,
  type TsigKeyLookup,
} from '../wire/tsig.js';
import type { TsigKey } from '../wire/tsig-key.js';
import { WireFormatError } from '../wire/wire-format-error.js';
import type { ZoneState, ZoneTable } from '../zone/zone-table.js';
import { axfrRecords } from './axfr.js';
import { ixfrRecords } from './ixfr.js';
import { serialOfSoaRdata, soaSerial } from './soa-serial.js';
import { DEFAULT_TRANSFER_MESSAGE_OCTETS, errorMessage, packRecords, type TransferHeader } from './transfer-writer.js';
import { soaRecord } from './zone-diff.js';
import type { JournalAnswer, ZoneJournal } from './zone-journal.js';

/** Who may transfer a zone. */
export interface TransferAcl {
  /** Client networks allowed (`127.0.0.1/32`, `2001:db8::/48`, or a bare address). */
  readonly networks: readonly string[];
  /** When set, a transfer must also be TSIG-signed with this key. */
  readonly key?: TsigKey;
}

export interface ZoneTransfersOptions {
  readonly clock: Clock;
  /** The ACL of a zone, by its canonical origin; undefined: nobody may transfer it. */
  readonly aclOf: (origin: string) => TransferAcl | undefined;
  /** Every key a signed message may use (the ACLs' keys at least). */
  readonly keys: readonly TsigKey[];
  readonly journal: ZoneJournal;
  /** Largest transfer message (default 16 KiB, at most 65535). */
  readonly messageOctetsMax?: number;
}

/** A compiled network list: node's BlockList does the prefix matching. */
export class AddressRanges {
  private readonly list = new net.BlockList();

  /** @throws ResoluteError ERR_USAGE naming `where` for a range that is not an address/prefix. */
  constructor(ranges: readonly string[], where: string) {
    for (const range of ranges) {
      const [address, prefixText, ...rest] = range.trim().split('/');
      const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : undefined;
      const prefix = prefixText === undefined ? (family === 'ipv4' ? 32 : 128) : Number(prefixText);
      const prefixMax = family === 'ipv4' ? 32 : 128;
      if (family === undefined || rest.length > 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > prefixMax) {
        throw new ResoluteError('ERR_USAGE', `"${range}" is not an address or a network (address/prefix)`, {
          where,
          hint: 'write e.g. 127.0.0.1/32, 10.0.0.0/8 or 2001:db8::/48',
        });
      }
      this.list.addSubnet(address, prefix, family);
    }
  }

  has(address: string): boolean {
    // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d.
    const plain = address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
    const family = net.isIPv4(plain) ? 'ipv4' : net.isIPv6(plain) ? 'ipv6' : undefined;
    return family !== undefined && this.list.check(plain, family);
  }
}

interface CompiledAcl {
  readonly ranges: AddressRanges;
  readonly key: TsigKey | undefined;
}

export class ZoneTransfers {
  private readonly lookup: TsigKeyLookup;
  private readonly acls = new Map<string, CompiledAcl | undefined>();
  private readonly messageOctetsMax: number;

  constructor(private readonly options: ZoneTransfersOptions) {
    const keys = [...options.keys];
    this.lookup = keyLookup(keys);
    this.messageOctetsMax = options.messageOctetsMax ?? DEFAULT_TRANSFER_MESSAGE_OCTETS;
  }

  get journal(): ZoneJournal {
    return this.options.journal;
  }

  /**
   * The response messages to an AXFR or IXFR received over TCP from `remoteAddress`, produced as
   * they are written (a large zone is never whole in memory), or undefined when `query` is not
   * a transfer request (the normal path answers it). See the table at the top.
   */
  respondOverTcp(query: Uint8Array, remoteAddress: string, table: ZoneTable): Iterable<Uint8Array> | undefined {
    if (!looksLikeTransfer(query)) return undefined;
    let check: TsigCheck;
    let message: Message;
    try {
      check = verifyRequest(query, this.lookup, this.nowSeconds());
      message = parseMessage(check.unsigned);
    } catch (error) {
      if (error instanceof WireFormatError) return undefined;
      throw error;
    }
    const question = message.questions[0];
    const header: TransferHeader = { id: (query[0] << 8) | query[1], rd: message.rd, question };
    const zoneName = canonicalName(question.name);
    const kind = question.type === RRType.AXFR ? 'axfr' : 'ixfr';
    const refuse = (rcode: number, reason: string): Iterable<Uint8Array> => {
      channels.xfrTransfer.publish({ zone: zoneName, kind: 'refused', request: kind, remote: remoteAddress, rcode, reason });
      return [this.signSingle(errorMessage(header, rcode), check)];
    };
    if (check.kind === 'failed') return refuse(Rcode.NOTAUTH, `TSIG: ${check.reason}`);
    if (question.class !== RRClass.IN) return refuse(Rcode.REFUSED, `class ${question.class}`);
    const zone = table.zone(zoneName);
    if (zone === undefined) return refuse(Rcode.NOTAUTH, 'not a zone served here');
    const acl = this.aclOf(zone.origin);
    if (acl === undefined || !acl.ranges.has(remoteAddress)) return refuse(Rcode.REFUSED, `${remoteAddress} is not in the zone's transfer ACL`);
    if (acl.key !== undefined && (check.kind !== 'verified' || check.key.name !== acl.key.name)) {
      return refuse(Rcode.REFUSED, check.kind === 'verified' ? `signed with key ${check.key.name}, not ${acl.key.name}` : `not signed with key ${acl.key.name}`);
    }
    if (zone.servfail !== undefined) return refuse(Rcode.SERVFAIL, 'the zone has no usable data');
    let answer: JournalAnswer | undefined;
    if (kind === 'ixfr') {
      const clientSerial = ixfrClientSerial(message, zone);
      if (clientSerial === undefined) return refuse(Rcode.FORMERR, 'an IXFR needs the client SOA in its authority section (RFC 1995 §3)');
      answer = this.journal.since(zone.origin, clientSerial, soaSerial(zone.soa));
      return this.stream(header, ixfrRecords(table, zone, answer), check, { zone, kind, remote: remoteAddress, clientSerial, answer });
    }
    return this.stream(header, axfrRecords(table, zone), check, { zone, kind, remote: remoteAddress });
  }

  /**
   * For the server's slow path, after the message parsed: answers what transfers add to a
   * server — a TSIG-signed message of any kind (verified, answered by `answer` without its
   * TSIG, signed back), a NOTIFY (REFUSED for a zone served here: this server is the primary,
   * RFC 1996 §3.10 — it takes no zone from anyone), an IXFR over UDP (the single current SOA,
   * which tells the client to ask over TCP, RFC 1995 §2). Undefined: not ours, go on.
   */
  answerSlowPath(
    query: Uint8Array,
    message: Message,
    isTcp: boolean,
    table: ZoneTable,
    answer: (unsigned: Uint8Array) => Uint8Array | null,
  ): Uint8Array | null | undefined {
    if (message.additional.some((r) => r.type === TSIG_TYPE)) return this.answerSigned(query, message, answer);
    const question = message.questions.length === 1 ? message.questions[0] : undefined;
    if (question === undefined || question.class !== RRClass.IN) return undefined;
    const zone = table.zone(canonicalName(question.name));
    const header: TransferHeader = { id: message.id, rd: message.rd, question };
    if (message.opcode === Opcode.NOTIFY) {
      return zone === undefined ? undefined : withOpcode(errorMessage(header, Rcode.REFUSED), Opcode.NOTIFY);
    }
    if (message.opcode === Opcode.QUERY && question.type === RRType.IXFR && !isTcp && zone !== undefined && zone.servfail === undefined) {
      return [...packRecords(header, [soaRecord(zone)], this.messageOctetsMax)][0];
    }
    return undefined;
  }

  private answerSigned(query: Uint8Array, message: Message, answer: (unsigned: Uint8Array) => Uint8Array | null): Uint8Array | null {
    let check: TsigCheck;
    try {
      check = verifyRequest(query, this.lookup, this.nowSeconds());
    } catch (error) {
      if (!(error instanceof WireFormatError)) throw error;
      return withOpcode(errorMessage(headerOf(message), Rcode.FORMERR), message.opcode);
    }
    if (check.kind === 'verified') {
      const response = answer(check.unsigned);
      return response === null ? null : this.signSingle(response, check);
    }
    return this.signSingle(withOpcode(errorMessage(headerOf(message), Rcode.NOTAUTH), message.opcode), check);
  }

  /**
   * Signs one response as `check` requires: verified → signed over the request MAC; BADTIME →
   * signed, with the request's time and ours in Other Data; BADKEY/BADSIG → an unsigned TSIG
   * with the error (RFC 8945 §5.3.2); unsigned → as it is.
   */
  private signSingle(response: Uint8Array, check: TsigCheck): Uint8Array {
    switch (check.kind) {
      case 'unsigned':
        return response;
      case 'verified':
        return signMessage(response, check.key, { timeSigned: this.nowSeconds(), requestMac: check.tsig.mac }).bytes;
      case 'failed':
        if (check.error === TsigError.BADTIME && check.key !== undefined) {
          return signMessage(response, check.key, {
            timeSigned: check.tsig.timeSigned,
            requestMac: check.tsig.mac,
            error: TsigError.BADTIME,
            otherData: timeOctets(this.nowSeconds()),
          }).bytes;
        }
        return appendUnsignedTsig(response, check.tsig, check.error);
    }
  }

  private *stream(
    header: TransferHeader,
    records: Iterable<ResourceRecord>,
    check: TsigCheck,
    about: { zone: ZoneState; kind: 'axfr' | 'ixfr'; remote: string; clientSerial?: number; answer?: JournalAnswer },
  ): Generator<Uint8Array> {
    const signer = check.kind === 'verified' ? new TsigStreamSigner(check.key, check.tsig.mac, () => this.nowSeconds()) : undefined;
    let messages = 0;
    let recordCount = 0;
    for (const message of packRecords(header, countRecords(records, () => recordCount++), this.messageOctetsMax)) {
      messages++;
      yield signer === undefined ? message : signer.sign(message);
    }
    channels.xfrTransfer.publish({
      zone: about.zone.origin,
      kind: about.answer === undefined ? 'axfr' : about.answer.kind === 'diff' ? 'ixfr' : about.answer.kind === 'current' ? 'ixfr-current' : 'ixfr-as-axfr',
      remote: about.remote,
      fromSerial: about.clientSerial,
      toSerial: soaSerial(about.zone.soa),
      messages,
      records: recordCount,
      signedWith: check.kind === 'verified' ? check.key.name : undefined,
    });
  }

  private aclOf(origin: string): CompiledAcl | undefined {
    if (!this.acls.has(origin)) {
      const acl = this.options.aclOf(origin);
      this.acls.set(origin, acl === undefined ? undefined : { ranges: new AddressRanges(acl.networks, `transfer ACL of ${origin}`), key: acl.key });
    }
    return this.acls.get(origin);
  }

  private nowSeconds(): number {
    return Math.floor(this.options.clock.nowMs() / 1000);
  }
}

function* countRecords<T>(records: Iterable<T>, count: () => void): Generator<T> {
  for (const record of records) {
    count();
    yield record;
  }
}

/**
 * A cheap look before any parsing (the TCP listener asks for every query): a query (QR clear,
 * opcode QUERY) with one question whose type is AXFR or IXFR.
 */
export function looksLikeTransfer(query: Uint8Array): boolean {
  if (query.length < 17 || (query[2] & 0xf8) !== 0 || query[4] !== 0 || query[5] !== 1) return false;
  let p = 12;
  while (p < query.length && query[p] !== 0) {
    if (query[p] > 63) return false;
    p += query[p] + 1;
  }
  if (p + 3 > query.length) return false;
  const qtype = (query[p + 1] << 8) | query[p + 2];
  return qtype === RRType.AXFR || qtype === RRType.IXFR;
}

/** RFC 1995 §3: the client's version is the SOA (of the zone) in the authority section. */
function ixfrClientSerial(message: Message, zone: ZoneState): number | undefined {
  const soas = message.authority.filter((r) => r.type === RRType.SOA);
  if (soas.length !== 1 || soas[0].name !== zone.origin) return undefined;
  try {
    return serialOfSoaRdata(soas[0].rdata);
  } catch {
    return undefined;
  }
}

function headerOf(message: Message): TransferHeader {
  const question: Question = message.questions[0] ?? { name: '.', type: RRType.SOA, class: RRClass.IN };
  return { id: message.id, rd: message.rd, question };
}

/** Sets the opcode of a response built by errorMessage (which writes QUERY). */
function withOpcode(response: Uint8Array, opcode: number): Uint8Array {
  response[2] = (response[2] & 0x87) | ((opcode & 0x0f) << 3);
  return response;
}
