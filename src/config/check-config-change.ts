import { ResoluteError, ResoluteErrorList } from '../base/errors.js';
import type { Config } from './config.js';
import { providerChanges } from './providers-of.js';

/** What a new config deletes compared with the one in force. */
export interface ConfigDeletions {
  /** Managed names in the old config and not in the new one. */
  readonly removedNames: readonly string[];
  /** Endpoints that lose more than `planner.max_delete_fraction` of their targets. */
  readonly shrunkEndpoints: readonly { readonly name: string; readonly removedTargets: readonly string[]; readonly fraction: number }[];
}

/**
 * The deletions in a reload (SIGHUP, `resolute reload`, `resolute plan`). The fraction limit is
 * the new config's `planner.max_delete_fraction`: the file that asks for the change also says
 * how much change it allows. Targets are compared by key (address + check), so changing a check
 * counts as removing the old target.
 */
export function findConfigDeletions(previous: Config, next: Config): ConfigDeletions {
  const nextByName = new Map(next.endpoints.map((e) => [e.name, e]));
  const removedNames: string[] = [];
  const shrunkEndpoints: { name: string; removedTargets: string[]; fraction: number }[] = [];
  for (const endpoint of previous.endpoints) {
    const after = nextByName.get(endpoint.name);
    if (after === undefined) {
      removedNames.push(endpoint.name);
      continue;
    }
    const kept = new Set(after.targets.map((t) => t.key));
    const removedTargets = endpoint.targets.filter((t) => !kept.has(t.key)).map((t) => t.key);
    const fraction = endpoint.targets.length === 0 ? 0 : removedTargets.length / endpoint.targets.length;
    if (fraction > next.planner.maxDeleteFraction) shrunkEndpoints.push({ name: endpoint.name, removedTargets, fraction });
  }
  return { removedNames, shrunkEndpoints };
}

/**
 * The reload rules. Issue 5: a change that removes a managed name, or more than the allowed
 * fraction of an endpoint's targets, is refused unless `isDeleteAllowed` (`--allow-delete`); even
 * then the planner's velocity limit paces the removal (ERR_CONFIG_DELETE_REFUSED). And a change to
 * `providers:` is refused whatever the flags (ERR_CONFIG_PROVIDERS_CHANGED): enactors, cleanup
 * and reconcile build their providers when they start and never reload, so a planner that took
 * the new list would report one set of servers while the enactors write another; restarting the
 * processes with the new file applies it. Throws every refusal at once, so the last valid
 * config stays in force.
 */
export function checkConfigChange(previous: Config, next: Config, options: { readonly isDeleteAllowed: boolean; readonly file?: string }): ConfigDeletions {
  const deletions = findConfigDeletions(previous, next);
  const where = options.file ?? 'config';
  const providerErrors = providerChanges(previous, next).map(
    (change) => new ResoluteError('ERR_CONFIG_PROVIDERS_CHANGED', `the new config changes providers: ${change}`, { where: `${where}: providers`, hint: 'providers are read when a process starts: restart the resolute run processes with the new file' }),
  );
  if (options.isDeleteAllowed && providerErrors.length === 0) return deletions;
  const hint = 'check the change, then reload with --allow-delete';
  const errors = [
    ...providerErrors,
    ...(options.isDeleteAllowed ? [] : deletions.removedNames).map(
      (name) => new ResoluteError('ERR_CONFIG_DELETE_REFUSED', `the new config removes the managed name ${name}`, { where, hint }),
    ),
    ...(options.isDeleteAllowed ? [] : deletions.shrunkEndpoints).map(
      (e) =>
        new ResoluteError(
          'ERR_CONFIG_DELETE_REFUSED',
          `the new config removes ${e.removedTargets.length} targets of ${e.name} (${Math.round(e.fraction * 100)}%, over planner.max_delete_fraction ${next.planner.maxDeleteFraction}): ${e.removedTargets.join(', ')}`,
          { where, hint },
        ),
    ),
  ];
  if (errors.length > 0) throw new ResoluteErrorList(errors);
  return deletions;
}
