/**
 * An in-process model of a DNS server that takes RFC 2136 dynamic updates (BIND, Knot,
 * PowerDNS), driven through its wire messages by the real RFC 2136 provider. Requests are parsed
 * by dns/wire, TSIG-verified (RFC 8945 §5.2), answered and signed; zone transfers are packed by
 * the real transfer writer and parsed back.
 *
 * An UPDATE (RFC 2136 §3), in order:
 *   1. §3.1: one zone, type SOA, a zone of this server (else FORMERR / NOTAUTH);
 *   2. §3.2: every prerequisite — TTL 0, in the zone (NOTZONE); class ANY "exists", class NONE
 *      "does not exist" (§2.4.1, §2.4.3; YXDOMAIN, NXDOMAIN, YXRRSET, NXRRSET); class IN "exists
 *      with exactly these records", compared as sets (§3.2.3; NXRRSET);
 *   3. §3.4.1: the update section prescanned whole before anything changes (FORMERR, NOTZONE);
 *   4. §3.4.2: applied in order, all in one step. The silent ignores of §3.4.2.2: an add beside
 *      a CNAME (or a CNAME beside other data), an SOA whose serial is not higher (RFC 1982);
 *      the apex SOA and last NS are never deleted (§3.4.2.3–4);
 *   5. §3.6: a zone that changed gets a higher serial unless the update set one.
 * Messages over 65,535 octets cannot be framed over TCP (RFC 1035 §4.2.2): the transport
 * refuses them. Group markers (`g<i>._resolute.<zone>`) are ordinary TXT RRsets here, as on a
 * real server.
 */
import { RRClass, RRType, Opcode, Rcode } from '../dns/wire/constants.js';
import { parseMessage, serializeMessage, type Message } from '../dns/wire/message.js';
import { canonicalName, isSubdomain, readNameWire } from '../dns/wire/name.js';
import { rdataFromText } from '../dns/wire/rdata-text.js';
import type { ResourceRecord } from '../dns/wire/record.js';
import { appendUnsignedTsig, keyLookup, signMessage, verifyRequest, type TsigCheck } from '../dns/wire/tsig.js';
import type { TsigKey } from '../dns/wire/tsig-key.js';
import { isSerialNewer, serialOfSoaRdata } from '../dns/xfr/soa-serial.js';
import { packRecords } from '../dns/xfr/transfer-writer.js';

interface ServedSet {
  ttlSeconds: number;
  rdatas: Uint8Array[];
}

export interface ModelZone {
  readonly apex: string;
  serial: number;
  /** Owner → type → records. */
  readonly owners: Map<string, Map<number, ServedSet>>;
}

const META_TYPES = new Set<number>([RRType.ANY, RRType.AXFR, RRType.IXFR, RRType.OPT, 253, 254]);

export class Rfc2136ServerModel {
  /** Bumps on every change of any zone: the invariant checker looks again only then. */
  version = 0;
  readonly zones = new Map<string, ModelZone>();
  /** When set, every UPDATE is answered with this RCODE and changes nothing (a policy refusal, a server in trouble). */
  refuseUpdatesWith: number | undefined;

  constructor(
    apexes: readonly string[],
    private readonly key: TsigKey | undefined,
    initialSerial: number,
  ) {
    for (const apex of apexes) {
      const soa = rdataFromText(RRType.SOA, [`ns1.${apex}`, `hostmaster.${apex}`, String(initialSerial), '3600', '600', '86400', '60'], apex);
      const owners = new Map<string, Map<number, ServedSet>>([[apex, new Map([[RRType.SOA, { ttlSeconds: 3600, rdatas: [soa] }], [RRType.NS, { ttlSeconds: 3600, rdatas: [rdataFromText(RRType.NS, [`ns1.${apex}`], apex)] }]])]]);
      this.zones.set(apex, { apex, serial: initialSerial, owners });
    }
  }

  /** One request's bytes → the response's bytes, at the server's clock `nowSeconds`. */
  handle(request: Uint8Array, nowSeconds: number): Uint8Array {
    let check: TsigCheck;
    let message: Message;
    try {
      check = verifyRequest(request, keyLookup(this.key === undefined ? [] : [this.key]), nowSeconds);
      message = parseMessage(check.unsigned);
    } catch {
      return bareError(request, Rcode.FORMERR);
    }
    if (check.kind === 'failed') return appendUnsignedTsig(serializeMessage(response(message, Rcode.NOTAUTH)), check.tsig, check.error);
    if (this.key !== undefined && check.kind === 'unsigned') return serializeMessage(response(message, Rcode.REFUSED));
    const answer = message.opcode === Opcode.UPDATE ? this.update(message) : message.opcode === Opcode.QUERY ? this.query(message) : response(message, Rcode.NOTIMP);
    const bytes = serializeMessage(answer);
    if (check.kind !== 'verified' || this.key === undefined) return bytes;
    return signMessage(bytes, this.key, { timeSigned: nowSeconds, requestMac: check.tsig.mac }).bytes;
  }

