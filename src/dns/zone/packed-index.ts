/**
 * The query path's index: name hash → location of the name's packed record (packed-record.ts)
 * in the answer arena. A flat array of slots indexed by the low bits of the hash; a slot holds
 * -1 (empty), one location, or a small array of locations (names sharing the slot).
 *
 * A lookup reads one slot (an integer, no object) and then the record itself: two or three
 * cache lines for a whole answer. Versions share everything: an edit copies the slot array once
 * (8 octets a slot; about one slot per name, 2^8 to 2^18 slots) and the few shared-slot arrays
 * it changes; records are never rewritten, only new ones appended (answer-arena.ts).
 */
import { CHUNK_BITS, OFFSET_MASK, type AnswerArena } from './answer-arena.js';
import { recordHasKey, recordMatches, recordOctets } from './packed-record.js';

type Slot = number | number[];

const EMPTY = -1;
const ROOT_BITS_MIN = 8;
const ROOT_BITS_MAX = 18;

export function indexBitsFor(expectedNames: number): number {
  return Math.min(ROOT_BITS_MAX, Math.max(ROOT_BITS_MIN, Math.ceil(Math.log2(Math.max(1, expectedNames)))));
}

export class PackedIndex {
  static empty(arena: AnswerArena, expectedNames: number): PackedIndex {
    const bits = indexBitsFor(expectedNames);
    return new PackedIndex(arena, new Array<Slot>(1 << bits).fill(EMPTY), bits, 0, 0);
  }

  private readonly mask: number;

  constructor(
    readonly arena: AnswerArena,
    private readonly slots: readonly Slot[],
    readonly bits: number,
    /** Names indexed. */
    readonly size: number,
    /** Octets of the records this version points at: the arena's live part. */
    readonly liveOctets: number,
  ) {
    this.mask = (1 << bits) - 1;
  }

  /** The location of the record for the name at `offset` in `bytes`, or -1. */
  find(hash: number, bytes: Uint8Array, offset: number): number {
    const slot = this.slots[hash & this.mask];
    const chunks = this.arena.chunks;
    if (typeof slot === 'number') {
      if (slot === EMPTY) return EMPTY;
      return recordMatches(chunks[slot >>> CHUNK_BITS], slot & OFFSET_MASK, hash, bytes, offset) ? slot : EMPTY;
    }
    for (let i = 0; i < slot.length; i++) {
      const location = slot[i];
      if (recordMatches(chunks[location >>> CHUNK_BITS], location & OFFSET_MASK, hash, bytes, offset)) return location;
    }
    return EMPTY;
  }

  /** A new index with the changes made by `change`; this one is unchanged. */
  edit(change: (editor: PackedIndexEditor) => void): PackedIndex {
    const editor = new PackedIndexEditor(this.arena, this.slots, this.bits, this.size, this.liveOctets);
    change(editor);
    return editor.finish();
  }
}

export class PackedIndexEditor {
  private slots: Slot[];
  private isCopied = false;
  private bits: number;
  private mask: number;

  constructor(
    private readonly arena: AnswerArena,
    shared: readonly Slot[],
    bits: number,
    private size: number,
    private liveOctets: number,
  ) {
    this.slots = shared as Slot[];
    this.bits = bits;
    this.mask = (1 << bits) - 1;
  }

  /** Points `key` (lower-case wire name, hash `hash`) at the record at `location`, or at none (-1). */
  set(hash: number, key: Uint8Array, location: number): void {
    const slots = this.own();
    const at = hash & this.mask;
    const slot = slots[at];
    // A slot holds about one name: the common cases touch no array at all.
    if (slot === EMPTY) {
      if (location === EMPTY) return;
      slots[at] = location;
      this.count(location, +1);
    } else if (typeof slot === 'number') {
      if (this.holds(slot, key)) {
        this.count(slot, -1);
        slots[at] = location;
      } else if (location !== EMPTY) {
        slots[at] = [slot, location];
      }
      if (location !== EMPTY) this.count(location, +1);
    } else {
      // A shared-slot array may belong to an older version: change a copy.
      const kept = slot.filter((existing) => {
        if (!this.holds(existing, key)) return true;
        this.count(existing, -1);
        return false;
      });
      if (location !== EMPTY) {
        kept.push(location);
        this.count(location, +1);
      }
      slots[at] = kept.length === 0 ? EMPTY : kept.length === 1 ? kept[0] : kept;
    }
    // Keep about one name per slot while the edit goes on, not only at its end: a bulk insert
    // into a small index would otherwise walk ever longer shared-slot arrays (O(n²)).
    if (this.size > 4 << this.bits && this.bits < ROOT_BITS_MAX) this.respread(indexBitsFor(this.size));
  }

  finish(): PackedIndex {
    return new PackedIndex(this.arena, this.slots, this.bits, this.size, this.liveOctets);
  }

  private holds(location: number, key: Uint8Array): boolean {
    return recordHasKey(this.arena.chunk(location), location & OFFSET_MASK, key);
  }

  private count(location: number, sign: 1 | -1): void {
    this.size += sign;
    this.liveOctets += sign * recordOctets(this.arena, location);
  }

  private own(): Slot[] {
    if (!this.isCopied) {
      this.slots = this.slots.slice();
      this.isCopied = true;
    }
    return this.slots;
  }

  /** Spreads every location over 2^bits slots (O(n); the slot count at least doubles each time). */
  private respread(bits: number): void {
    const mask = (1 << bits) - 1;
    const slots: Slot[] = new Array<Slot>(1 << bits).fill(EMPTY);
    for (const slot of this.slots) {
      const locations = typeof slot === 'number' ? (slot === EMPTY ? [] : [slot]) : slot;
      for (const location of locations) {
        const chunk = this.arena.chunk(location);
        const o = location & OFFSET_MASK;
        const hash = (chunk[o] << 24) | (chunk[o + 1] << 16) | (chunk[o + 2] << 8) | chunk[o + 3];
        const at = hash & mask;
        const existing = slots[at];
        slots[at] = existing === EMPTY ? location : typeof existing === 'number' ? [existing, location] : [...existing, location];
      }
    }
    this.slots = slots;
    this.isCopied = true;
    this.bits = bits;
    this.mask = mask;
  }
}
