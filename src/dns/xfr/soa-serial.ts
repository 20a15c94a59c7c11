/**
 * SOA serials (RFC 1035 §3.3.13) and their order, serial-number arithmetic (RFC 1982 §3.2):
 * a serial is newer than another when it is ahead by less than 2^31, so serials wrap.
 */
import { readNameWire } from '../wire/name.js';
import type { RRset } from '../wire/record.js';

/** The SERIAL field of an SOA rdata: after MNAME and RNAME. */
export function serialOfSoaRdata(rdata: Uint8Array): number {
  const afterMname = readNameWire(rdata, 0, { allowPointers: false }).end;
  const at = readNameWire(rdata, afterMname, { allowPointers: false }).end;
  return ((rdata[at] << 24) | (rdata[at + 1] << 16) | (rdata[at + 2] << 8) | rdata[at + 3]) >>> 0;
}

/** The serial of a zone's SOA RRset (one record, RFC 1035 §5.2). */
export function soaSerial(soa: RRset): number {
  return serialOfSoaRdata(soa.rdatas[0]);
}

/** RFC 1982 §3.2: whether serial `a` is newer than `b`. */
export function isSerialNewer(a: number, b: number): boolean {
  const difference = (a - b + 2 ** 32) % 2 ** 32;
  return difference !== 0 && difference < 2 ** 31;
}
