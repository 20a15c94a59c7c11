import type { StaticRecordType } from './config.js';
import { parseAddress } from './parse-address.js';
import { parseConfigName } from './parse-config-name.js';

/**
 * One static record value in presentation form (RFC 1035 §5.1 and each type's RFC) → its
 * canonical presentation form (names absolute and lower case, TXT quoted), or the reason it is
 * wrong. Names follow the config rule: absolute with or without the trailing dot.
 */
export function parseStaticValue(type: StaticRecordType, text: string): { value: string } | { reason: string } {
  const value = text.trim();
  switch (type) {
    case 'A':
    case 'AAAA': {
      const parsed = parseAddress(value);
      const family = type === 'A' ? 4 : 6;
      if (parsed === undefined || parsed.family !== family) return { reason: `"${value}" is not an IPv${family} address` };
      return { value: parsed.address };
    }
    case 'CNAME':
    case 'NS':
      return nameValue(value);
    case 'MX': {
      // RFC 1035 §3.3.9: PREFERENCE EXCHANGE.
      const [preference, exchange, ...rest] = value.split(/\s+/);
      if (rest.length > 0 || exchange === undefined) return { reason: `MX needs "preference exchange", got "${value}"` };
      if (!isUint(preference, 0xffff)) return { reason: `MX preference must be 0–65535, got "${preference}"` };
      const name = nameValue(exchange);
      return 'reason' in name ? name : { value: `${Number(preference)} ${name.value}` };
    }
    case 'SRV': {
      // RFC 2782: PRIORITY WEIGHT PORT TARGET.
      const parts = value.split(/\s+/);
      if (parts.length !== 4) return { reason: `SRV needs "priority weight port target", got "${value}"` };
      for (const number of parts.slice(0, 3)) {
        if (!isUint(number, 0xffff)) return { reason: `SRV priority, weight and port must be 0–65535, got "${number}"` };
      }
      const name = nameValue(parts[3]);
      return 'reason' in name ? name : { value: `${parts.slice(0, 3).map(Number).join(' ')} ${name.value}` };
    }
    case 'TXT':
      return txtValue(value);
    case 'CAA': {
      // RFC 8659 §4.1.1: FLAGS TAG VALUE; the tag is ASCII letters and digits.
      const match = /^(\d+)\s+([A-Za-z0-9]+)\s+(.*)$/.exec(value);
      if (match === null) return { reason: `CAA needs 'flags tag "value"', got "${value}"` };
      if (!isUint(match[1], 255)) return { reason: `CAA flags must be 0–255, got "${match[1]}"` };
      const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(match[3]);
      const inner = quoted === null ? match[3] : quoted[1];
      if (quoted === null && /[\s"]/.test(inner)) return { reason: `CAA value with spaces must be quoted, got ${match[3]}` };
      return { value: `${Number(match[1])} ${match[2].toLowerCase()} "${inner}"` };
    }
  }
}

function nameValue(text: string): { value: string } | { reason: string } {
  const parsed = parseConfigName(text);
  return 'name' in parsed ? { value: parsed.name } : parsed;
}

function isUint(text: string | undefined, max: number): boolean {
  return text !== undefined && /^\d+$/.test(text) && Number(text) <= max;
}

/**
 * RFC 1035 §3.3.14: TXT is one or more character-strings of at most 255 octets. A value written
 * with quotes is taken as those strings; a bare value is one text, split at 255 octets.
 */
function txtValue(text: string): { value: string } | { reason: string } {
  if (text.startsWith('"')) {
    const strings: string[] = [];
    const quoted = /\s*"((?:[^"\\]|\\.)*)"(?=\s|$)/y;
    while (quoted.lastIndex < text.length) {
      const start = quoted.lastIndex;
      const match = quoted.exec(text);
      if (match === null) return { reason: `TXT value has an unterminated or stray quote after offset ${start}: ${text}` };
      if (Buffer.byteLength(match[1].replace(/\\(.)/g, '$1')) > 255) {
        return { reason: 'a TXT character-string is longer than 255 octets (RFC 1035 §3.3); split it into several quoted strings' };
      }
      strings.push(`"${match[1]}"`);
    }
    return { value: strings.join(' ') };
  }
  const bytes = Buffer.from(text);
  const chunks: string[] = [];
  for (let i = 0; i < bytes.length || i === 0; i += 255) {
    chunks.push(`"${bytes.subarray(i, i + 255).toString().replace(/[\\"]/g, '\\$&')}"`);
    if (bytes.length === 0) break;
  }
  return { value: chunks.join(' ') };
}
