/**
 * One resource record as every layer above the wire sees it.
 *
 * `name` is the owner in canonical presentation form: absolute, lower case, trailing dot,
 * RFC 1035 §5.1 escapes (`\.` `\032`) where a label needs them, e.g. `api.demo.test.`.
 * `rdata` is the uncompressed wire form, so two records are equal when their bytes are, and a
 * type we do not know is carried as it is (RFC 3597).
 */
export interface ResourceRecord {
  readonly name: string;
  readonly type: number;
  readonly class: number;
  readonly ttlSeconds: number;
  readonly rdata: Uint8Array;
}

/** The records of one owner, type and class (an RRset, RFC 2181 §5): one TTL for all. */
export interface RRset {
  readonly name: string;
  readonly type: number;
  readonly class: number;
  readonly ttlSeconds: number;
  readonly rdatas: readonly Uint8Array[];
}
