import { randomBytes } from 'node:crypto';

/**
 * Randomness as a seam (CONVENTIONS rule 4): the simulator passes a seeded generator, so every
 * run replays from its seed.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** A 16-bit unsigned integer, for DNS message IDs. */
  uint16(): number;
}

/** Not seeded: DNS message IDs must be unpredictable (RFC 5452 §9.2), so this one uses crypto. */
export const systemRandom: Random = {
  next: () => randomBytes(4).readUInt32BE(0) / 2 ** 32,
  int: (n) => Math.floor((randomBytes(4).readUInt32BE(0) / 2 ** 32) * n),
  uint16: () => randomBytes(2).readUInt16BE(0),
};

/** A deterministic generator (xorshift128+ on two 32-bit halves), for tests and the simulator. */
export function seededRandom(seed: number): Random {
  let s0 = seed >>> 0 || 0x9e3779b9;
  let s1 = Math.imul(seed ^ 0x85ebca6b, 0xc2b2ae35) >>> 0 || 0x27d4eb2f;
  const next32 = (): number => {
    let x = s0;
    const y = s1;
    s0 = y;
    x ^= x << 23;
    x ^= x >>> 17;
    x ^= y ^ (y >>> 26);
    s1 = x >>> 0;
    return (s0 + s1) >>> 0;
  };
  return {
    next: () => next32() / 2 ** 32,
    int: (n) => Math.floor((next32() / 2 ** 32) * n),
    uint16: () => next32() & 0xffff,
  };
}
