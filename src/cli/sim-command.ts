/**
 * `resolute sim`: the deterministic simulator (src/sim/README.md).
 *   --seeds N [--from S]  a campaign; exit 0 and `seeds_per_s=…` when no seed violates an
 *                         invariant, else exit 1 with `seed=S`, the invariant and a short trace;
 *   --seed S --trace      one seed replayed, its whole trace printed (the same every time);
 *   --naive               the naive 2025 stack instead of Resolute's;
 *   --plant BUG           TEST-ONLY: a bug planted in our own code, for the simulator to find.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { Invariant } from '../sim/invariants.js';
import { runCampaign } from '../sim/campaign.js';
import { PLANTED_BUGS, type PlantedBug } from '../sim/sim-roles.js';
import { runSeed, type SeedResult, type SimMode } from '../sim/sim-world.js';
import { parseIntegerOption, printError } from './options.js';

interface SimOptions {
  readonly seeds?: number;
  readonly from: number;
  readonly seed?: number;
  readonly trace?: boolean;
  readonly naive?: boolean;
  readonly plant?: PlantedBug;
  readonly invariant?: Invariant;
  readonly jobs: number;
}

const INVARIANTS: readonly Invariant[] = ['never-empty', 'never-backwards', 'converges', 'cleanup-harmless', 'no-crash'];
/** Lines of the trace printed with a violation (the whole trace: --seed S --trace). */
const SHORT_TRACE_LINES = 40;

export function registerSimCommand(program: Command): void {
  program
    .command('sim')
    .description('Run the deterministic simulator: real planner, enactors, cleanup and reconcile against simulated store, providers and faults, invariants checked after every step.')
    .option('--seeds <n>', 'run this many seeds', parseIntegerOption('--seeds', 1, 100_000_000))
    .option('--from <seed>', 'the first seed', parseIntegerOption('--from', 0, 2 ** 31 - 1), 1)
    .option('--seed <seed>', 'run this one seed', parseIntegerOption('--seed', 0, 2 ** 31 - 1))
    .option('--trace', 'print the whole trace of --seed')
    .option('--naive', 'simulate the naive 2025 stack instead of Resolute')
    .option('--plant <bug>', `TEST-ONLY: plant a bug in our own code (${PLANTED_BUGS.join(', ')})`, choice('--plant', PLANTED_BUGS))
    .option('--invariant <name>', `count only violations of this invariant (${INVARIANTS.join(', ')})`, choice('--invariant', INVARIANTS))
    .option('--jobs <n>', 'worker threads for --seeds', parseIntegerOption('--jobs', 1, 64), 1)
    .addHelpText('after', '\nExamples:\n  resolute sim --seeds 2000 --jobs 2\n  resolute sim --seed 42 --trace\n  resolute sim --naive --seeds 500 --invariant never-empty')
    .action(async (options: SimOptions) => {
      try {
        process.exitCode = options.seed !== undefined ? await replay(options, options.seed) : await campaign(options);
      } catch (error) {
        printError(error);
        process.exitCode = 1;
      }
    });
}

function choice<T extends string>(name: string, values: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(values as readonly string[]).includes(value)) throw new InvalidArgumentError(`${name} must be one of ${values.join(', ')}, got '${value}'.`);
    return value as T;
  };
}

function modeOf(options: SimOptions): SimMode {
  return options.naive === true ? 'naive' : 'resolute';
}

async function replay(options: SimOptions, seed: number): Promise<number> {
  const result = await runSeed({ seed, mode: modeOf(options), isTracing: true, ...(options.plant === undefined ? {} : { plant: options.plant }) });
  if (options.trace === true) process.stdout.write(`${result.trace.join('\n')}\n`);
  process.stdout.write(`seed=${seed} steps=${result.steps} virtual_ms=${result.virtualMs}\n`);
  return report(result, options, false);
}

async function campaign(options: SimOptions): Promise<number> {
  const count = options.seeds ?? 100;
  const mode = modeOf(options);
  const result = await runCampaign(
    {
      from: options.from,
      count,
      mode,
      jobs: options.jobs,
      ...(options.plant === undefined ? {} : { plant: options.plant }),
      ...(options.invariant === undefined ? {} : { invariant: options.invariant }),
    },
    () => performance.now(),
  );
  const perS = result.seeds / (result.elapsedMs / 1000);
  process.stdout.write(`mode=${mode} seeds=${result.seeds} steps=${result.steps} seeds_per_s=${perS.toFixed(1)}\n`);
  if (result.failed === undefined) return 0;
  // Replayed with its trace: a seed is a pure function of its number.
  const traced = await runSeed({ seed: result.failed.seed, mode, isTracing: true, ...(options.plant === undefined ? {} : { plant: options.plant }) });
  return report(traced, options, true);
}

function report(result: SeedResult, options: SimOptions, isShortTrace: boolean): number {
  const counted = result.violations.filter((v) => options.invariant === undefined || v.invariant === options.invariant);
  if (counted.length === 0) return 0;
  const flags = `${options.naive === true ? ' --naive' : ''}${options.plant === undefined ? '' : ` --plant ${options.plant}`}`;
  const lines = [`seed=${result.seed}`, ...result.violations.map((v) => `invariant=${v.invariant} at_ms=${v.atMs}: ${v.detail}`)];
  if (isShortTrace) lines.push(`trace (last ${SHORT_TRACE_LINES} lines; whole: resolute sim --seed ${result.seed}${flags} --trace):`, ...result.trace.slice(-SHORT_TRACE_LINES).map((l) => `  ${l}`));
  process.stdout.write(`${lines.join('\n')}\n`);
  return 1;
}
