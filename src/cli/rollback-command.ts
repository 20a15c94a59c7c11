/**
 * `resolute rollback --to G --data-dir D --config F`: DESIGN, "Rollback is a new plan with old
 * content and a new, higher generation; it passes the same safety rules as any plan and holds
 * the planner (freeze) until an operator resumes it."
 *
 * 1. read the newest plan and plan G; G unknown, deleted by cleanup, or not older than the
 *    newest → ERR_ROLLBACK_GENERATION, nothing written;
 * 2. compose the draft (plan/rollback-draft.ts: G's record sets, names added since G kept,
 *    never empty, velocity limit); refused → ERR_ROLLBACK_REFUSED, nothing written;
 * 3. freeze the planner FIRST, so no planner step can land between the rollback and the freeze
 *    and undo it;
 * 4. publish with the newest as compare-and-set parent; lost to a new plan → back to 1 (at most
 *    three times); failed → the freeze flag is put back as it was;
 * 5. audit, and announce on resolute:plan:published.
 * Generations never go backwards: the rollback is generation newest+1 (or more), so every
 * enactor applies it through its ordinary fence.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { systemClock } from '../base/clock.js';
import { ResoluteError } from '../base/errors.js';
import { channels } from '../base/events.js';
import { loadConfig } from '../config/load-config.js';
import { encodePlan, decodePlan } from '../plan/plan-codec.js';
import type { Plan } from '../plan/plan.js';
import { rollbackDraft } from '../plan/rollback-draft.js';
import { StorePlanLog } from '../store/store-plan-log.js';
import type { Freeze, Store } from '../store/store.js';
import { createLogger } from './logger.js';
import { addOperatorOptions, openExistingStore, operatorName, orThrow, type OperatorOptions } from './operator-store.js';
import { printError } from './options.js';

interface RollbackOptions extends OperatorOptions {
  readonly to: bigint;
  readonly config: string;
}

const ATTEMPTS = 3;

function parseGeneration(value: string): bigint {
  if (!/^\d{1,20}$/.test(value.trim()) || BigInt(value.trim()) < 1n) throw new InvalidArgumentError(`--to must be a plan generation (a positive integer), got '${value}'.`);
  return BigInt(value.trim());
}

export function registerRollbackCommand(program: Command): void {
  const command = program
    .command('rollback')
    .description("Publish generation G's content as a new, higher generation (names added since G are kept), then freeze planning until `resolute resume`.")
    .requiredOption('--to <generation>', 'the stored generation to roll back to', parseGeneration)
    .requiredOption('--config <file>', 'the configuration (YAML): its planner settings and names are checked');
  addOperatorOptions(command)
    .addHelpText('after', '\nExample:\n  resolute rollback --to 41 --data-dir ./data --config resolute.yaml')
    .action(async (options: RollbackOptions) => {
      try {
        process.stdout.write(await rollback(options));
      } catch (error) {
        printError(error);
        process.exitCode = 1;
      }
    });
}

async function rollback(options: RollbackOptions): Promise<string> {
  const log = createLogger({ level: options.logLevel, role: 'operator' });
  const config = await loadConfig(options.config);
  const store = await openExistingStore(options.dataDir);
  try {
    const by = operatorName(options.by);
    const plans = new StorePlanLog(store, decodePlan);
    let previousFreeze: Freeze | undefined;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const nowMs = systemClock.nowMs();
      const { newest, target } = await readBoth(store, plans, options.to);
      const window = await plans.since(nowMs - config.planner.velocityWindowMs);
      const composed = rollbackDraft({ target, newest, window, config, nowMs });
      if (composed.kind !== 'draft') throw refused(options.to, composed.kind === 'same' ? `generation ${options.to}'s content is what the newest plan ${newest.generation} already publishes` : `it would publish no record for ${composed.names.join(', ')}`);
      if (previousFreeze === undefined) {
        previousFreeze = orThrow(await store.readFreeze()).freeze;
        orThrow(await store.setFreeze({ isFrozen: true, by, reason: `rollback to generation ${options.to}` }));
      }
      const draft = composed.draft;
      const published = await store.publishPlan({ parentGeneration: newest.generation, createdAtMs: draft.createdAtMs, plan: encodePlan(draft) });
      if (published.kind === 'conflict') continue; // a planner published first: compose again against it
      if (published.kind === 'unavailable') {
        await restoreFreeze(store, previousFreeze);
        throw published.cause;
      }
      const generation = published.generation;
      const detail = `generation ${options.to}'s content published as ${generation} (newest was ${newest.generation}); planning frozen until resolute resume`;
      orThrow(await store.setFreeze({ isFrozen: true, by, reason: `rollback to generation ${options.to} as ${generation}` }));
      orThrow(await store.appendAudit({ actor: by, action: 'rollback', detail, generation }));
      if (channels.planPublished.hasSubscribers) {
        channels.planPublished.publish({ generation, parentGeneration: newest.generation, by: 'rollback', changedNames: draft.reasons.length, reason: `rollback to ${options.to}` });
      }
      log.warn({ by, generation: String(generation), to: String(options.to), parentGeneration: String(newest.generation), changedNames: draft.reasons.length }, 'rollback published; planning frozen');
      const held = draft.unsettledNames.length === 0 ? '' : `velocity limit holds records of: ${draft.unsettledNames.join(', ')}\n`;
      return `rolled back to generation ${options.to} as generation ${generation} (${draft.reasons.length} name(s) changed)\n${held}planning is frozen; resume with: resolute resume --data-dir ${options.dataDir}\n`;
    }
    await restoreFreeze(store, previousFreeze);
    throw refused(options.to, `new plans kept winning the compare-and-set (${ATTEMPTS} attempts)`, 'run it again; or `resolute freeze` first so no planner races it');
  } finally {
    await store.close();
  }
}

async function readBoth(store: Store, plans: StorePlanLog, to: bigint): Promise<{ newest: Plan; target: Plan }> {
  const newest = await plans.newest();
  if (newest === undefined) throw unknownGeneration(to, 'the store holds no plan at all', []);
  if (to >= newest.generation) {
    throw unknownGeneration(to, to === newest.generation ? `generation ${to} is the newest plan already` : `generation ${to} is newer than the newest plan ${newest.generation}`, [newest.generation]);
  }
  const read = await store.readPlan(to);
  if (read.kind === 'unavailable') throw read.cause;
  if (read.kind === 'none') {
    const listed = orThrow(await store.listPlans());
    throw unknownGeneration(to, `generation ${to} is not in the store (never published, or deleted by cleanup)`, listed.items.map((h) => h.generation));
  }
  return { newest, target: decodePlan(read.plan.plan, to) };
}

function unknownGeneration(to: bigint, reason: string, stored: readonly bigint[]): ResoluteError {
  const list = stored.length === 0 ? 'none' : stored.length > 12 ? `${stored.slice(0, 3).join(', ')} … ${stored.slice(-8).join(', ')}` : stored.join(', ');
  return new ResoluteError('ERR_ROLLBACK_GENERATION', `cannot roll back to generation ${to}: ${reason}; nothing was written`, {
    where: `--to ${to}`,
    hint: `pick an older stored generation (stored: ${list})`,
  });
}

function refused(to: bigint, reason: string, hint = 'nothing was published; check the generation with `resolute plan` and `resolute status`'): ResoluteError {
  return new ResoluteError('ERR_ROLLBACK_REFUSED', `rollback to generation ${to} refused: ${reason}`, { where: `--to ${to}`, hint });
}

async function restoreFreeze(store: Store, previous: Freeze | undefined): Promise<void> {
  if (previous !== undefined) await store.setFreeze({ isFrozen: previous.isFrozen, by: previous.by, reason: previous.reason });
}
