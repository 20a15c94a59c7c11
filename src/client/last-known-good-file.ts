import { readFileSync } from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';
import type { Random } from '../base/random.js';

/** One name's last good answer as it is kept on disk. */
export interface StoredAnswer {
  readonly v4: readonly string[];
  readonly v6: readonly string[];
  readonly ttlSeconds: number;
  readonly qname: string;
  /** Wall-clock ms until which the answer was fresh; the stale window counts from here. */
  readonly freshUntilWallMs: number;
}

interface FileShape {
  readonly version: 1;
  readonly names: Record<string, StoredAnswer>;
}

function isStoredAnswer(value: unknown): value is StoredAnswer {
  const v = value as StoredAnswer;
  return (
    typeof v === 'object' && v !== null && Array.isArray(v.v4) && Array.isArray(v.v6) &&
    v.v4.every((a) => typeof a === 'string') && v.v6.every((a) => typeof a === 'string') &&
    typeof v.ttlSeconds === 'number' && typeof v.qname === 'string' && typeof v.freshUntilWallMs === 'number'
  );
}

/**
 * The last-known-good answers on disk (`persistPath`), so that a dependent that crash-loops
 * during an outage still starts with addresses that worked.
 *
 * Writes are atomic — a temporary file in the same directory, then rename(2), which POSIX makes
 * atomic on one file system — so a crash mid-write leaves the previous file, never half of one.
 * Writes are coalesced: at most one in flight, and the newest content wins.
 */
export class LastKnownGoodFile {
  #pending: Map<string, StoredAnswer> | undefined;
  #writing: Promise<void> | undefined;

  constructor(
    readonly path: string,
    private readonly random: Random,
    private readonly onWrite: (error: unknown) => void,
  ) {}

  /**
   * Reads the file once, at start. A missing or unreadable file is an empty one: the resolver
   * must start without it (the reason it exists is to help starting, never to prevent it).
   */
  load(): Map<string, StoredAnswer> {
    const names = new Map<string, StoredAnswer>();
    let parsed: Partial<FileShape>;
    try {
      parsed = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<FileShape>;
    } catch {
      return names;
    }
    if (parsed.version !== 1 || typeof parsed.names !== 'object' || parsed.names === null) return names;
    for (const [name, answer] of Object.entries(parsed.names)) if (isStoredAnswer(answer)) names.set(name, answer);
    return names;
  }

  /** Schedules a write of `names`; resolves when that content (or newer) is on disk. */
  save(names: Map<string, StoredAnswer>): Promise<void> {
    this.#pending = names;
    this.#writing ??= this.#drain().finally(() => {
      this.#writing = undefined;
    });
    return this.#writing;
  }

  /** Resolves when every scheduled write is done. */
  flushed(): Promise<void> {
    return this.#writing ?? Promise.resolve();
  }

  async #drain(): Promise<void> {
    while (this.#pending !== undefined) {
      const names = this.#pending;
      this.#pending = undefined;
      const body: FileShape = { version: 1, names: Object.fromEntries(names) };
      const temporary = `${this.path}.${process.pid}.${this.random.int(2 ** 31)}.tmp`;
      try {
        await writeFile(temporary, `${JSON.stringify(body)}\n`, { mode: 0o644 });
        await rename(temporary, this.path);
        this.onWrite(undefined);
      } catch (error) {
        await unlink(temporary).catch(() => undefined);
        this.onWrite(error);
      }
    }
  }
}
