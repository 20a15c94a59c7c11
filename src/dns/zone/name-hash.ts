/**
 * The hash of a domain name in wire form, folded from the root towards the leftmost label.
 *
 * Every octet is OR-ed with 0x20 before it is folded: that lower-cases ASCII letters without a
 * branch (RFC 4343) and only merges some non-letters in the hash, which the byte comparison
 * in name-trie.ts tells apart again.
 *
 * Folding from the root means that while hashing `www.api.demo.test.` we get the hash of every
 * suffix (`test.`, `demo.test.`, `api.demo.test.`) for free; the query path uses them to find
 * the closest encloser (RFC 4592 §3.3.1) of a name that is not in the table without hashing
 * anything twice. Letters are folded to lower case (RFC 4343: DNS names compare
 * case-insensitively), so a query for `WWW.Api.demo.test` hashes like the table's key.
 *
 * FNV-1a on 32 bits: tiny, allocation-free, and good enough spread for a hash trie whose
 * collisions are resolved by comparing the bytes.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** The hash of the root name; every name's fold starts here. */
export const ROOT_HASH = FNV_OFFSET | 0;

/** Folds one label (its length octet at `offset`, then the octets) into `hash`. */
export function foldLabel(hash: number, bytes: Uint8Array, offset: number): number {
  const length = bytes[offset];
  let h = Math.imul(hash ^ length, FNV_PRIME);
  const end = offset + 1 + length;
  for (let i = offset + 1; i < end; i++) h = Math.imul(h ^ (bytes[i] | 0x20), FNV_PRIME);
  return h;
}

const WILDCARD_LABEL = Uint8Array.of(1, 0x2a);

/** The hash of `*.<name>` given the hash of `<name>` (RFC 4592 wildcard owner). */
export function wildcardHash(parentHash: number): number {
  return foldLabel(parentHash, WILDCARD_LABEL, 0);
}

/**
 * Hashes an uncompressed wire name that starts at `offset`; returns the hash of the whole name.
 * `labelOffsets`, when given, receives the offset of each label (leftmost first) and
 * `suffixHashes[i]` the hash of the suffix starting at `labelOffsets[i]`; the return value is
 * the label count. Both arrays must hold 128 entries (a name has at most 127 labels).
 * The name must already be validated (labels < 64, a root label within bounds).
 */
export function hashWireName(bytes: Uint8Array, offset: number): number {
  let count = 0;
  let p = offset;
  while (bytes[p] !== 0) {
    scratchOffsets[count++] = p;
    p += bytes[p] + 1;
  }
  let h = ROOT_HASH;
  for (let i = count - 1; i >= 0; i--) h = foldLabel(h, bytes, scratchOffsets[i]);
  return h;
}

const scratchOffsets = new Int32Array(128);

/**
 * Fills `labelOffsets` and `suffixHashes` for a validated wire name at `offset` and returns the
 * number of labels. `suffixHashes[count]` is the root's hash, `suffixHashes[0]` the whole name's.
 */
export function hashWireSuffixes(
  bytes: Uint8Array,
  offset: number,
  labelOffsets: Int32Array,
  suffixHashes: Int32Array,
): number {
  let count = 0;
  let p = offset;
  while (bytes[p] !== 0) {
    labelOffsets[count++] = p;
    p += bytes[p] + 1;
  }
  labelOffsets[count] = p;
  let h = ROOT_HASH;
  suffixHashes[count] = h;
  for (let i = count - 1; i >= 0; i--) {
    h = foldLabel(h, bytes, labelOffsets[i]);
    suffixHashes[i] = h;
  }
  return count;
}
