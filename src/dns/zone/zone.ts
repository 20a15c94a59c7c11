import { assert } from '../../base/assert.js';
import { ResoluteError, ResoluteErrorList } from '../../base/errors.js';
import { RRClass, RRType, typeName } from '../wire/constants.js';
import type { ResourceRecord, RRset } from '../wire/record.js';

/**
 * One authoritative zone as the answer-table builder reads it: the records of a master file,
 * checked (below) and grouped by owner, then by type.
 *
 * Delegations and glue are not marked here: the table builder finds them (NS below the apex).
 */
export interface Zone {
  /** The apex, canonical (`demo.test.`). */
  readonly origin: string;
  /** The one SOA RRset, at the apex. */
  readonly soa: RRset;
  /** owner name → type → RRset; every owner is at or below `origin`. */
  readonly rrsets: ReadonlyMap<string, ReadonlyMap<number, RRset>>;
  /** Records after duplicates were collapsed. */
  readonly recordCount: number;
}

/** A file with more mistakes than this is not worth listing further. */
const ERRORS_MAX = 100;

/** RFC 4035 §2.5 / RFC 2181 §10.1: DNSSEC records are the only data allowed beside a CNAME. */
const TYPE_RRSIG = 46;
const TYPE_NSEC = 47;

/**
 * Checks a zone's records and groups them (RFC 1035 §5.2, RFC 1034 §3.6.2, RFC 2181 §5).
 *
 * Refused, all at once as a ResoluteErrorList of ERR_ZONE_INVALID: a class other than IN, a
 * record outside the origin, no SOA or more than one, an SOA below the apex, no NS at the apex,
 * a CNAME beside other data or two CNAMEs at one owner.
 *
 * Repaired without a word, as the RFCs say a reader must:
 * - identical records are collapsed into one (RFC 2181 §5: an RRset is a set; byte-equal rdata);
 * - an RRset whose records have different TTLs gets the smallest of them for all (RFC 2181 §5.2
 *   tells a client to treat such an RRset exactly so; the smallest never keeps data cached
 *   longer than its owner asked for any of the records).
 *
 * `where` names the source in errors (a file name); `lines[i]`, when given, is the line of
 * `records[i]`, so that an error reads `demo.test.zone:12`.
 */
export function buildZone(
  origin: string,
  records: readonly ResourceRecord[],
  where: string,
  lines?: ArrayLike<number>,
): Zone {
  assert(origin.endsWith('.'), `zone origin ${origin} is absolute`);
  const errors: ResoluteError[] = [];
  const placeOf = (index: number): string => (lines === undefined ? where : `${where}:${lines[index]}`);
  const fail = (reason: string, place: string, hint: string): void => {
    if (errors.length < ERRORS_MAX) errors.push(new ResoluteError('ERR_ZONE_INVALID', reason, { where: place, hint }));
  };

  const rrsets = new Map<string, Map<number, MutableRRset>>();
  const soaOwners: string[] = [];
  const cnameOwners: string[] = [];
  let recordCount = 0;

  // Records of one owner mostly come in a row (same string, from the parser's owner cache):
  // the owner's checks and map lookup are done once per run.
  let runName: string | undefined;
  let runByType: Map<number, MutableRRset> | undefined;
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    if (record.class !== RRClass.IN) {
      fail(
        `${record.name} ${typeName(record.type)} has class ${className(record.class)}; a zone served here holds class IN only`,
        placeOf(i),
        'write IN (or no class at all) in the record',
      );
      continue;
    }
    let byType = record.name === runName ? runByType : undefined;
    if (byType === undefined && !isAtOrBelow(record.name, origin)) {
      fail(
        `record outside its origin: ${record.name} ${typeName(record.type)} is not at or below ${origin}`,
        placeOf(i),
        `fix the owner name (a name without a trailing dot is relative to $ORIGIN), or move the record to the zone file of its own origin`,
      );
      continue;
    }
    if (byType === undefined) {
      byType = rrsets.get(record.name);
      if (byType === undefined) {
        byType = new Map();
        rrsets.set(record.name, byType);
      }
      runName = record.name;
      runByType = byType;
    }
    const rrset = byType.get(record.type);
    if (rrset === undefined) {
      byType.set(record.type, {
        name: record.name,
        type: record.type,
        class: record.class,
        ttlSeconds: record.ttlSeconds,
        rdatas: [record.rdata],
      });
      recordCount++;
      if (record.type === RRType.SOA) soaOwners.push(record.name);
      else if (record.type === RRType.CNAME) cnameOwners.push(record.name);
      continue;
    }
    if (record.ttlSeconds < rrset.ttlSeconds) rrset.ttlSeconds = record.ttlSeconds;
    if (!includesBytes(rrset.rdatas, record.rdata)) {
      rrset.rdatas.push(record.rdata);
      recordCount++;
    }
  }

  const lineOf = (name: string, type: number, nth = 0): string => placeOf(indexOf(records, name, type, nth));
  let soa: RRset | undefined;
  for (const owner of soaOwners) {
    if (owner !== origin) {
      fail(
        `SOA record at ${owner}, not at the zone apex ${origin}`,
        lineOf(owner, RRType.SOA),
        `a zone has one SOA, at its origin: move the SOA to ${origin} (write @), or load this file with origin ${owner}`,
      );
      continue;
    }
    soa = rrsets.get(owner)?.get(RRType.SOA);
    if (soa !== undefined && soa.rdatas.length > 1) {
      fail(
        `${soa.rdatas.length} different SOA records at ${origin}; a zone has exactly one (RFC 1035 §5.2)`,
        lineOf(owner, RRType.SOA, 1),
        'keep one SOA record and delete the others',
      );
    }
  }
  if (soa === undefined) {
    fail(
      `no SOA record at the zone apex ${origin}; a zone starts with one (RFC 1035 §5.2)`,
      where,
      `add \`@ IN SOA ns1.${origin} hostmaster.${origin} 1 3600 600 86400 60\` after $ORIGIN ${origin}`,
    );
  }
  if (rrsets.get(origin)?.get(RRType.NS) === undefined) {
    fail(
      `no NS records at the zone apex ${origin}; a zone names its servers (RFC 1035 §5.2)`,
      where,
      `add \`@ IN NS ns1.${origin}\` (and a second server)`,
    );
  }
  for (const owner of cnameOwners) checkAlias(owner, rrsets.get(owner)!, lineOf, fail);

  if (errors.length > 0) {
    if (errors.length === ERRORS_MAX) {
      errors.push(new ResoluteError('ERR_ZONE_INVALID', `stopped after ${ERRORS_MAX} errors`, { where, hint: 'fix these and load again' }));
    }
    throw new ResoluteErrorList(errors);
  }
  assert(soa !== undefined, 'a zone without errors has an SOA');
  // CONVENTIONS rule 12: the zone is an immutable snapshot once built.
  for (const byType of rrsets.values()) {
    for (const rrset of byType.values()) {
      Object.freeze(rrset.rdatas);
      Object.freeze(rrset);
    }
  }
  return Object.freeze({ origin, soa, rrsets, recordCount });
}

