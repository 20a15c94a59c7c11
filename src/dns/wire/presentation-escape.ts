/**
 * The escapes of RFC 1035 §5.1, shared by names and character-strings: `\X` is the character
 * X taken literally, `\DDD` the octet with decimal value DDD (three digits, at most 255).
 * Characters outside ASCII stand for their UTF-8 octets.
 */

/** Decodes the escape starting at the backslash text[i]; returns the index after it. */
export function decodeEscape(
  text: string,
  i: number,
  push: (octet: number) => void,
  fail: (reason: string) => Error,
): number {
  if (i + 1 >= text.length) throw fail('a backslash ends the text');
  const next = text.charCodeAt(i + 1);
  if (next >= 0x30 && next <= 0x39) {
    const digits = text.slice(i + 1, i + 4);
    if (!/^\d{3}$/.test(digits)) throw fail(`"\\${digits}": \\DDD needs three decimal digits`);
    const value = Number(digits);
    if (value > 255) throw fail(`"\\${digits}": \\DDD is above 255`);
    push(value);
    return i + 4;
  }
  return pushCharacter(text, i + 1, push);
}

const utf8 = new TextEncoder();

/** Pushes the octets of the character at text[i] (UTF-8 when not ASCII); returns the next index. */
export function pushCharacter(text: string, i: number, push: (octet: number) => void): number {
  const c = text.charCodeAt(i);
  if (c < 0x80) {
    push(c);
    return i + 1;
  }
  const character = String.fromCodePoint(text.codePointAt(i) as number);
  for (const octet of utf8.encode(character)) push(octet);
  return i + character.length;
}

/** Decodes a whole text (a character-string's content) to octets. */
export function decodeText(text: string, fail: (reason: string) => Error): Uint8Array {
  const out: number[] = [];
  const push = (octet: number): void => {
    out.push(octet);
  };
  let i = 0;
  while (i < text.length) {
    i = text.charCodeAt(i) === 0x5c ? decodeEscape(text, i, push, fail) : pushCharacter(text, i, push);
  }
  return Uint8Array.from(out);
}
