/**
 * The built-in provider's SOA (DESIGN: zone serials). Generations are 64-bit; a serial is 32
 * bits compared in serial-number arithmetic (RFC 1982 §3.2), so the serial is
 *
 *   serial = (base + changedGeneration) mod 2^32
 *
 * where `changedGeneration` is the generation of the last plan that CHANGED the zone (a plan
 * that leaves the zone alone keeps its serial, so secondaries do not transfer for nothing) and
 * `base` is chosen when the zone is adopted. Stateless: every DNS process serving the zone
 * computes the same serial from the same stored values, so secondaries may transfer from any.
 *
 * Why it always rises: RFC 1982 §3.1 lets a serial grow by at most 2^31 - 1 at a time; two
 * successive changes of one zone are two plan generations apart, so the serial is newer as long
 * as fewer than 2^31 generations separate them — crossing 2^32 included, since only the
 * difference matters (the test crosses it). The planner writes a plan every few seconds at
 * most; 2^31 of them is centuries.
 */
import { assert } from '../../base/assert.js';
import { RRClass, RRType } from '../../dns/wire/constants.js';
import { rdataFromText } from '../../dns/wire/rdata-text.js';
import type { RRset } from '../../dns/wire/record.js';
import type { ZoneSoaFields } from '../provider.js';

const SERIAL_SPACE = 2n ** 32n;

/** Secondaries poll at least this often without a NOTIFY (RFC 1035 §3.3.13 REFRESH). */
export const SOA_REFRESH_SECONDS = 60;
/** and retry a failed refresh this soon (RETRY), */
export const SOA_RETRY_SECONDS = 10;
/** and keep answering this long with no contact with the primary (EXPIRE): two weeks, RFC 1912 §2.2. */
export const SOA_EXPIRE_SECONDS = 14 * 24 * 3600;
/** The SOA's own TTL; negative answers use min(this, MINIMUM) (RFC 2308 §5), i.e. the plan's. */
export const SOA_TTL_SECONDS = 300;

export function zoneSerial(base: number, changedGeneration: bigint): number {
  assert(Number.isInteger(base) && base >= 0 && base < 2 ** 32, 'a serial base is a 32-bit unsigned integer');
  assert(changedGeneration >= 0n, 'generations are not negative');
  return Number((BigInt(base) + changedGeneration) % SERIAL_SPACE);
}

/**
 * The base a newly adopted zone takes so that its first serial is newer (RFC 1982) than
 * `foundSerial`, the serial served before adoption, if any: its first serial is foundSerial + 1.
 */
export function serialBaseAbove(foundSerial: number | undefined, firstGeneration: bigint): number {
  if (foundSerial === undefined) return 0;
  const wanted = (BigInt(foundSerial) + 1n) % SERIAL_SPACE;
  return Number((((wanted - firstGeneration) % SERIAL_SPACE) + SERIAL_SPACE) % SERIAL_SPACE);
}

/** The zone's SOA RRset: MNAME the first name server, RNAME the hostmaster (RFC 1035 §3.3.13). */
export function zoneSoa(apex: string, fields: ZoneSoaFields, serial: number): RRset {
  const mname = fields.nameservers[0] ?? `ns.${apex}`;
  const rdata = rdataFromText(
    RRType.SOA,
    [mname, fields.hostmaster, String(serial), String(SOA_REFRESH_SECONDS), String(SOA_RETRY_SECONDS), String(SOA_EXPIRE_SECONDS), String(fields.negativeTtlSeconds)],
    apex,
  );
  return Object.freeze({ name: apex, type: RRType.SOA, class: RRClass.IN, ttlSeconds: SOA_TTL_SECONDS, rdatas: Object.freeze([rdata]) });
}