  /** An AXFR of `apex` as a client receives it: the messages the transfer writer packs, parsed back. */
  transfer(apex: string): { soa: ResourceRecord; records: ResourceRecord[]; messages: number } | undefined {
    const zone = this.zones.get(apex);
    if (zone === undefined) return undefined;
    const records: ResourceRecord[] = [];
    for (const [name, types] of zone.owners) {
      for (const [type, set] of types) {
        if (type === RRType.SOA) continue;
        for (const rdata of set.rdatas) records.push({ name, type, class: RRClass.IN, ttlSeconds: set.ttlSeconds, rdata });
      }
    }
    const soa = this.soaRecord(zone);
    const received: ResourceRecord[] = [];
    let messages = 0;
    for (const bytes of packRecords({ id: 0, rd: false, question: { name: apex, type: RRType.AXFR, class: RRClass.IN } }, [soa, ...records, soa], 16_384)) {
      received.push(...parseMessage(bytes).answers);
      messages++;
    }
    return { soa: received[0], records: received.slice(1, -1), messages };
  }

  /** Addresses (A and AAAA) served at `name`. */
  addressCount(apex: string, name: string): number {
    const types = this.zones.get(apex)?.owners.get(name);
    return (types?.get(RRType.A)?.rdatas.length ?? 0) + (types?.get(RRType.AAAA)?.rdatas.length ?? 0);
  }

  /** TXT records at `name` (the markers). */
  txt(apex: string, name: string): readonly Uint8Array[] {
    return this.zones.get(apex)?.owners.get(name)?.get(RRType.TXT)?.rdatas ?? [];
  }

  /** An operator's edit by hand (a fault): the RRset replaced or deleted; the serial moves, as a server's does. */
  editByHand(apex: string, name: string, type: number, rdatas: readonly Uint8Array[] | undefined): void {
    const zone = this.zones.get(apex);
    if (zone === undefined) return;
    const types = zone.owners.get(name) ?? new Map<number, ServedSet>();
    if (rdatas === undefined || rdatas.length === 0) types.delete(type);
    else types.set(type, { ttlSeconds: types.get(type)?.ttlSeconds ?? 60, rdatas: [...rdatas] });
    if (types.size === 0) zone.owners.delete(name);
    else zone.owners.set(name, types);
    this.bumpSerial(zone);
  }

  private query(message: Message): Message {
    const question = message.questions[0];
    if (message.questions.length !== 1) return response(message, Rcode.FORMERR);
    const name = canonicalName(question.name);
    const zone = this.zoneOf(name);
    if (zone === undefined) return response(message, Rcode.REFUSED);
    const set = zone.owners.get(name)?.get(question.type);
    if (set === undefined) {
      const rcode = nameInUse(zone, name) ? Rcode.NOERROR : Rcode.NXDOMAIN;
      return { ...response(message, rcode), aa: true, authority: [this.soaRecord(zone)] };
    }
    return { ...response(message, Rcode.NOERROR), aa: true, answers: set.rdatas.map((rdata) => ({ name, type: question.type, class: RRClass.IN, ttlSeconds: set.ttlSeconds, rdata })) };
  }

  private update(message: Message): Message {
    const question = message.questions[0];
    if (message.questions.length !== 1 || question.type !== RRType.SOA) return response(message, Rcode.FORMERR);
    const zone = this.zones.get(canonicalName(question.name));
    if (zone === undefined) return response(message, Rcode.NOTAUTH);
    const prerequisite = checkPrerequisites(zone, message.answers);
    if (prerequisite !== Rcode.NOERROR) return response(message, prerequisite);
    const prescan = prescanUpdates(zone, message.authority);
    if (prescan !== Rcode.NOERROR) return response(message, prescan);
    if (this.refuseUpdatesWith !== undefined) return response(message, this.refuseUpdatesWith);
    let isChanged = false;
    let isSerialSet = false;
    for (const rr of message.authority) {
      const outcome = applyUpdate(zone, rr);
      isChanged ||= outcome !== 'unchanged';
      isSerialSet ||= outcome === 'serial';
    }
    if (isChanged) {
      if (isSerialSet) zone.serial = serialOfSoaRdata((zone.owners.get(zone.apex)?.get(RRType.SOA) as ServedSet).rdatas[0]);
      else this.bumpSerial(zone);
      this.version++;
    }
    return response(message, Rcode.NOERROR);
  }

