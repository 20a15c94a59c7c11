/**
 * The one thing a store backend implements: etcd's data model, reduced to what the Store needs.
 * Every Store method is written once (kv-store.ts) over these three operations, so the
 * in-memory store the simulator uses, SQLite and etcd have the same semantics by construction,
 * and each backend is small.
 *
 * A backend that cannot answer throws a ResoluteError with code ERR_STORE_UNAVAILABLE (and
 * only then: anything else is a bug and propagates).
 */
export interface KeyValue {
  get(key: string): Promise<KvEntry | undefined>;
  /** Keys starting with `prefix`, in byte order (reversed with `isReversed`), at most `limit`. */
  range(prefix: string, options?: RangeOptions): Promise<KvEntry[]>;
  /** All compares hold ⇒ every write is applied, atomically and durably, and true; else nothing and false. */
  txn(compares: readonly KvCompare[], writes: readonly KvWrite[]): Promise<boolean>;
  /**
   * Calls `listener` after a write that may have changed a key: this process's, and another's
   * where the backend can tell (SQLite: inotify on its WAL; etcd: a watch). A hint that may be
   * late, coalesced or spurious (kv-watch.ts compares mod revisions); the returned function
   * stops it.
   */
  onChange(listener: () => void): () => void;
  close(): Promise<void>;
}

export interface KvEntry {
  readonly key: string;
  readonly value: Uint8Array;
  /** The store-wide revision of the last write to this key (etcd's mod_revision); never 0. */
  readonly modRevision: bigint;
}

export interface RangeOptions {
  readonly limit?: number;
  readonly isReversed?: boolean;
  /** Values come back empty (etcd's keys_only): for listing chunks without reading them. */
  readonly isKeysOnly?: boolean;
}

/** `modRevision: 0n` compares "the key does not exist". */
export type KvCompare =
  | { readonly key: string; readonly modRevision: bigint }
  | { readonly key: string; readonly isPresent: true };

export type KvWrite =
  | { readonly kind: 'put'; readonly key: string; readonly value: Uint8Array }
  | { readonly kind: 'delete'; readonly key: string }
  | { readonly kind: 'delete-prefix'; readonly prefix: string };

/** The most writes one transaction carries: etcd's default --max-txn-ops is 128. */
export const TXN_OPS_MAX = 64;

/** The most value bytes one transaction carries: etcd refuses requests over 1.5 MiB. */
export const TXN_BYTES_MAX = 1024 * 1024;

/** The first key after every key that starts with `prefix` (keys are ASCII). */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
