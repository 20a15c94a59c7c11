/**
 * A static record's value (canonical presentation form, as config/parse-static-value.ts leaves
 * it) → its wire rdata, through dns/wire's rdataFromText.
 */
import { assert } from '../base/assert.js';
import { RRType, typeCode } from '../dns/wire/constants.js';
import { rdataFromText } from '../dns/wire/rdata-text.js';

export interface StaticValue {
  readonly type: string;
  readonly value: string;
}

export function staticRecordType(record: StaticValue): number {
  const type = typeCode(record.type);
  assert(type !== undefined && type !== RRType.SOA, `static record type ${record.type} is one the config allows`);
  return type;
}

/** @throws ResoluteError ERR_RDATA_INVALID when the value does not fit its type (a config bug upstream). */
export function staticRecordRdata(record: StaticValue, apex: string): Uint8Array {
  return rdataFromText(staticRecordType(record), presentationFields(record.value), apex);
}

/**
 * Splits presentation text into fields the way rdataFromText expects them (its "HOW FIELDS
 * ARRIVE"): at unescaped white space outside quotes; a quoted field without its quotes; every
 * backslash kept (RFC 1035 §5.1 escapes are decoded by rdataFromText, per field).
 */
export function presentationFields(text: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    const isQuoted = c === '"';
    let j = isQuoted ? i + 1 : i;
    let field = '';
    while (j < text.length) {
      const d = text[j];
      if (d === '\\' && j + 1 < text.length) {
        field += text.slice(j, j + 2);
        j += 2;
        continue;
      }
      if (isQuoted ? d === '"' : d === ' ' || d === '\t') break;
      field += d;
      j++;
    }
    fields.push(field);
    i = isQuoted ? j + 1 : j;
  }
  return fields;
}