  private bumpSerial(zone: ModelZone): void {
    // RFC 2136 §3.6 and RFC 1982: the next serial, wrapping at 2^32.
    zone.serial = (zone.serial + 1) % 2 ** 32;
    const soa = zone.owners.get(zone.apex)?.get(RRType.SOA) as ServedSet;
    soa.rdatas = [withSerial(soa.rdatas[0], zone.serial)];
    this.version++;
  }

  private soaRecord(zone: ModelZone): ResourceRecord {
    const soa = zone.owners.get(zone.apex)?.get(RRType.SOA) as ServedSet;
    return { name: zone.apex, type: RRType.SOA, class: RRClass.IN, ttlSeconds: soa.ttlSeconds, rdata: soa.rdatas[0] };
  }

  private zoneOf(name: string): ModelZone | undefined {
    let best: ModelZone | undefined;
    for (const zone of this.zones.values()) if (isSubdomain(name, zone.apex) && (best === undefined || zone.apex.length > best.apex.length)) best = zone;
    return best;
  }
}

/** §3.2: the prerequisite section, or the RCODE of the first that fails. */
function checkPrerequisites(zone: ModelZone, prerequisites: readonly ResourceRecord[]): number {
  const valueDependent = new Map<string, { name: string; type: number; rdatas: Set<string> }>();
  for (const rr of prerequisites) {
    if (rr.ttlSeconds !== 0) return Rcode.FORMERR;
    if (!isSubdomain(rr.name, zone.apex)) return Rcode.NOTZONE;
    const types = zone.owners.get(rr.name);
    if (rr.class === RRClass.ANY) {
      if (rr.rdata.length !== 0) return Rcode.FORMERR;
      if (rr.type === RRType.ANY ? !nameInUse(zone, rr.name) : types?.has(rr.type) !== true) return rr.type === RRType.ANY ? Rcode.NXDOMAIN : Rcode.NXRRSET;
    } else if (rr.class === RRClass.NONE) {
      if (rr.rdata.length !== 0) return Rcode.FORMERR;
      if (rr.type === RRType.ANY ? nameInUse(zone, rr.name) : types?.has(rr.type) === true) return rr.type === RRType.ANY ? Rcode.YXDOMAIN : Rcode.YXRRSET;
    } else if (rr.class === RRClass.IN) {
      const key = `${rr.name} ${rr.type}`;
      const set = valueDependent.get(key) ?? { name: rr.name, type: rr.type, rdatas: new Set<string>() };
      set.rdatas.add(hex(rr.rdata));
      valueDependent.set(key, set);
    } else {
      return Rcode.FORMERR;
    }
  }
  // §3.2.3: each RRset built from the prerequisites must equal the zone's, as a set.
  for (const wanted of valueDependent.values()) {
    const served = zone.owners.get(wanted.name)?.get(wanted.type)?.rdatas.map(hex) ?? [];
    if (served.length !== wanted.rdatas.size || !served.every((r) => wanted.rdatas.has(r))) return Rcode.NXRRSET;
  }
  return Rcode.NOERROR;
}

/** §3.4.1: the whole update section is checked before any of it is applied. */
function prescanUpdates(zone: ModelZone, updates: readonly ResourceRecord[]): number {
  for (const rr of updates) {
    if (!isSubdomain(rr.name, zone.apex)) return Rcode.NOTZONE;
    if (rr.class === RRClass.IN) {
      if (META_TYPES.has(rr.type)) return Rcode.FORMERR;
    } else if (rr.class === RRClass.ANY) {
      if (rr.ttlSeconds !== 0 || rr.rdata.length !== 0 || (META_TYPES.has(rr.type) && rr.type !== RRType.ANY)) return Rcode.FORMERR;
    } else if (rr.class === RRClass.NONE) {
      if (rr.ttlSeconds !== 0 || META_TYPES.has(rr.type)) return Rcode.FORMERR;
    } else {
      return Rcode.FORMERR;
    }
  }
  return Rcode.NOERROR;
}

