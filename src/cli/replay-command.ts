/**
 * `resolute replay <scenario> [--svg F] [--json]`: plays a known incident, step by step, against
 * the naive 2025 protocol and against Resolute's real code, side by side (src/sim/replay), and
 * prints the timeline and the verdict.
 *
 * The replay is loaded by a dynamic import when the command runs: it reaches the naive 2025
 * stack (src/sim/naive), which the rest of the CLI — `run` and `up` above all — never loads
 * (test/layers.test.ts).
 *
 * Exit codes: 0 the replay shows what it must (the naive protocol went empty, Resolute never
 * did); 1 it does not (a regression: say so loudly); 2 a usage error (an unknown scenario).
 */
import type { Command } from 'commander';
import { ResoluteError } from '../base/errors.js';
import { writeFileAtomic } from './data-dir-files.js';
import { printError } from './options.js';

interface ReplayOptions {
  readonly svg?: string;
  readonly json?: boolean;
}

const EXIT_VERDICT_WRONG = 1;
const EXIT_USAGE = 2;

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .argument('<scenario>', 'the incident to replay: us-east-1-2025')
    .description('Replay a known incident against the naive 2025 protocol and against Resolute, side by side, and print the timeline and the verdict.')
    .option('--svg <file>', 'also draw the timeline as an SVG picture into this file (written atomically)')
    .option('--json', 'print the timeline as JSON instead of text')
    .addHelpText(
      'after',
      '\nExamples:\n  resolute replay us-east-1-2025\n  resolute replay us-east-1-2025 --svg replay.svg\n\nExit codes: 0 the naive protocol served an empty answer and Resolute never did; 1 otherwise; 2 usage error.',
    )
    .action(async (name: string, options: ReplayOptions) => {
      try {
        process.exitCode = await runReplay(name, options);
      } catch (error) {
        printError(error);
        process.exitCode = error instanceof ResoluteError && error.code === 'ERR_USAGE' ? EXIT_USAGE : EXIT_VERDICT_WRONG;
      }
    });
}

async function runReplay(name: string, options: ReplayOptions): Promise<number> {
  const { findScenario } = await import('../sim/replay/scenarios.js');
  const scenario = findScenario(name);
  const { replay } = await import('../sim/replay/replay.js');
  const timeline = await replay(scenario);
  if (options.svg !== undefined) {
    const { timelineSvg } = await import('../sim/replay/timeline-svg.js');
    writeFileAtomic(options.svg, timelineSvg(timeline));
  }
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify(timeline, null, 2)}\n`);
  } else {
    const { timelineText } = await import('../sim/replay/timeline-text.js');
    process.stdout.write(timelineText(timeline));
    if (options.svg !== undefined) process.stdout.write(`timeline drawn in ${options.svg}\n`);
  }
  const isAsExpected = timeline.verdict.naive.emptyFrom !== undefined && timeline.verdict.resolute.emptySteps.length === 0;
  if (!isAsExpected) process.stderr.write('the replay did not show what it must: the naive protocol goes empty and Resolute never does\n');
  return isAsExpected ? 0 : EXIT_VERDICT_WRONG;
}