type MutableRRset = { -readonly [K in keyof RRset]: RRset[K] } & { rdatas: Uint8Array[] };

/** RFC 1034 §3.6.2, RFC 2181 §10.1: an alias has one CNAME and no other data (DNSSEC aside). */
function checkAlias(
  owner: string,
  byType: ReadonlyMap<number, MutableRRset>,
  lineOf: (name: string, type: number, nth?: number) => string,
  fail: (reason: string, place: string, hint: string) => void,
): void {
  const cname = byType.get(RRType.CNAME)!;
  if (cname.rdatas.length > 1) {
    fail(
      `${cname.rdatas.length} CNAME records at ${owner}; an alias has exactly one target (RFC 2181 §10.1)`,
      lineOf(owner, RRType.CNAME, 1),
      'keep one CNAME; for several addresses, use A/AAAA records instead of CNAMEs',
    );
  }
  const others = [...byType.keys()].filter((t) => t !== RRType.CNAME && t !== TYPE_RRSIG && t !== TYPE_NSEC);
  if (others.length > 0) {
    fail(
      `CNAME beside other data at ${owner} (${others.map(typeName).join(', ')}); an alias cannot have other records (RFC 1034 §3.6.2, RFC 2181 §10.1)`,
      lineOf(owner, RRType.CNAME),
      `remove the CNAME, or the ${others.map(typeName).join('/')} records, or put them on another name`,
    );
  }
}

/**
 * Whether `name` is `origin` or below it, both canonical. A suffix match is not enough: in
 * `a\.demo.test.` the dot before `demo` is part of a label (RFC 1035 §5.1 escape), so the
 * character before the matching suffix must be an unescaped dot.
 */
function isAtOrBelow(name: string, origin: string): boolean {
  if (origin === '.') return true;
  if (name.length === origin.length) return name === origin;
  const dot = name.length - origin.length - 1;
  if (dot < 0 || name.charCodeAt(dot) !== 0x2e || !name.endsWith(origin)) return false;
  let backslashes = 0;
  for (let i = dot - 1; i >= 0 && name.charCodeAt(i) === 0x5c; i--) backslashes++;
  return backslashes % 2 === 0;
}

function includesBytes(list: readonly Uint8Array[], bytes: Uint8Array): boolean {
  for (const other of list) if (equalBytes(other, bytes)) return true;
  return false;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The index of the `nth` record of this owner and type; only called to place an error. */
function indexOf(records: readonly ResourceRecord[], name: string, type: number, nth: number): number {
  let seen = 0;
  let first = -1;
  for (let i = 0; i < records.length; i++) {
    if (records[i].name !== name || records[i].type !== type) continue;
    if (first < 0) first = i;
    if (seen++ === nth) return i;
  }
  return first;
}

function className(code: number): string {
  for (const [name, value] of Object.entries(RRClass)) if (value === code) return name;
  return code === 4 ? 'HS' : `CLASS${code}`;
}
