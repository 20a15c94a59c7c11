import { ResoluteError } from '../../base/errors.js';

/**
 * A malformed DNS message: names the byte offset where parsing stopped, so a server can answer
 * FORMERR (RFC 1035 §4.1.1) and a log line says exactly which byte was wrong.
 */
export class WireFormatError extends ResoluteError {
  /** Offset in the message of the first byte that could not be accepted. */
  readonly offset: number;

  constructor(reason: string, offset: number) {
    super('ERR_WIRE_FORMAT', reason, { where: `offset ${offset}` });
    this.name = 'WireFormatError';
    this.offset = offset;
  }
}
