/** DNS numbers from the IANA registries, named as the RFCs name them. */

export const RRType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  DS: 43,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
  CAA: 257,
} as const;

export const RRClass = {
  IN: 1,
  CH: 3,
  NONE: 254,
  ANY: 255,
} as const;

export const Opcode = {
  QUERY: 0,
  NOTIFY: 4,
  UPDATE: 5,
} as const;

/** RCODEs; values above 15 only exist with EDNS (RFC 6891 §6.1.3) or in TSIG (RFC 8945). */
export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
  BADVERS: 16,
} as const;

/** EDNS option codes (IANA "DNS EDNS0 Option Codes"). */
export const EdnsOption = {
  COOKIE: 10,
} as const;

const typeNames = new Map<number, string>(Object.entries(RRType).map(([name, code]) => [code, name]));
const typeCodes = new Map<string, number>(Object.entries(RRType).map(([name, code]) => [name, code]));

/** `A`, `AAAA`, … or RFC 3597's `TYPE65534` for types without a mnemonic. */
export function typeName(type: number): string {
  return typeNames.get(type) ?? `TYPE${type}`;
}

/** The code for a mnemonic or a `TYPEnnn` (RFC 3597 §5), or undefined. Case-insensitive. */
export function typeCode(name: string): number | undefined {
  const upper = name.toUpperCase();
  const known = typeCodes.get(upper);
  if (known !== undefined) return known;
  const generic = /^TYPE(\d{1,5})$/.exec(upper);
  if (generic === null) return undefined;
  const code = Number(generic[1]);
  return code <= 0xffff ? code : undefined;
}

export function rcodeName(rcode: number): string {
  for (const [name, code] of Object.entries(Rcode)) if (code === rcode) return name;
  return `RCODE${rcode}`;
}
