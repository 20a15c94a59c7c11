/**
 * An answer whose wire bytes were computed when the zone table was built, so that answering a
 * query is a copy: header and question from the query, then `body`, then (for a negative
 * answer) the zone's current SOA, then OPT.
 *
 * `body` holds the answer, authority and additional records as they follow a question whose
 * name starts at offset 12 — compression pointers may point into that question (0xC00C is the
 * question name itself). Answers that must not depend on the question (wildcards, referrals for
 * names below a cut) are built without any pointer but 0xC00C, or none.
 */
export interface PrecomputedAnswer {
  /** NOERROR or NXDOMAIN (RFC 6604: the rcode of the last name of a CNAME chain). */
  readonly rcode: number;
  /** AA: set for authoritative data, clear for a referral (RFC 1034 §4.3.2 step 3b). */
  readonly authoritative: boolean;
  readonly answerCount: number;
  readonly authorityCount: number;
  readonly additionalCount: number;
  readonly body: Uint8Array;
  /**
   * Negative (NXDOMAIN or NODATA, RFC 2308 §3): the zone's SOA goes in the authority section.
   * It is not in `body` but appended from the zone's state at answer time, so a new serial
   * replaces one buffer per zone instead of every negative answer.
   */
  readonly negative: boolean;
  /** Index of the zone in ZoneTable.zones, for the SOA of a negative answer. */
  readonly zoneIndex: number;
  /** Set when the RRset is weighted and only `pick` of its records go in each response. */
  readonly weighted: WeightedRecords | undefined;
}

/**
 * A weighted RRset served as a sample: each response carries `pick` records drawn without
 * replacement, each draw proportional to weight (like a weighted round robin, but stateless so
 * every server process agrees without coordination).
 */
export interface WeightedRecords {
  readonly pick: number;
  /** Each record's bytes, owner 0xC00C (the question name). */
  readonly records: readonly Uint8Array[];
  readonly weights: Float64Array;
  readonly totalWeight: number;
}
