import { ResoluteError } from '../../base/errors.js';
import type { Unavailable } from '../store.js';

/** What a backend throws when it cannot answer, and what the Store turns into an outcome. */
export function storeUnavailableError(reason: string, where: string, cause?: unknown): ResoluteError {
  return new ResoluteError('ERR_STORE_UNAVAILABLE', reason, {
    where,
    hint: 'the store is down, locked by another process beyond the lock timeout, or missing part of a plan; the caller retries, and nothing is assumed gone',
    cause,
  });
}

export function unavailable(reason: string, where: string, cause?: unknown): Unavailable {
  return { kind: 'unavailable', cause: storeUnavailableError(reason, where, cause) };
}

/**
 * Runs one Store operation: a backend's ERR_STORE_UNAVAILABLE becomes the `unavailable`
 * outcome; anything else is a bug and propagates.
 */
export async function orUnavailable<T>(operation: () => Promise<T | Unavailable>): Promise<T | Unavailable> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof ResoluteError && error.code === 'ERR_STORE_UNAVAILABLE') return { kind: 'unavailable', cause: error };
    throw error;
  }
}
