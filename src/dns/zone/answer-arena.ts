/**
 * Append-only byte storage for packed answer records (packed-record.ts), shared by every
 * version of a table: a new version appends the records of the names it changed, and older
 * versions keep reading the records they point at, which are never written again.
 *
 * Why one big buffer: on the query path every object followed is a likely cache miss. A record
 * in an arena chunk is found from its location (a small integer) with no object in between,
 * and holds the name's key and every answer side by side.
 *
 * A location is `chunk << CHUNK_BITS | offset`, a small integer (SMI) for up to 256 chunks
 * (1 GiB). Replaced records stay as garbage until the table is compacted (table-builder.ts).
 */
export const CHUNK_BITS = 22;
export const CHUNK_OCTETS = 1 << CHUNK_BITS;
export const OFFSET_MASK = CHUNK_OCTETS - 1;
const CHUNKS_MAX = 256;

export class AnswerArena {
  readonly chunks: Uint8Array[] = [];
  private used = CHUNK_OCTETS;
  /** Octets appended since the arena was created (live and garbage). */
  appendedOctets = 0;

  /** Reserves `length` octets in one chunk; returns the location. Write them before publishing. */
  allocate(length: number): number {
    if (length > CHUNK_OCTETS) throw new RangeError(`record of ${length} octets exceeds an arena chunk`);
    if (this.used + length > CHUNK_OCTETS) {
      if (this.chunks.length >= CHUNKS_MAX) throw new RangeError('answer arena is full (1 GiB)');
      this.chunks.push(new Uint8Array(CHUNK_OCTETS));
      this.used = 0;
    }
    const location = ((this.chunks.length - 1) << CHUNK_BITS) | this.used;
    this.used += length;
    this.appendedOctets += length;
    return location;
  }

  /** The chunk holding `location`. */
  chunk(location: number): Uint8Array {
    return this.chunks[location >>> CHUNK_BITS];
  }
}
