/**
 * A persistent hash array mapped trie (Bagwell 2001) from domain names in wire form to values.
 *
 * Why this and not a Map: a zone table is an immutable snapshot swapped by one assignment
 * (CONVENTIONS rule 12), and a plan that changes k names must cost O(k) to publish, not
 * O(zone) (a 250,000-name zone would otherwise be copied on every plan). Setting a name copies
 * only the path from the root to its leaf — at most 7 small nodes — and shares the rest with the
 * previous snapshot, which keeps answering queries meanwhile.
 *
 * Why hashing the wire bytes ourselves: the query path hashes the question name straight from the
 * packet (name-hash.ts) and compares bytes here, so looking up a name allocates nothing — no
 * string, no lower-cased copy.
 *
 * Locality: a lookup is a chain of dependent loads, each likely a cache miss on a large zone,
 * so the top of the trie is one flat array of 2^rootBits slots indexed by the low hash bits
 * (chosen from the expected size: about one name per slot), and only the names sharing a slot
 * go down a 32-way trie. An edit copies that array once (at most 512 KiB, for 2^16 slots)
 * plus the paths it changes.
 *
 * Bulk builds use an edit token (like Clojure's transients): nodes created under the current
 * token are updated in place, so loading a zone allocates each node once.
 */

const BRANCH = 0;
const LEAF = 1;
const COLLISION = 2;
const BITS = 5;
const MASK = 31;

type EditToken = object | null;

/** One class for every node kind keeps the lookup loop monomorphic. */
/** A trie node (internal: exported only so NameTrie.fromRoot can name it). */
export class TrieNode<V> {
  constructor(
    public tag: number,
    public edit: EditToken,
    public bitmap: number,
    public children: TrieNode<V>[] | null,
    public hash: number,
    public key: Uint8Array | null,
    public value: V | undefined,
  ) {}
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * Compares a stored key (lower-case wire name) with the name at `offset` in `bytes`, folding
 * ASCII letters to lower case (RFC 4343). With `skip` = 2 the stored key's first label must be
 * `*` and the rest is compared (RFC 4592 wildcard lookup of `*.<encloser>`).
 */
function keyMatches(key: Uint8Array, bytes: Uint8Array, offset: number, skip: number): boolean {
  if (skip === 2 && (key[0] !== 1 || key[1] !== 0x2a)) return false;
  const n = key.length - skip;
  for (let i = 0; i < n; i++) {
    const c = bytes[offset + i];
    const k = key[skip + i];
    // Equal octets are the common case (queries are mostly lower case): one comparison.
    if (c !== k && (c < 0x41 || c > 0x5a || (c | 0x20) !== k)) return false;
  }
  return true;
}

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

type Slots<V> = (TrieNode<V> | undefined)[];

/** Root bits for an expected number of names: about one name per slot, 2^8 to 2^16 slots. */
export function rootBitsFor(expectedSize: number): number {
  return Math.min(16, Math.max(8, Math.ceil(Math.log2(Math.max(1, expectedSize)))));
}

export class NameTrie<V> {
  static empty<V>(rootBits = 8): NameTrie<V> {
    return new NameTrie<V>(new Array<TrieNode<V> | undefined>(1 << rootBits).fill(undefined), rootBits, 0);
  }

  /** For NameTrieEditor.finish() only. */
  static fromSlots<V>(slots: Slots<V>, rootBits: number, size: number): NameTrie<V> {
    return new NameTrie<V>(slots, rootBits, size);
  }

  private readonly rootMask: number;

  private constructor(
    private readonly slots: Slots<V>,
    readonly rootBits: number,
    /** Number of names in the trie. */
    readonly size: number,
  ) {
    this.rootMask = (1 << rootBits) - 1;
  }

  /** The value for the name at `offset` in `bytes` (wire form, any case), given its hash. */
  get(hash: number, bytes: Uint8Array, offset: number): V | undefined {
    return this.find(hash, bytes, offset, 0);
  }

  /** The value stored for `*.<name at offset>`; `hash` is wildcardHash() of the name's hash. */
  getWildcard(hash: number, bytes: Uint8Array, offset: number): V | undefined {
    return this.find(hash, bytes, offset, 2);
  }

