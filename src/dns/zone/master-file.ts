import { readFile } from 'node:fs/promises';
import { assert } from '../../base/assert.js';
import { ResoluteError, ResoluteErrorList } from '../../base/errors.js';
import { RRClass, RRType, typeCode, typeName } from '../wire/constants.js';
import { parseName } from '../wire/name.js';
import { rdataFromText } from '../wire/rdata-text.js';
import type { ResourceRecord } from '../wire/record.js';
import { parseTtl } from '../wire/ttl-text.js';
import { MasterFileScanner } from './master-file-scanner.js';
import { buildZone, type Zone } from './zone.js';

/**
 * Master files (zone files), RFC 1035 §5.1, as BIND, NSD and Knot read them:
 *
 * | syntax                             | meaning                                               |
 * |------------------------------------|-------------------------------------------------------|
 * | `$ORIGIN name`                     | base of relative names from here on (relative to the last one) |
 * | `$TTL 1h`                          | TTL of records that give none (RFC 2308 §4)           |
 * | `$INCLUDE`, `$GENERATE`            | refused: a zone is one file, so what is served is what was read |
 * | `@`                                | the current origin                                    |
 * | `name` / `name.`                   | relative to the origin / absolute                     |
 * | owner left blank                   | the previous record's owner                           |
 * | `[ttl] [class]` or `[class] [ttl]` | both optional; TTL in seconds or BIND units (`1h30m`) |
 * | `( … )`                            | one record over several lines                         |
 * | `;`                                | comment to the end of the line (not inside quotes)    |
 * | `"…"`, `\"`, `\\`, `\DDD`, `\.`     | quoted strings and escapes (RFC 1035 §5.1)            |
 * | `TYPE65534 \# 2 abcd`, `CLASS1`    | any type or class, in RFC 3597 §5 generic form        |
 *
 * TTL of a record without one: the last `$TTL`, else `defaultTtlSeconds`, else the TTL last
 * written on a record (RFC 1035 §5.1), else an error. Class without one: the last one written,
 * else IN.
 */
export interface MasterFileOptions {
  /** Names the file in errors (`file:line`). */
  readonly file: string;
  /** The zone apex; relative names before any `$ORIGIN` are relative to it. */
  readonly origin?: string;
  /** The TTL of records without one before the file's first `$TTL`. */
  readonly defaultTtlSeconds?: number;
}

export interface MasterFile {
  /**
   * The zone apex: `options.origin`, else the file's first `$ORIGIN`, else the owner of its
   * first SOA record.
   */
  readonly origin: string;
  readonly records: ResourceRecord[];
  /** `lines[i]` is the line where `records[i]` starts, for errors found later (buildZone). */
  readonly lines: number[];
}

/** A file with more mistakes than this is not worth listing further. */
const ERRORS_MAX = 100;

const DOLLAR = 0x24;
const QUOTE = 0x22;
/** RFC 2181 §8: a TTL is an unsigned number of seconds below 2^31. */
const TTL_SECONDS_MAX = 0x7fffffff;

/**
 * Parses a whole master file. Every mistake is collected (up to 100) and thrown at once as a
 * ResoluteErrorList of ERR_ZONE_FILE errors naming `file:line`, so nothing starts from half a
 * zone and one run shows every line to fix.
 */
export function parseMasterFile(text: string, options: MasterFileOptions): MasterFile {
  return new MasterFileParser(text, options).parse();
}

/**
 * Reads, parses and checks a zone file (parseMasterFile, then buildZone).
 *
 * @throws ResoluteErrorList of ERR_ZONE_FILE (unreadable, syntax) or ERR_ZONE_INVALID (semantics).
 */
export async function loadZoneFile(path: string, origin?: string): Promise<Zone> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const error =
      code === 'ENOENT'
        ? new ResoluteError('ERR_ZONE_FILE', `zone file ${path} does not exist`, {
            where: path,
            hint: `check the path (a relative path starts from ${process.cwd()})`,
            cause,
          })
        : new ResoluteError('ERR_ZONE_FILE', `zone file ${path} cannot be read (${code ?? String(cause)})`, {
            where: path,
            hint: 'check that it is a file and that Resolute may read it',
            cause,
          });
    throw new ResoluteErrorList([error]);
  }
  const file = parseMasterFile(decodeUtf8(bytes, path), origin === undefined ? { file: path } : { file: path, origin });
  return buildZone(file.origin, file.records, path, file.lines);
}

/**
 * The text of a zone file. Names and strings outside ASCII are taken as UTF-8 (as dig and BIND
 * print them back); other bytes would silently become U+FFFD, so they are refused instead.
 */
