/**
 * Asks THE query path (dns/server/answer.ts `answerQuery`, the function the UDP server calls)
 * for a name's A records in a table, and reads the response back with the wire parser: what a
 * client querying that table would get. Nothing is computed by hand.
 */
import { assert } from '../../base/assert.js';
import type { Random } from '../../base/random.js';
import { answerQuery, type AnswerState } from '../../dns/server/answer.js';
import { Transport } from '../../dns/server/transport.js';
import { RRType, rcodeName } from '../../dns/wire/constants.js';
import { buildQuery, parseMessage, serializeMessage } from '../../dns/wire/message.js';
import { rdataToText } from '../../dns/wire/rdata-text.js';
import type { ZoneTable } from '../../dns/zone/zone-table.js';

export interface DnsAnswer {
  /** `NOERROR`, `NXDOMAIN`, `REFUSED`, … */
  readonly rcode: string;
  /** The A records answered, sorted. */
  readonly addresses: readonly string[];
  /** The zone's SOA serial, from the answer or authority section; undefined when none came. */
  readonly serial: number | undefined;
  /** No address for the name: the 2025 failure, whatever the rcode. */
  readonly isEmpty: boolean;
}

/** The response size a modern resolver offers (RFC 9715). */
const UDP_PAYLOAD_MAX = 1232;

export function answerName(table: ZoneTable, name: string, zone: string, random: Random): DnsAnswer {
  const state: AnswerState = { table, limits: { udpPayloadMax: UDP_PAYLOAD_MAX, random }, chaos: new Map() };
  const reply = ask(state, name, RRType.A, random);
  const addresses = reply.answers.filter((r) => r.type === RRType.A).map((r) => rdataToText(RRType.A, r.rdata)).sort(byOctets);
  const soa = ask(state, zone, RRType.SOA, random).answers.find((r) => r.type === RRType.SOA);
  const serial = soa === undefined ? undefined : Number(rdataToText(RRType.SOA, soa.rdata).split(' ')[2]);
  return { rcode: rcodeName(reply.rcode), addresses, serial, isEmpty: addresses.length === 0 };
}

function ask(state: AnswerState, name: string, type: number, random: Random): ReturnType<typeof parseMessage> {
  const response = answerQuery(serializeMessage(buildQuery(name, type, { id: random.uint16() })), state, Transport.UDP);
  assert(response !== null, `the query path answers a well-formed query for ${name}`);
  return parseMessage(response);
}

/** Addresses in numeric order (192.0.2.11 before 192.0.2.101). */
function byOctets(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}
