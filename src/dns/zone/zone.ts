import { assert } from '../../base/assert.js';
import { ResoluteError, ResoluteErrorList } from '../../base/errors.js';
import { RRClass, RRType, typeName } from '../wire/constants.js';
import { isSubdomain } from '../wire/name.js';
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
  const check = new ZoneCheck(origin, records, where, lines);
  const grouped = check.group();
  const soa = check.apex(grouped);
  for (const owner of grouped.cnameOwners) check.alias(owner, grouped.rrsets.get(owner)!);
  check.throwErrors();
  assert(soa !== undefined, 'a zone without errors has an SOA');
  // CONVENTIONS rule 12: the zone is an immutable snapshot once built.
  for (const byType of grouped.rrsets.values()) {
    for (const rrset of byType.values()) {
      Object.freeze(rrset.rdatas);
      Object.freeze(rrset);
    }
  }
  return Object.freeze({ origin, soa, rrsets: grouped.rrsets, recordCount: grouped.recordCount });
}

type MutableRRset = { -readonly [K in keyof RRset]: RRset[K] } & { rdatas: Uint8Array[] };

interface Grouped {
  readonly rrsets: Map<string, Map<number, MutableRRset>>;
  readonly soaOwners: readonly string[];
  readonly cnameOwners: readonly string[];
  readonly recordCount: number;
}

/** The checks of buildZone, with the errors they collect. */
class ZoneCheck {
  private readonly errors: ResoluteError[] = [];
  private dropped = 0;

  constructor(
    private readonly origin: string,
    private readonly records: readonly ResourceRecord[],
    private readonly where: string,
    private readonly lines: ArrayLike<number> | undefined,
  ) {}

  /** Groups the records by owner and type: one class, inside the origin, no duplicates, one TTL. */
  group(): Grouped {
    const { records, origin } = this;
    const rrsets = new Map<string, Map<number, MutableRRset>>();
    const soaOwners: string[] = [];
    const cnameOwners: string[] = [];
    let recordCount = 0;
    // Records of one owner mostly come in a row (one string, from the parser's owner cache):
    // the owner is checked and looked up once per run.
    let runName: string | undefined;
    let runByType: Map<number, MutableRRset> | undefined;
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      if (record.class !== RRClass.IN) {
        this.fail(
          `${record.name} ${typeName(record.type)} has class ${className(record.class)}; ` +
            'a zone served here holds class IN only',
          this.placeOf(i),
          'write IN (or no class at all) in the record',
        );
        continue;
      }
      let byType = record.name === runName ? runByType : undefined;
      if (byType === undefined) {
        if (!isSubdomain(record.name, origin)) {
          this.fail(
            `record outside its origin: ${record.name} ${typeName(record.type)} is not at or below ${origin}`,
            this.placeOf(i),
            'fix the owner name (a name without a trailing dot is relative to $ORIGIN), ' +
              'or move the record to the zone file of its own origin',
          );
          continue;
        }
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
        const { name, type, ttlSeconds, rdata } = record;
        byType.set(type, { name, type, class: record.class, ttlSeconds, rdatas: [rdata] });
        recordCount++;
        if (type === RRType.SOA) soaOwners.push(name);
        else if (type === RRType.CNAME) cnameOwners.push(name);
        continue;
      }
      if (record.ttlSeconds < rrset.ttlSeconds) rrset.ttlSeconds = record.ttlSeconds;
      if (!includesBytes(rrset.rdatas, record.rdata)) {
        rrset.rdatas.push(record.rdata);
        recordCount++;
      }
    }
    return { rrsets, soaOwners, cnameOwners, recordCount };
  }

  /** RFC 1035 §5.2: one SOA, at the apex, and NS records there. Returns the SOA RRset. */
  apex({ rrsets, soaOwners }: Grouped): RRset | undefined {
    const origin = this.origin;
    for (const owner of soaOwners) {
      if (owner === origin) continue;
      this.fail(
        `SOA record at ${owner}, not at the zone apex ${origin}`,
        this.placeOfRdata(rrsets.get(owner)!.get(RRType.SOA)!.rdatas[0]),
        `a zone has one SOA, at its origin: move the SOA to ${origin} (write @), or load this file with origin ${owner}`,
      );
    }
    const soa = rrsets.get(origin)?.get(RRType.SOA);
    if (soa === undefined) {
      this.fail(
        `no SOA record at the zone apex ${origin}; a zone starts with one (RFC 1035 §5.2)`,
        this.where,
        `add \`@ IN SOA ns1.${origin} hostmaster.${origin} 1 3600 600 86400 60\` after $ORIGIN ${origin}`,
      );
    } else if (soa.rdatas.length > 1) {
      this.fail(
        `${soa.rdatas.length} different SOA records at ${origin}; a zone has exactly one (RFC 1035 §5.2)`,
        this.placeOfRdata(soa.rdatas[1]),
        'keep one SOA record and delete the others',
      );
    }
    if (rrsets.get(origin)?.get(RRType.NS) === undefined) {
      this.fail(
        `no NS records at the zone apex ${origin}; a zone names its servers (RFC 1035 §5.2)`,
        this.where,
        `add \`@ IN NS ns1.${origin}\` (and a second server)`,
      );
    }
    return soa;
  }

  /** RFC 1034 §3.6.2, RFC 2181 §10.1: an alias has one CNAME and no other data (DNSSEC aside). */
  alias(owner: string, byType: ReadonlyMap<number, MutableRRset>): void {
    const cname = byType.get(RRType.CNAME)!;
    if (cname.rdatas.length > 1) {
      this.fail(
        `${cname.rdatas.length} CNAME records at ${owner}; an alias has exactly one target (RFC 2181 §10.1)`,
        this.placeOfRdata(cname.rdatas[1]),
        'keep one CNAME; for several addresses, use A/AAAA records instead of CNAMEs',
      );
    }
    const others = [...byType.keys()].filter((t) => t !== RRType.CNAME && t !== TYPE_RRSIG && t !== TYPE_NSEC);
    if (others.length > 0) {
      this.fail(
        `CNAME beside other data at ${owner} (${others.map(typeName).join(', ')}); ` +
          'an alias cannot have other records (RFC 1034 §3.6.2, RFC 2181 §10.1)',
        this.placeOfRdata(cname.rdatas[0]),
        `remove the CNAME, or the ${others.map(typeName).join('/')} records, or put them on another name`,
      );
    }
  }

  throwErrors(): void {
    if (this.errors.length === 0) return;
    if (this.dropped > 0) {
      this.errors.push(
        new ResoluteError('ERR_ZONE_INVALID', `stopped after ${ERRORS_MAX} errors (${this.dropped} more)`, {
          where: this.where,
          hint: 'fix these and load again',
        }),
      );
    }
    throw new ResoluteErrorList(this.errors);
  }

  private fail(reason: string, where: string, hint: string): void {
    if (this.errors.length < ERRORS_MAX) this.errors.push(new ResoluteError('ERR_ZONE_INVALID', reason, { where, hint }));
    else this.dropped++;
  }

  private placeOf(index: number): string {
    return this.lines === undefined || index < 0 ? this.where : `${this.where}:${this.lines[index]}`;
  }

  /** Where the record holding this rdata (the very same bytes) was written; errors only. */
  private placeOfRdata(rdata: Uint8Array): string {
    return this.placeOf(this.records.findIndex((record) => record.rdata === rdata));
  }
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

function className(code: number): string {
  for (const [name, value] of Object.entries(RRClass)) if (value === code) return name;
  return code === 4 ? 'HS' : `CLASS${code}`;
}