/** §3.4.2: one update record; 'serial' when it replaced the SOA. */
function applyUpdate(zone: ModelZone, rr: ResourceRecord): 'changed' | 'unchanged' | 'serial' {
  const isApex = rr.name === zone.apex;
  const types = zone.owners.get(rr.name);
  if (rr.class === RRClass.IN) {
    if (rr.type === RRType.SOA) {
      // §3.4.2.2: an SOA at the apex replaces it only when its serial is higher (RFC 1982).
      if (!isApex || !isSerialNewer(serialOfSoaRdata(rr.rdata), zone.serial)) return 'unchanged';
      (types as Map<number, ServedSet>).set(RRType.SOA, { ttlSeconds: rr.ttlSeconds, rdatas: [rr.rdata] });
      return 'serial';
    }
    // §3.4.2.2: no data beside a CNAME, no CNAME beside data — ignored silently.
    if (rr.type !== RRType.CNAME && types?.has(RRType.CNAME) === true) return 'unchanged';
    if (rr.type === RRType.CNAME && types !== undefined && [...types.keys()].some((t) => t !== RRType.CNAME)) return 'unchanged';
    const owner = types ?? new Map<number, ServedSet>();
    zone.owners.set(rr.name, owner);
    const set = owner.get(rr.type);
    if (set === undefined || rr.type === RRType.CNAME) {
      owner.set(rr.type, { ttlSeconds: rr.ttlSeconds, rdatas: [rr.rdata] });
      return 'changed';
    }
    // An RRset has one TTL (RFC 2181 §5.2): the added record's; a duplicate only changes it.
    set.ttlSeconds = rr.ttlSeconds;
    if (!set.rdatas.some((r) => Buffer.compare(r, rr.rdata) === 0)) set.rdatas.push(rr.rdata);
    return 'changed';
  }
  if (types === undefined) return 'unchanged';
  const isKept = (type: number): boolean => isApex && (type === RRType.SOA || type === RRType.NS);
  if (rr.class === RRClass.ANY) {
    let isChanged = false;
    for (const type of [...types.keys()]) {
      if ((rr.type === RRType.ANY || type === rr.type) && !isKept(type)) {
        types.delete(type);
        isChanged = true;
      }
    }
    if (types.size === 0) zone.owners.delete(rr.name);
    return isChanged ? 'changed' : 'unchanged';
  }
  // class NONE: one record; never the apex SOA, never the apex's last NS (§3.4.2.4).
  const set = types.get(rr.type);
  if (set === undefined || (isApex && rr.type === RRType.SOA) || (isApex && rr.type === RRType.NS && set.rdatas.length === 1)) return 'unchanged';
  const kept = set.rdatas.filter((r) => Buffer.compare(r, rr.rdata) !== 0);
  if (kept.length === set.rdatas.length) return 'unchanged';
  if (kept.length === 0) types.delete(rr.type);
  else set.rdatas = kept;
  if (types.size === 0) zone.owners.delete(rr.name);
  return 'changed';
}

/** A name exists when it owns records or is an ancestor of one that does (an empty non-terminal). */
function nameInUse(zone: ModelZone, name: string): boolean {
  if (zone.owners.has(name)) return true;
  for (const owner of zone.owners.keys()) if (owner.endsWith(`.${name}`)) return true;
  return false;
}

function response(request: Message, rcode: number): Message {
  return {
    id: request.id,
    qr: true,
    opcode: request.opcode,
    aa: false,
    tc: false,
    rd: request.rd,
    ra: false,
    ad: false,
    cd: false,
    rcode,
    questions: request.questions,
    answers: [],
    authority: [],
    additional: [],
    edns: undefined,
  };
}

/** A header-only error answer for a request that does not parse (its ID kept when there is one). */
function bareError(request: Uint8Array, rcode: number): Uint8Array {
  const bytes = new Uint8Array(12);
  if (request.length >= 2) bytes.set(request.subarray(0, 2));
  bytes[2] = 0x80 | ((request[2] ?? 0) & 0x78);
  bytes[3] = rcode;
  return bytes;
}

/** The SOA rdata with another SERIAL (after MNAME and RNAME, RFC 1035 §3.3.13). */
function withSerial(rdata: Uint8Array, serial: number): Uint8Array {
  const afterMname = readNameWire(rdata, 0, { allowPointers: false }).end;
  const at = readNameWire(rdata, afterMname, { allowPointers: false }).end;
  const copy = rdata.slice();
  new DataView(copy.buffer, copy.byteOffset).setUint32(at, serial >>> 0);
  return copy;
}

const hex = (rdata: Uint8Array): string => Buffer.from(rdata).toString('hex');
