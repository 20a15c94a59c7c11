/** The roles `resolute run --roles …` can run, parsed and checked. */
import { ResoluteError } from '../base/errors.js';

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
