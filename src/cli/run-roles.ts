/** The roles `resolute run --roles …` can run, parsed and checked. */
import { ResoluteError } from '../base/errors.js';
import type { ZoneKey } from '../enact/enact-context.js';

export const ROLES = ['planner', 'health', 'enactor', 'dns', 'cleanup', 'reconcile'] as const;
export type Role = (typeof ROLES)[number];

export function parseRoles(text: string): ReadonlySet<Role> {
  const roles = new Set<Role>();
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    if (!(ROLES as readonly string[]).includes(part)) {
      throw new ResoluteError('ERR_USAGE', `unknown role '${part}'`, { where: '--roles', hint: `use a comma-separated list of ${ROLES.join(', ')}` });
    }
    roles.add(part as Role);
  }
  if (roles.size === 0) throw new ResoluteError('ERR_USAGE', 'no role given', { where: '--roles', hint: `use a comma-separated list of ${ROLES.join(', ')}` });
  return roles;
}

/**
 * TEST-ONLY — never set outside test/e2e/enactor-2025.test.ts. With
 * `RESOLUTE_TEST_STOP_BEFORE_APPLY=<generation>` in its environment, an enactor process stops
 * itself with SIGSTOP the first time it is about to write that generation: after it has read
 * the plan and the provider's fence, before the fenced write (the Enactor's `beforeApply`
 * seam) — the instant the 2025 enactor was paused, reached deterministically instead of by
 * timing. The test resumes it with SIGCONT. Unset: undefined, and the enactor runs without a
 * hook. A value that is not a decimal generation is a usage error, so a typo cannot silently
 * disarm the test.
 */
export const TEST_STOP_BEFORE_APPLY_ENV = 'RESOLUTE_TEST_STOP_BEFORE_APPLY';

export function testOnlyBeforeApply(
  env: Readonly<Record<string, string | undefined>>,
  stop: () => void = () => process.kill(process.pid, 'SIGSTOP'),
): ((zone: ZoneKey, generation: bigint) => Promise<void>) | undefined {
  const text = env[TEST_STOP_BEFORE_APPLY_ENV];
  if (text === undefined || text === '') return undefined;
  if (!/^[0-9]{1,20}$/.test(text)) {
    throw new ResoluteError('ERR_USAGE', `${TEST_STOP_BEFORE_APPLY_ENV} is '${text}', not a generation`, { where: TEST_STOP_BEFORE_APPLY_ENV, hint: 'a test-only hook: unset it, or give the decimal generation to stop before' });
  }
  const target = BigInt(text);
  let hasStopped = false;
  return async (_zone, generation) => {
    if (hasStopped || generation !== target) return;
    hasStopped = true;
    stop();
  };
}