function decodeUtf8(bytes: Uint8Array, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    const line = lineOfInvalidUtf8(bytes);
    throw new ResoluteErrorList([
      new ResoluteError('ERR_ZONE_FILE', 'the zone file is not UTF-8 text', {
        where: line === undefined ? path : `${path}:${line}`,
        hint: 'save it as UTF-8, or write octets outside ASCII as \\DDD (RFC 1035 §5.1)',
        cause,
      }),
    ]);
  }
}

/** The line of the first byte sequence that is not UTF-8 (only called for a refused file). */
function lineOfInvalidUtf8(bytes: Uint8Array): number | undefined {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 0x0a) continue;
    try {
      decoder.decode(bytes.subarray(start, i));
    } catch {
      return line;
    }
    line++;
    start = i + 1;
  }
  return undefined;
}

/** Examples of well-formed rdata, for the hint of a record whose rdata is refused. */
const RDATA_EXAMPLES: Record<number, string> = {
  [RRType.A]: '192.0.2.1',
  [RRType.AAAA]: '2001:db8::1',
  [RRType.NS]: 'ns1.example.org.',
  [RRType.CNAME]: 'api.example.org.',
  [RRType.PTR]: 'host.example.org.',
  [RRType.MX]: '10 mail.example.org.',
  [RRType.TXT]: '"some text" "more text"',
  [RRType.SRV]: '10 60 5060 sip.example.org.',
  [RRType.CAA]: '0 issue "letsencrypt.org"',
  [RRType.SOA]: 'ns1.example.org. hostmaster.example.org. 1 3600 600 86400 60',
};

class MasterFileParser {
  private readonly scanner: MasterFileScanner;
  private readonly text: string;
  private readonly file: string;
  private readonly records: ResourceRecord[] = [];
  private readonly lines: number[] = [];
  private readonly errors: ResoluteError[] = [];

  /** The base of relative names: options.origin, then each `$ORIGIN`. */
  private origin: string | undefined;
  private zoneOrigin: string | undefined;
  private defaultTtl: number | undefined;
  private lastTtl: number | undefined;
  private lastClass: number = RRClass.IN;
  /** The last owner; null after an owner that could not be read (its records are skipped quietly). */
  private lastOwner: string | null | undefined;
  /** The field the last owner was read from: a repeated owner is not parsed again. */
  private lastOwnerText: string | undefined;
  private readonly typeCache = new Map<string, number | undefined>();

  constructor(text: string, options: MasterFileOptions) {
    // A byte order mark is not part of the first field (editors on Windows write one).
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    this.text = text;
    this.file = options.file;
    this.scanner = new MasterFileScanner(text);
    this.defaultTtl = options.defaultTtlSeconds;
    const ttl = this.defaultTtl;
    assert(
      ttl === undefined || (Number.isInteger(ttl) && ttl >= 0 && ttl <= TTL_SECONDS_MAX),
      'defaultTtlSeconds is a TTL (RFC 2181 §8)',
    );
    if (options.origin !== undefined) {
      const origin = options.origin.endsWith('.') ? options.origin : `${options.origin}.`;
      try {
        this.origin = this.zoneOrigin = parseName(origin);
      } catch (cause) {
        this.fail(
          0,
          `the origin ${options.origin} is not a valid name: ${reasonOf(cause)}`,
          'pass a domain name such as demo.test.',
        );
      }
    }
  }

  parse(): MasterFile {
    const scanner = this.scanner;
    while (this.errors.length < ERRORS_MAX && scanner.next()) {
      if (scanner.problem !== undefined) {
        this.fail(scanner.problem.line, scanner.problem.reason, scanner.problem.hint);
        // The owner of a broken entry is unknown: blank-owner records after it are not guessed.
        if (!scanner.isOwnerBlank) this.lastOwner = null;
        continue;
      }
      if (this.text.charCodeAt(scanner.starts[0]) === DOLLAR) this.directive();
      else this.record();
    }
    if (this.errors.length === 0 && this.zoneOrigin === undefined) {
      const soa = this.records.find((r) => r.type === RRType.SOA);
      if (soa !== undefined) {
        this.zoneOrigin = soa.name;
      } else {
        this.fail(
          0,
          'the zone origin is unknown: no $ORIGIN, no SOA record',
          'add `$ORIGIN example.org.` at the top, or pass the origin',
        );
      }
    }
    if (this.errors.length > 0) {
      if (this.errors.length >= ERRORS_MAX && scanner.next()) {
        const hint = 'fix these and load again';
        const reason = `stopped after ${ERRORS_MAX} errors, on line ${scanner.line}`;
        this.errors.push(new ResoluteError('ERR_ZONE_FILE', reason, { where: this.file, hint }));
      }
      throw new ResoluteErrorList(this.errors);
    }
    return { origin: this.zoneOrigin!, records: this.records, lines: this.lines };
  }

