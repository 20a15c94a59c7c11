/**
 * `resolute plan --config F [--data-dir D] [--json]`: a dry run, like `terraform plan` or
 * OctoDNS's: the plan the planner would write now, as a diff against the newest published plan
 * (against nothing for a fresh data directory), one line per record change with its reasons.
 * It writes nothing: a data directory without a store stays without one.
 *
 * Health in a dry run: no checker runs, so every target keeps the state the published plan gives
 * it (on a first plan, every target counts as healthy — the planner's rule for unknown health).
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { systemClock } from '../base/clock.js';
import { systemRandom } from '../base/random.js';
import { loadConfig } from '../config/load-config.js';
import { diffPlans, formatPlanDiff } from '../plan/diff-plans.js';
import { decodePlan } from '../plan/plan-codec.js';
import type { PlanLog } from '../plan/plan-log.js';
import { Planner } from '../plan/planner.js';
import { openSqliteStore, sqliteStoreFile } from '../store/sqlite/sqlite-store.js';
import { StorePlanLog } from '../store/store-plan-log.js';
import type { Store } from '../store/store.js';
import { printError } from './options.js';

interface PlanOptions {
  readonly config: string;
  readonly dataDir: string;
  readonly json?: boolean;
}

const NOTHING_PUBLISHED: PlanLog = {
  newest: async () => undefined,
  since: async () => [],
};

export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description('Show what the planner would publish now, as a diff against the newest published plan; writes nothing.')
    .requiredOption('--config <file>', 'the configuration (YAML)')
    .option('--data-dir <dir>', 'the data directory of the store', 'resolute-data')
    .option('--json', 'print the changes as JSON')
    .addHelpText('after', '\nExample:\n  resolute plan --config examples/two-region.yaml --data-dir ./data')
    .action(async (options: PlanOptions) => {
      try {
        process.stdout.write(await dryRun(options));
      } catch (error) {
        printError(error);
        process.exitCode = 1;
      }
    });
}

async function dryRun(options: PlanOptions): Promise<string> {
  const config = await loadConfig(options.config);
  let store: Store | undefined;
  try {
    if (existsSync(sqliteStoreFile(options.dataDir))) {
      store = await openSqliteStore({ dataDir: options.dataDir, clock: systemClock, random: systemRandom });
    }
    const log = store === undefined ? NOTHING_PUBLISHED : new StorePlanLog(store, decodePlan);
    const parent = await log.newest();
    const draft = await new Planner({ clock: systemClock, log }).plan(config, new Map());
    const changes = draft === undefined ? [] : diffPlans(parent, draft);
    if (options.json === true) return `${JSON.stringify(changes, (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2)}\n`;
    const against = parent === undefined ? 'nothing published yet' : `generation ${parent.generation}`;
    return `plan against ${against}:\n${formatPlanDiff(changes)}`;
  } finally {
    await store?.close();
  }
}
