import { parseName } from '../dns/wire/name.js';

/**
 * A name as written in resolute.yaml → canonical (`API.demo.test` → `api.demo.test.`), or a
 * reason it is not one.
 *
 * Names in the config are always absolute, with or without the trailing dot: a YAML file has no
 * $ORIGIN, and `nameservers: [ns1.demo.test]` must not silently mean `ns1.demo.test.demo.test.`.
 * Host names use letters, digits, `-` and `_` (RFC 952/1123, plus `_` for service labels such
 * as `_dmarc`) and a leading `*` label for wildcards; anything else is almost always a typo.
 */
export function parseConfigName(text: string): { name: string } | { reason: string } {
  const absolute = text.endsWith('.') ? text : `${text}.`;
  const labels = absolute.slice(0, -1).split('.');
  for (const [i, label] of labels.entries()) {
    if (label === '') return { reason: `"${text}" has an empty label` };
    if (label === '*' && i === 0) continue;
    if (!/^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?$/.test(label)) {
      return { reason: `"${text}" is not a host name: label "${label}" may hold only letters, digits, - and _, not at its ends` };
    }
  }
  try {
    return { name: parseName(absolute) };
  } catch (error) {
    return { reason: error instanceof Error && 'reason' in error ? String(error.reason) : String(error) };
  }
}
