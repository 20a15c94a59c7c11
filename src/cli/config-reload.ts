/**
 * A planner's config reload (issue 5: SIGHUP and `resolute reload`): an invalid file is refused
 * with every error, a change that deletes too much is refused unless `--allow-delete`; either
 * way the last valid config stays in force. Outcomes are values; the caller swaps the config.
 */
import { ResoluteError, ResoluteErrorList } from '../base/errors.js';
import { checkConfigChange } from '../config/check-config-change.js';
import type { Config } from '../config/config.js';
import { loadConfig } from '../config/load-config.js';

export type ReloadOutcome =
  | { readonly kind: 'reloaded'; readonly config: Config }
  | { readonly kind: 'refused'; readonly errors: readonly ResoluteError[] };

export async function reloadConfig(current: Config, file: string, options: { readonly isDeleteAllowed: boolean }): Promise<ReloadOutcome> {
  try {
    const next = await loadConfig(file);
    checkConfigChange(current, next, { isDeleteAllowed: options.isDeleteAllowed, file });
    return { kind: 'reloaded', config: next };
  } catch (error) {
    if (error instanceof ResoluteErrorList) return { kind: 'refused', errors: error.errors };
    if (error instanceof ResoluteError) return { kind: 'refused', errors: [error] };
    throw error;
  }
}
