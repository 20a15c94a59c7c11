/**
 * The zone follower's last tables on disk, so a DNS process starts and answers with the store
 * down (DESIGN: "keeps its last table on disk").
 *
 * Written atomically: a temporary file in the same directory, fsynced, then renamed over the
 * old one (rename(2) replaces in one step), so a crash leaves the old snapshot or the new one,
 * never half of one. A sha-256 at the end catches what rename cannot (a damaged disk, a copy
 * cut short): a snapshot that does not verify is not used.
 *
 * Layout: "RSNP" u32 version (1), u32 zone count; per zone u16 apex length, apex, u64
 * generation, u32 name count, per name u16 length, name, u32 length, value; then the sha-256
 * of everything before it.
 */
import { createHash } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { ResoluteError } from '../../base/errors.js';

const MAGIC = Buffer.from('RSNP');
const VERSION = 1;
const DIGEST_OCTETS = 32;

export interface SnapshotZone {
  readonly zone: string;
  readonly generation: bigint;
  /** Owner name → encoded value (record-set-codec.ts; the zone meta under its reserved name). */
  readonly names: ReadonlyMap<string, Uint8Array>;
}

/** What is written: the names may be a live map plus the meta, iterated as the file is written. */
export interface SnapshotZoneInput {
  readonly zone: string;
  readonly generation: bigint;
  readonly names: { readonly size: number; [Symbol.iterator](): Iterator<readonly [string, Uint8Array]> };
}

export type SnapshotRead =
  | { readonly kind: 'read'; readonly zones: readonly SnapshotZone[] }
  | { readonly kind: 'absent' }
  | { readonly kind: 'damaged'; readonly cause: ResoluteError };

export type SnapshotWrite = { readonly kind: 'written' } | { readonly kind: 'failed'; readonly cause: ResoluteError };

/** Bytes gathered before one write: a few milliseconds of encoding between two turns of the event loop. */
const PIECE_BYTES = 64 * 1024;

/**
 * Encoded and written in pieces of about PIECE_BYTES, each awaited, with the sha-256 updated
 * as it goes: the DNS process answers queries between pieces, never waiting on a whole
 * 100,000-name file (issue 6). `zones` must not change until the promise settles.
 */
export async function writeZoneSnapshot(file: string, zones: readonly SnapshotZoneInput[]): Promise<SnapshotWrite> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  try {
    const handle = await open(temporary, 'w');
    try {
      const hash = createHash('sha256');
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const put = async (part: Buffer): Promise<void> => {
        pending.push(part);
        pendingBytes += part.length;
        if (pendingBytes < PIECE_BYTES) return;
        const piece = Buffer.concat(pending);
        pending = [];
        pendingBytes = 0;
        hash.update(piece);
        await handle.write(piece);
      };
      await put(Buffer.concat([MAGIC, u32(VERSION), u32(zones.length)]));
      for (const zone of zones) {
        const generation = Buffer.alloc(8);
        generation.writeBigUInt64BE(zone.generation);
        await put(Buffer.concat([string16(zone.zone), generation, u32(zone.names.size)]));
        for (const [name, value] of zone.names) {
          await put(Buffer.concat([string16(name), u32(value.length), Buffer.from(value.buffer, value.byteOffset, value.byteLength)]));
        }
      }
      const rest = Buffer.concat(pending);
      hash.update(rest);
      await handle.write(Buffer.concat([rest, hash.digest()]));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
    return { kind: 'written' };
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => {});
    return { kind: 'failed', cause: snapshotError(file, `cannot be written: ${(error as Error).message}`, error) };
  }
}

export async function readZoneSnapshot(file: string): Promise<SnapshotRead> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    return { kind: 'damaged', cause: snapshotError(file, `cannot be read: ${(error as Error).message}`, error) };
  }
  if (bytes.length < MAGIC.length + 8 + DIGEST_OCTETS || !bytes.subarray(0, 4).equals(MAGIC)) {
    return { kind: 'damaged', cause: snapshotError(file, 'is not a zone snapshot') };
  }
  const body = bytes.subarray(0, bytes.length - DIGEST_OCTETS);
  if (!createHash('sha256').update(body).digest().equals(bytes.subarray(bytes.length - DIGEST_OCTETS))) {
    return { kind: 'damaged', cause: snapshotError(file, 'does not match its sha-256 (cut short or damaged)') };
  }
  if (body.readUInt32BE(4) !== VERSION) return { kind: 'damaged', cause: snapshotError(file, `has version ${body.readUInt32BE(4)}, not ${VERSION}`) };
  try {
    let offset = 12;
    const zones: SnapshotZone[] = [];
    for (let z = body.readUInt32BE(8); z > 0; z--) {
      const apexLength = body.readUInt16BE(offset);
      const zone = body.toString('utf8', offset + 2, offset + 2 + apexLength);
      offset += 2 + apexLength;
      const generation = body.readBigUInt64BE(offset);
      const count = body.readUInt32BE(offset + 8);
      offset += 12;
      const names = new Map<string, Uint8Array>();
      for (let i = 0; i < count; i++) {
        const nameLength = body.readUInt16BE(offset);
        const name = body.toString('utf8', offset + 2, offset + 2 + nameLength);
        offset += 2 + nameLength;
        const valueLength = body.readUInt32BE(offset);
        offset += 4;
        if (offset + valueLength > body.length) throw new RangeError(`a value runs past the end at byte ${offset}`);
        names.set(name, Uint8Array.prototype.slice.call(body, offset, offset + valueLength));
        offset += valueLength;
      }
      zones.push({ zone, generation, names });
    }
    if (offset !== body.length) throw new RangeError(`${body.length - offset} octets after the last zone`);
    return { kind: 'read', zones };
  } catch (error) {
    return { kind: 'damaged', cause: snapshotError(file, `is malformed: ${(error as Error).message}`, error) };
  }
}

function snapshotError(file: string, reason: string, cause?: unknown): ResoluteError {
  return new ResoluteError('ERR_ZONE_SNAPSHOT', `the zone snapshot ${reason}`, {
    where: file,
    hint: 'check the directory is writable and has space; a damaged snapshot can be deleted, the store rebuilds it',
    ...(cause === undefined ? {} : { cause }),
  });
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function string16(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}