  private find(hash: number, bytes: Uint8Array, offset: number, skip: number): V | undefined {
    let node = this.slots[hash & this.rootMask];
    let shift = this.rootBits;
    while (node !== undefined) {
      if (node.tag === BRANCH) {
        const bit = 1 << ((hash >>> shift) & MASK);
        if ((node.bitmap & bit) === 0) return undefined;
        node = (node.children as TrieNode<V>[])[popcount(node.bitmap & (bit - 1))];
        shift += BITS;
      } else if (node.tag === LEAF) {
        return node.hash === hash && keyMatches(node.key as Uint8Array, bytes, offset, skip) ? node.value : undefined;
      } else {
        if (node.hash !== hash) return undefined;
        for (const leaf of node.children as TrieNode<V>[]) {
          if (keyMatches(leaf.key as Uint8Array, bytes, offset, skip)) return leaf.value;
        }
        return undefined;
      }
    }
    return undefined;
  }

  /** A new trie with `key` (lower-case wire name) set to `value`; this one is unchanged. */
  set(hash: number, key: Uint8Array, value: V): NameTrie<V> {
    return this.edit((editor) => editor.set(hash, key, value));
  }

  /** A new trie without `key`; this one is unchanged. */
  delete(hash: number, key: Uint8Array): NameTrie<V> {
    return this.edit((editor) => editor.delete(hash, key));
  }

  /**
   * Applies many changes and returns the new trie. Inside `change`, nodes created by this edit
   * are updated in place; nodes shared with this trie are copied on first write.
   */
  edit(change: (editor: NameTrieEditor<V>) => void): NameTrie<V> {
    const editor = new NameTrieEditor<V>(this.slots, this.rootBits, this.size);
    change(editor);
    return editor.finish();
  }

  /** Every (key, value) pair, in no particular order. */
  *entries(): IterableIterator<[Uint8Array, V]> {
    for (const node of this.slots) if (node !== undefined) yield* walk(node);
  }
}

function* walk<V>(node: TrieNode<V>): IterableIterator<[Uint8Array, V]> {
  if (node.tag === LEAF) {
    yield [node.key as Uint8Array, node.value as V];
    return;
  }
  for (const child of node.children as TrieNode<V>[]) yield* walk(child);
}

/** Mutates a trie under one edit token; obtained from NameTrie.edit(). */
export class NameTrieEditor<V> {
  private readonly token: object = {};
  private done = false;
  private slots: Slots<V>;
  private isCopied = false;
  private readonly mask: number;

  constructor(
    shared: Slots<V>,
    private readonly rootBits: number,
    private size: number,
  ) {
    this.slots = shared;
    this.mask = (1 << rootBits) - 1;
  }

  set(hash: number, key: Uint8Array, value: V): void {
    this.checkOpen();
    const leaf = new TrieNode<V>(LEAF, this.token, 0, null, hash, key, value);
    const slots = this.ownSlots();
    const at = hash & this.mask;
    const node = slots[at];
    if (node === undefined) {
      slots[at] = leaf;
      this.size++;
      return;
    }
    slots[at] = this.insert(node, this.rootBits, leaf);
  }

  delete(hash: number, key: Uint8Array): void {
    this.checkOpen();
    const at = hash & this.mask;
    const node = this.slots[at];
    if (node === undefined) return;
    const result = this.remove(node, this.rootBits, hash, key);
    if (result !== NOT_FOUND) this.ownSlots()[at] = (result as TrieNode<V> | null) ?? undefined;
  }

  finish(): NameTrie<V> {
    this.checkOpen();
    this.done = true;
    return NameTrie.fromSlots(this.slots, this.rootBits, this.size);
  }

  /** The slot array, copied on the first write of this edit (the old trie keeps its own). */
  private ownSlots(): Slots<V> {
    if (!this.isCopied) {
      this.slots = this.slots.slice();
      this.isCopied = true;
    }
    return this.slots;
  }

  private checkOpen(): void {
    if (this.done) throw new Error('NameTrieEditor used after finish()');
  }