  private field(k: number): string {
    return this.text.slice(this.scanner.starts[k], this.scanner.ends[k]);
  }

  /** `$ORIGIN`, `$TTL` (RFC 1035 §5.1, RFC 2308 §4); `$INCLUDE` and `$GENERATE` are refused. */
  private directive(): void {
    const { count, line } = this.scanner;
    const keyword = this.field(0).toUpperCase();
    switch (keyword) {
      case '$ORIGIN': {
        if (count !== 2) {
          return this.fail(
            line,
            `$ORIGIN takes one name, got ${count - 1} fields`,
            'write `$ORIGIN example.org.`',
          );
        }
        const origin = this.name(this.field(1), line);
        if (origin === undefined) return;
        this.origin = origin;
        this.zoneOrigin ??= origin;
        this.lastOwnerText = undefined; // the same relative owner text now means another name
        return;
      }
      case '$TTL': {
        if (count !== 2) {
          return this.fail(
            line,
            `$TTL takes one TTL, got ${count - 1} fields`,
            'write `$TTL 3600` or `$TTL 1h`',
          );
        }
        const ttl = this.ttl(1, line);
        if (ttl !== undefined) this.defaultTtl = ttl;
        return;
      }
      case '$INCLUDE':
        return this.fail(
          line,
          '$INCLUDE is not supported: a zone is read from one file, so what is served is exactly what is in it',
          'paste the included records into this file (with their $ORIGIN) and delete the $INCLUDE line',
        );
      case '$GENERATE':
        return this.fail(
          line,
          '$GENERATE (a BIND extension) is not supported',
          'write the generated records out, e.g. with a short script',
        );
      default:
        return this.fail(
          line,
          `unknown directive ${this.field(0)}`,
          'the directives are $ORIGIN and $TTL; a name cannot start with an unescaped $ (write \\$)',
        );
    }
  }

  /** `owner [ttl] [class] type rdata…` or `[class] [ttl]` (RFC 1035 §5.1). */
  private record(): void {
    const { starts, ends, count, line } = this.scanner;
    const text = this.text;
    let k = 0;
    let owner: string | null | undefined;
    if (this.scanner.isOwnerBlank) {
      owner = this.lastOwner;
      if (owner === undefined) {
        return this.fail(
          line,
          'the first record has no owner name',
          'start the line with the owner name (or @ for the origin) instead of a blank',
        );
      }
    } else {
      owner = this.owner(starts[0], ends[0], line);
      k = 1;
    }
    if (owner === null || owner === undefined) return;

    let ttl = -1;
    let rrclass = -1;
    for (; k < count; k++) {
      const c = text.charCodeAt(starts[k]);
      if (c >= 0x30 && c <= 0x39) {
        if (ttl >= 0) return this.fail(line, `two TTLs (${ttl} and ${this.field(k)})`, 'keep one TTL');
        const parsed = this.ttl(k, line);
        if (parsed === undefined) return;
        ttl = parsed;
      } else {
        const parsed = classCode(text, starts[k], ends[k]);
        if (parsed < 0) break;
        if (rrclass >= 0) {
          return this.fail(
            line,
            `two classes (${this.field(k - 1)} and ${this.field(k)})`,
            'keep one class, IN',
          );
        }
        rrclass = parsed;
      }
    }
    if (k === count) {
      return this.fail(
        line,
        `record for ${owner} has no type`,
        'write `owner [ttl] [class] type rdata`, e.g. `www 300 IN A 192.0.2.1`',
      );
    }
    const type = this.type(k, line);
    if (type === undefined) return;

    if (ttl >= 0) {
      this.lastTtl = ttl;
    } else {
      const implicit = this.defaultTtl ?? this.lastTtl;
      if (implicit === undefined) {
        return this.fail(
          line,
          `record for ${owner} has no TTL and no $TTL is set`,
          'add `$TTL 3600` at the top of the file, or a TTL to the record',
        );
      }
      ttl = implicit;
    }
    if (rrclass >= 0) this.lastClass = rrclass;
    else rrclass = this.lastClass;

