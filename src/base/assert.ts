import { ResoluteError } from './errors.js';

/**
 * Invariants of our own code (CONVENTIONS rule 8). A failed assertion is a bug in Resolute,
 * never bad input: bad input gets a ResoluteError with a place and a hint.
 */
export function assert(condition: unknown, invariant: string): asserts condition {
  if (!condition) throw new ResoluteError('ERR_ASSERTION', `invariant violated: ${invariant}`);
}

/** Ends an exhaustive switch: the compiler proves it is never reached. */
export function unreachable(value: never): never {
  throw new ResoluteError('ERR_ASSERTION', `unreachable case: ${JSON.stringify(value)}`);
}