  private editable(node: TrieNode<V>): TrieNode<V> {
    if (node.edit === this.token) return node;
    return new TrieNode<V>(
      node.tag,
      this.token,
      node.bitmap,
      node.children === null ? null : node.children.slice(),
      node.hash,
      node.key,
      node.value,
    );
  }

  private insert(node: TrieNode<V>, shift: number, leaf: TrieNode<V>): TrieNode<V> {
    if (node.tag === BRANCH) {
      const bit = 1 << ((leaf.hash >>> shift) & MASK);
      const index = popcount(node.bitmap & (bit - 1));
      const copy = this.editable(node);
      const children = copy.children as TrieNode<V>[];
      if ((node.bitmap & bit) === 0) {
        children.splice(index, 0, leaf);
        copy.bitmap |= bit;
        this.size++;
      } else {
        children[index] = this.insert(children[index], shift + BITS, leaf);
      }
      return copy;
    }
    if (node.tag === LEAF) {
      if (node.hash === leaf.hash) {
        if (sameKey(node.key as Uint8Array, leaf.key as Uint8Array)) return leaf;
        this.size++;
        return new TrieNode<V>(COLLISION, this.token, 0, [node, leaf], leaf.hash, null, undefined);
      }
      this.size++;
      return this.split(node, leaf, shift);
    }
    // COLLISION
    if (node.hash === leaf.hash) {
      const copy = this.editable(node);
      const leaves = copy.children as TrieNode<V>[];
      const at = leaves.findIndex((l) => sameKey(l.key as Uint8Array, leaf.key as Uint8Array));
      if (at >= 0) leaves[at] = leaf;
      else {
        leaves.push(leaf);
        this.size++;
      }
      return copy;
    }
    this.size++;
    return this.split(node, leaf, shift);
  }

  /** A branch holding two nodes whose hashes differ at or below `shift`. */
  private split(a: TrieNode<V>, b: TrieNode<V>, shift: number): TrieNode<V> {
    // Below one slot the low rootBits agree, and two different hashes differ above them, so the
    // fragments part before the shift passes 31.
    if (shift > 31) throw new Error('NameTrie: hashes equal on all bits but not collided');
    const fa = (a.hash >>> shift) & MASK;
    const fb = (b.hash >>> shift) & MASK;
    if (fa === fb) {
      return new TrieNode<V>(BRANCH, this.token, 1 << fa, [this.split(a, b, shift + BITS)], 0, null, undefined);
    }
    const children = fa < fb ? [a, b] : [b, a];
    return new TrieNode<V>(BRANCH, this.token, (1 << fa) | (1 << fb), children, 0, null, undefined);
  }

  private remove(node: TrieNode<V>, shift: number, hash: number, key: Uint8Array): TrieNode<V> | null | typeof NOT_FOUND {
    if (node.tag === LEAF) {
      if (node.hash !== hash || !sameKey(node.key as Uint8Array, key)) return NOT_FOUND;
      this.size--;
      return null;
    }
    if (node.tag === COLLISION) {
      if (node.hash !== hash) return NOT_FOUND;
      const leaves = node.children as TrieNode<V>[];
      const at = leaves.findIndex((l) => sameKey(l.key as Uint8Array, key));
      if (at < 0) return NOT_FOUND;
      this.size--;
      if (leaves.length === 2) return leaves[1 - at];
      const copy = this.editable(node);
      (copy.children as TrieNode<V>[]).splice(at, 1);
      return copy;
    }
    const bit = 1 << ((hash >>> shift) & MASK);
    if ((node.bitmap & bit) === 0) return NOT_FOUND;
    const index = popcount(node.bitmap & (bit - 1));
    const child = (node.children as TrieNode<V>[])[index];
    const result = this.remove(child, shift + BITS, hash, key);
    if (result === NOT_FOUND) return NOT_FOUND;
    const copy = this.editable(node);
    const children = copy.children as TrieNode<V>[];
    if (result === null) {
      children.splice(index, 1);
      copy.bitmap &= ~bit;
      if (children.length === 0) return null;
      // A branch left with one leaf collapses into it, so lookups stay short.
      if (children.length === 1 && children[0].tag !== BRANCH) return children[0];
    } else {
      children[index] = result as TrieNode<V>;
    }
    return copy;
  }
}

const NOT_FOUND = Symbol('not found');
