import type { Clock } from '../base/clock.js';
import { ResoluteError } from '../base/errors.js';
import type { ProviderUnavailable } from '../providers/provider.js';

export const DEFAULT_PROVIDER_TIMEOUT_MS = 10_000;

/**
 * One call to a provider, bounded in time and never throwing: a provider that hangs or throws
 * is reported `unavailable` for this zone, so the enactor goes on with the others. A write
 * that completes after its timeout is harmless: the next fence read sees it (the fence is at
 * the provider), so it is never applied twice nor backwards.
 */
export async function callProvider<T extends { readonly kind: string }>(
  clock: Clock,
  timeoutMs: number,
  where: string,
  call: () => Promise<T>,
): Promise<T | ProviderUnavailable> {
  let cancel: () => void = () => {};
  const timeout = new Promise<ProviderUnavailable>((resolve) => {
    cancel = clock.after(timeoutMs, () =>
      resolve({
        kind: 'unavailable',
        cause: new ResoluteError('ERR_PROVIDER_TIMEOUT', `no answer within ${timeoutMs} ms`, { where, hint: 'the provider is retried with backoff; check that it is reachable' }),
      }),
    );
  });
  try {
    return await Promise.race([call(), timeout]);
  } catch (error) {
    // The contract says outcomes are values; a throw is a provider bug, reported, not fatal.
    return {
      kind: 'unavailable',
      cause: new ResoluteError('ERR_ASSERTION', `the provider threw instead of returning an outcome: ${(error as Error)?.message ?? String(error)}`, { where, cause: error }),
    };
  } finally {
    cancel();
  }
}
