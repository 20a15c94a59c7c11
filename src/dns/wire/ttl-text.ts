/**
 * A time value in a zone file: plain seconds (RFC 1035 §5.1) or BIND's units, as every server
 * accepts them: `3600`, `1h`, `1h30m`, `2w` (w d h m s, any case). Used for SOA timers here
 * and available to the zone-file parser for TTLs and `$TTL`.
 *
 * `max` defaults to 2^31 − 1, the largest TTL (RFC 2181 §8); SOA timers pass 2^32 − 1.
 * Returns undefined when the text is not such a value or exceeds `max`.
 */
export function parseTtl(text: string, max = 0x7fffffff): number | undefined {
  let seconds: number;
  if (/^\d+$/.test(text)) {
    seconds = Number(text);
  } else {
    if (!/^(\d+[wdhms])+$/i.test(text)) return undefined;
    seconds = 0;
    for (const [, value, unit] of text.matchAll(/(\d+)([wdhms])/gi)) {
      seconds += Number(value) * UNIT_SECONDS[unit.toLowerCase()];
    }
  }
  return Number.isSafeInteger(seconds) && seconds <= max ? seconds : undefined;
}

const UNIT_SECONDS: Record<string, number> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };
