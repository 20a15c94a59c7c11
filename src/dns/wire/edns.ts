import { WireFormatError } from './wire-format-error.js';

/**
 * EDNS(0) (RFC 6891): the OPT pseudo-record, kept out of the additional section and seen as
 * these fields.
 */

export interface EdnsOptionField {
  readonly code: number;
  readonly data: Uint8Array;
}

export interface Edns {
  /**
   * The requestor's UDP payload size, from the OPT CLASS, as received. RFC 6891 §6.2.5: a value
   * below 512 must be treated as 512 — the reader of this field applies that.
   */
  readonly udpSize: number;
  /**
   * The upper 8 bits of the 12-bit RCODE, as received (RFC 6891 §6.1.3). Message.rcode already
   * holds the full value; serializeMessage writes these bits from Message.rcode and ignores
   * this field.
   */
  readonly extendedRcode: number;
  /** EDNS version; only 0 is defined, and a server answers BADVERS to others (RFC 6891 §6.1.3). */
  readonly version: number;
  /** The DO bit (RFC 3225). */
  readonly dnssecOk: boolean;
  readonly options: readonly EdnsOptionField[];
}

/**
 * The Edns of an OPT record whose CLASS, TTL and rdata (buf[offset, offset + length)) were
 * read by the message parser. The Z bits are ignored, as RFC 6891 §6.1.4 asks of receivers.
 */
export function ednsFromOpt(klass: number, ttl: number, buf: Uint8Array, offset: number, length: number): Edns {
  const options: EdnsOptionField[] = [];
  const end = offset + length;
  // RFC 6891 §6.1.2: the rdata is a sequence of {OPTION-CODE, OPTION-LENGTH, OPTION-DATA}.
  for (let pos = offset; pos < end; ) {
    if (pos + 4 > end) throw new WireFormatError('EDNS option header runs past the OPT rdata', pos);
    const code = (buf[pos] << 8) | buf[pos + 1];
    const optionLength = (buf[pos + 2] << 8) | buf[pos + 3];
    if (pos + 4 + optionLength > end) throw new WireFormatError('EDNS option data runs past the OPT rdata', pos);
    // A copy, not buf.slice(): on a Node Buffer slice is a view of the receive buffer.
    options.push({ code, data: new Uint8Array(buf.subarray(pos + 4, pos + 4 + optionLength)) });
    pos += 4 + optionLength;
  }
  return {
    udpSize: klass,
    extendedRcode: ttl >>> 24,
    version: (ttl >>> 16) & 0xff,
    dnssecOk: (ttl & 0x8000) !== 0,
    options,
  };
}

/** The OPT record's TTL field: extended RCODE, VERSION, DO, and Z = 0 (RFC 6891 §6.1.3). */
export function optTtl(edns: Edns, rcode: number): number {
  return (((rcode >>> 4) << 24) | (edns.version << 16) | (edns.dnssecOk ? 0x8000 : 0)) >>> 0;
}

/** The OPT record's rdata: the options in order. */
export function optRdata(edns: Edns): Uint8Array {
  const out = new Uint8Array(edns.options.reduce((sum, option) => sum + 4 + option.data.length, 0));
  let pos = 0;
  for (const { code, data } of edns.options) {
    out[pos] = code >>> 8;
    out[pos + 1] = code & 0xff;
    out[pos + 2] = data.length >>> 8;
    out[pos + 3] = data.length & 0xff;
    out.set(data, pos + 4);
    pos += 4 + data.length;
  }
  return out;
}
