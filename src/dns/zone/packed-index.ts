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
  private readonly mask: number;

  constructor(
    private readonly arena: AnswerArena,
    shared: readonly Slot[],
    private readonly bits: number,
    private size: number,
    private liveOctets: number,
  ) {
    this.slots = shared as Slot[];
    this.mask = (1 << bits) - 1;
  }

  /** Points `key` (lower-case wire name, hash `hash`) at the record at `location`, or at none (-1). */
  set(hash: number, key: Uint8Array, location: number): void {
    const at = hash & this.mask;
    const slot = this.slots[at];
    const kept = this.without(slot, key);
    if (location !== EMPTY) {
      this.size++;
      this.liveOctets += recordOctets(this.arena, location);
    }
    const next: Slot[] = location === EMPTY ? kept : [...kept, location];
    this.own()[at] = next.length === 0 ? EMPTY : next.length === 1 ? (next[0] as number) : (next as number[]);
  }

  finish(): PackedIndex {
    // Keep about one name per slot: past four per slot, spread them over more slots (O(n), and
    // rare: the slot count doubles each time).
    if (this.size > 4 << this.bits && this.bits < ROOT_BITS_MAX) return this.rehash(indexBitsFor(this.size));
    return new PackedIndex(this.arena, this.slots, this.bits, this.size, this.liveOctets);
  }

  /** The slot's locations other than the one holding `key` (which stops being counted). */
  private without(slot: Slot, key: Uint8Array): number[] {
    const locations = typeof slot === 'number' ? (slot === EMPTY ? [] : [slot]) : slot;
    const kept: number[] = [];
    for (const location of locations) {
      const chunk = this.arena.chunk(location);
      if (recordHasKey(chunk, location & OFFSET_MASK, key)) {
        this.size--;
        this.liveOctets -= recordOctets(this.arena, location);
      } else {
        kept.push(location);
      }
    }
    return kept;
  }

  private own(): Slot[] {
    if (!this.isCopied) {
      this.slots = this.slots.slice();
      this.isCopied = true;
    }
    return this.slots;
  }

  private rehash(bits: number): PackedIndex {
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
    return new PackedIndex(this.arena, slots, bits, this.size, this.liveOctets);
  }
}
