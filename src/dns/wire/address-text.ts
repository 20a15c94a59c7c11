/**
 * IP addresses as text and bytes, strictly: the forms A and AAAA records take in a zone file
 * (RFC 1035 §3.4.1, RFC 3596 §2.4 → RFC 4291 §2.2) and the forms dig prints (RFC 5952).
 */

/** `192.0.2.1` → 4 octets, or undefined. Leading zeros are refused: `010` could be octal. */
export function parseIPv4(text: string): Uint8Array | undefined {
  // A character loop, not split and a regex: zone files hold millions of these.
  const out = new Uint8Array(4);
  let octet = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i === text.length ? 0x2e : text.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || value > 255 || octet > 3) return undefined;
      out[octet++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && value === 0) return undefined; // a leading zero: `010` could be octal
      if (++digits > 3) return undefined;
      value = value * 10 + (c - 0x30);
    } else {
      return undefined;
    }
  }
  return octet === 4 ? out : undefined;
}

/**
 * Any RFC 4291 §2.2 text form → 16 octets, or undefined: full, `::`-compressed (one `::`
 * standing for one or more zero groups), with a trailing dotted IPv4. No zone index (`%eth0`).
 */
export function parseIPv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const isCompressed = halves.length === 2;
  // A dotted IPv4 may only end the address: at the end of the tail, or of the head when uncompressed.
  const head = parseWords(halves[0], !isCompressed);
  const tail = isCompressed ? parseWords(halves[1], true) : [];
  if (head === undefined || tail === undefined) return undefined;
  const count = head.length + tail.length;
  if (isCompressed ? count > 7 : count !== 8) return undefined;
  const out = new Uint8Array(16);
  const put = (index: number, word: number): void => {
    out[index * 2] = word >> 8;
    out[index * 2 + 1] = word & 0xff;
  };
  head.forEach((word, i) => put(i, word));
  tail.forEach((word, i) => put(8 - tail.length + i, word));
  return out;
}

/** `1:2:a` → words; '' → none; a last group `192.0.2.1` counts as two words when allowed. */
function parseWords(part: string, mayEndInIPv4: boolean): number[] | undefined {
  if (part === '') return [];
  const groups = part.split(':');
  const words: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i];
    if (/^[0-9a-fA-F]{1,4}$/.test(group)) {
      words.push(parseInt(group, 16));
      continue;
    }
    const v4 = mayEndInIPv4 && i === groups.length - 1 ? parseIPv4(group) : undefined;
    if (v4 === undefined) return undefined;
    words.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
  }
  return words;
}

export function formatIPv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/**
 * RFC 5952 §4: lower case, no leading zeros, the longest run of two or more zero groups (the
 * first on a tie) as `::`; RFC 5952 §5: IPv4-mapped addresses end in dotted IPv4.
 */
export function formatIPv6(bytes: Uint8Array, offset = 0): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((bytes[offset + i * 2] << 8) | bytes[offset + i * 2 + 1]);
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `::ffff:${formatIPv4(bytes, offset + 12)}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string => words.slice(from, to).map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}
