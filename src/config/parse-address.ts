import { isIPv4, isIPv6 } from 'node:net';

/**
 * An IP address as written → its family and canonical text (IPv6 in the RFC 5952 form:
 * lower case, zeros compressed), or undefined when it is not an address. Zone indexes
 * (`fe80::1%eth0`) are refused: a DNS record cannot carry one.
 */
export function parseAddress(text: string): { family: 4 | 6; address: string } | undefined {
  if (isIPv4(text)) return { family: 4, address: text };
  if (isIPv6(text) && !text.includes('%')) {
    // WHATWG URL serializes an IPv6 host in the RFC 5952 §4 canonical form.
    return { family: 6, address: new URL(`http://[${text}]/`).hostname.slice(1, -1) };
  }
  return undefined;
}
