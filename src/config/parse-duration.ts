const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * `500ms` → 500, `1s` → 1000, `1.5s` → 1500, `2m`, `1h`; undefined when the text is not a
 * duration. Rounds to whole milliseconds (every timer in Resolute works in ms).
 */
export function parseDuration(text: string): number | undefined {
  const match = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)$/.exec(text.trim());
  if (match === null) return undefined;
  return Math.round(Number(match[1]) * UNIT_MS[match[2]]);
}