    const rdata = this.rdata(type, k + 1, line);
    if (rdata === undefined) return;
    this.records.push({ name: owner, type, class: rrclass, ttlSeconds: ttl, rdata });
    this.lines.push(line);
  }

  /** Fields `from`… of the entry as the rdata of `type`, by rdataFromText. Undefined after an error. */
  private rdata(type: number, from: number, line: number): Uint8Array | undefined {
    const { starts, ends, count } = this.scanner;
    const text = this.text;
    // rdataFromText takes quoted fields without their quotes, escapes still encoded.
    const fields: string[] = new Array(count - from);
    for (let j = from; j < count; j++) {
      const isQuoted = text.charCodeAt(starts[j]) === QUOTE;
      fields[j - from] = isQuoted ? text.slice(starts[j] + 1, ends[j] - 1) : text.slice(starts[j], ends[j]);
    }
    try {
      return rdataFromText(type, fields, this.origin as string);
    } catch (cause) {
      // Without an origin, `@` in rdata reaches the name code as undefined: say what is missing.
      const reason =
        this.origin === undefined && !(cause instanceof ResoluteError)
          ? 'a name in it is relative and no origin is set'
          : reasonOf(cause);
      const example = RDATA_EXAMPLES[type];
      const hint =
        hintOf(cause) ??
        (example === undefined
          ? 'write the rdata in the presentation format of its type, or as RFC 3597 `\\# length hex`'
          : `write it like \`${typeName(type)} ${example}\``);
      this.fail(line, `bad ${typeName(type)} rdata "${fields.join(' ')}": ${reason}`, hint);
      return undefined;
    }
  }

  /** The owner field; a repeat of the last owner's text is not parsed again (most records are). */
  private owner(start: number, end: number, line: number): string | null {
    const last = this.lastOwnerText;
    const owner = this.lastOwner;
    // A bad owner is read again, so that each of its lines gets its own error.
    const isRepeat = last !== undefined && end - start === last.length && this.text.startsWith(last, start);
    if (isRepeat && typeof owner === 'string') return owner;
    const text = this.text.slice(start, end);
    this.lastOwnerText = text;
    this.lastOwner = this.name(text, line) ?? null;
    return this.lastOwner;
  }

  /** A name field: `@`, relative (to the current origin) or absolute. Undefined after an error. */
  private name(text: string, line: number): string | undefined {
    if (text === '@') {
      if (this.origin !== undefined) return this.origin;
      this.fail(
        line,
        '@ stands for the origin, and no origin is set',
        'add `$ORIGIN example.org.` before this line, or pass the origin',
      );
      return undefined;
    }
    if (this.origin === undefined && !isAbsolute(text)) {
      this.fail(
        line,
        `relative name ${text} and no origin is set`,
        `add \`$ORIGIN example.org.\` before this line, or write the name absolute (${text}.example.org.)`,
      );
      return undefined;
    }
    const simple = this.origin === undefined ? undefined : simpleRelativeName(text, this.origin);
    if (simple !== undefined) return simple;
    try {
      return parseName(text, this.origin);
    } catch (cause) {
      this.fail(
        line,
        `bad name ${text}: ${reasonOf(cause)}`,
        hintOf(cause) ?? 'labels are at most 63 octets, names 255; write special characters as \\X or \\DDD',
      );
      return undefined;
    }
  }

  /** A TTL field. Plain seconds, nearly every TTL of a big zone, are read here without a slice. */
  private ttl(k: number, line: number): number | undefined {
    const text = this.text;
    const start = this.scanner.starts[k];
    const end = this.scanner.ends[k];
    if (end - start <= 9) {
      let seconds = 0;
      let i = start;
      for (; i < end; i++) {
        const c = text.charCodeAt(i);
        if (c < 0x30 || c > 0x39) break;
        seconds = seconds * 10 + (c - 0x30);
      }
      if (i === end) return seconds;
    }
    const field = this.field(k);
    const ttl = parseTtl(field);
    if (ttl !== undefined) return ttl;
    if (parseTtl(field, Number.MAX_SAFE_INTEGER) !== undefined) {
      this.fail(
        line,
        `TTL ${field} is above ${TTL_SECONDS_MAX} seconds (RFC 2181 §8)`,
        'use a TTL of at most a few days, e.g. 1d',
      );
    } else {
      this.fail(line, `bad TTL ${field}`, 'write seconds (3600) or BIND units (1h30m, 2d, 1w)');
    }
    return undefined;
  }

