/**
 * Errors with a stable code, a place and a way to fix it (CONVENTIONS rule 7).
 *
 * Every code a user can meet is listed in docs/errors.md; a test keeps the two in sync.
 * The message reads `CODE: reason (where)`, so a log line alone says what and where.
 */
export type ErrorCode =
  | 'ERR_ASSERTION'
  | 'ERR_USAGE'
  | 'ERR_ZONE_FILE'
  | 'ERR_ZONE_INVALID'
  | 'ERR_WIRE_FORMAT'
  | 'ERR_NAME_INVALID'
  | 'ERR_RDATA_INVALID'
  | 'ERR_DNS_TIMEOUT'
  | 'ERR_DNS_EXCHANGE'
  | 'ERR_SERVER_START'
  | 'ERR_CLIENT_CONFIG'
  | 'ERR_CLIENT_CLOSED'
  | 'ERR_CONFIG_FILE'
  | 'ERR_CONFIG_SYNTAX'
  | 'ERR_CONFIG_INVALID'
  | 'ERR_CONFIG_DELETE_REFUSED'
  | 'ERR_CONFIG_PROVIDERS_CHANGED'
  | 'ERR_STORE_UNAVAILABLE'
  | 'ERR_STORE_OPEN'
  | 'ERR_PLAN_SCHEMA'
  | 'ERR_PLAN_DIGEST'
  | 'ERR_TSIG_KEY'
  | 'ERR_TSIG_VERIFY'
  | 'ERR_XFR_FAILED'
  | 'ERR_ZONE_SERIAL'
  | 'ERR_RECORD_SETS_CORRUPT'
  | 'ERR_ZONE_SNAPSHOT'
  | 'ERR_PROVIDER_TIMEOUT'
  | 'ERR_PROVIDER_REFUSED'
  | 'ERR_PROVIDER_CONFLICT'
  | 'ERR_PROVIDER_IGNORED_UPDATE'
  | 'ERR_NOT_RUNNING'
  | 'ERR_ALREADY_RUNNING'
  | 'ERR_METRICS_SERVER'
  | 'ERR_ROLLBACK_GENERATION'
  | 'ERR_ROLLBACK_REFUSED'
  | 'ERR_DRAIN_TARGET';

export interface ErrorPlace {
  /** Where the bad input is: `file:line`, a config path, `offset 17` of a packet. */
  readonly where?: string;
  /** One sentence that says how to fix it. */
  readonly hint?: string;
  readonly cause?: unknown;
}

export class ResoluteError extends Error {
  readonly code: ErrorCode;
  readonly reason: string;
  readonly where: string | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, reason: string, place: ErrorPlace = {}) {
    const where = place.where === undefined ? '' : ` (${place.where})`;
    const hint = place.hint === undefined ? '' : `; ${place.hint}`;
    super(`${code}: ${reason}${where}${hint}`, place.cause === undefined ? undefined : { cause: place.cause });
    this.name = 'ResoluteError';
    this.code = code;
    this.reason = reason;
    this.where = place.where;
    this.hint = place.hint;
  }
}

/** Several input errors reported at once (a zone file or config with many mistakes). */
export class ResoluteErrorList extends Error {
  readonly code: ErrorCode;
  readonly errors: readonly ResoluteError[];

  constructor(errors: readonly ResoluteError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'ResoluteErrorList';
    this.code = errors[0]?.code ?? 'ERR_ASSERTION';
    this.errors = errors;
  }
}