  /** The type field: a mnemonic or RFC 3597 `TYPEnnn`. A and AAAA, most of any zone, skip the slice. */
  private type(k: number, line: number): number | undefined {
    const { starts, ends } = this.scanner;
    const text = this.text;
    const start = starts[k];
    const length = ends[k] - start;
    const c0 = text.charCodeAt(start) | 0x20;
    if (length === 1 && c0 === 0x61) return RRType.A;
    if (
      length === 4 &&
      c0 === 0x61 &&
      (text.charCodeAt(start + 1) | 0x20) === 0x61 &&
      (text.charCodeAt(start + 2) | 0x20) === 0x61 &&
      (text.charCodeAt(start + 3) | 0x20) === 0x61
    ) {
      return RRType.AAAA;
    }
    const field = this.field(k);
    let code = this.typeCache.get(field);
    if (code === undefined && !this.typeCache.has(field)) {
      code = typeCode(field);
      this.typeCache.set(field, code);
    }
    if (code === undefined) {
      this.fail(
        line,
        `unknown type ${field}`,
        `check the spelling; for a type Resolute has no name for, write TYPEnnn with RFC 3597 rdata (\`TYPE65534 \\# 2 abcd\`)`,
      );
      return undefined;
    }
    // RFC 6895 §3.1: OPT and the query types (128–255: AXFR, ANY, …) never appear in zone data.
    if (code === 0 || code === RRType.OPT || (code >= 128 && code <= 255)) {
      this.fail(line, `type ${field} cannot appear in a zone (RFC 6895 §3.1)`, 'delete the record');
      return undefined;
    }
    return code;
  }

  private fail(line: number, reason: string, hint: string): void {
    if (this.errors.length >= ERRORS_MAX) return;
    const where = line > 0 ? `${this.file}:${line}` : this.file;
    this.errors.push(new ResoluteError('ERR_ZONE_FILE', reason, { where, hint }));
  }
}

/** IN, CH, HS or RFC 3597 `CLASSnnn`, any case; -1 for anything else (the field is a type). */
function classCode(text: string, start: number, end: number): number {
  const length = end - start;
  const c0 = text.charCodeAt(start) | 0x20;
  if (length === 2) {
    const c1 = text.charCodeAt(start + 1) | 0x20;
    if (c0 === 0x69 && c1 === 0x6e) return RRClass.IN;
    if (c0 === 0x63 && c1 === 0x68) return RRClass.CH;
    if (c0 === 0x68 && c1 === 0x73) return 4; // HS (RFC 1035 §3.2.4)
    return -1;
  }
  if (length < 6 || length > 10 || c0 !== 0x63 || text.slice(start, start + 5).toUpperCase() !== 'CLASS') return -1;
  let code = 0;
  for (let i = start + 5; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    code = code * 10 + (c - 0x30);
  }
  return code <= 0xffff ? code : -1;
}

/**
 * The canonical name for a relative field made only of lower-case letters, digits, `-`, `_` and
 * `*`, and dots between non-empty labels of at most 63 octets: its canonical form is itself, so
 * it is the field, a dot and the origin. Undefined for anything else (parseName decides).
 *
 * Why here and not only parseName: a big zone has one such owner per name (250,000 in the
 * benchmark), and this path costs a string concatenation where the general one builds the wire
 * form and prints it back.
 */
function simpleRelativeName(text: string, origin: string): string | undefined {
  // RFC 1035 §2.3.4: at most 255 octets in wire form. The wire form of `text.origin` is at most
  // text.length + 1 + origin.length + 1 octets (every dot becomes a length octet, plus the first).
  if (text.length + origin.length + 2 > 255) return undefined;
  let labelStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (i === labelStart || i - labelStart > 63) return undefined;
      labelStart = i + 1;
    } else if (
      !((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f || c === 0x2a)
    ) {
      return undefined;
    }
  }
  if (labelStart === text.length || text.length - labelStart > 63) return undefined;
  return origin === '.' ? `${text}.` : `${text}.${origin}`;
}

/** Whether a name field ends with an unescaped dot (RFC 1035 §5.1). */
function isAbsolute(text: string): boolean {
  if (!text.endsWith('.')) return false;
  let backslashes = 0;
  for (let i = text.length - 2; i >= 0 && text.charCodeAt(i) === 0x5c; i--) backslashes++;
  return backslashes % 2 === 0;
}

function reasonOf(cause: unknown): string {
  if (cause instanceof ResoluteError) return cause.reason;
  return cause instanceof Error ? cause.message : String(cause);
}

function hintOf(cause: unknown): string | undefined {
  return cause instanceof ResoluteError ? cause.hint : undefined;
}
