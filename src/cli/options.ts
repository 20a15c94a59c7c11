/** Option parsing and error printing shared by the subcommands. */
import { InvalidArgumentError } from 'commander';
import { ResoluteErrorList } from '../base/errors.js';

/** A commander parser for an integer option within [min, max], with a message naming the option. */
export function parseIntegerOption(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}, got '${value}'.`);
    }
    return n;
  };
}

/** Prints an error for a person: every error of a list on its own line, no stack for ours. */
export function printError(error: unknown): void {
  if (error instanceof ResoluteErrorList) {
    for (const e of error.errors) process.stderr.write(`${e.message}\n`);
    process.stderr.write(`${error.errors.length} error(s); nothing was started or changed.\n`);
    return;
  }
  if (error instanceof Error && 'code' in error && String((error as { code: unknown }).code).startsWith('ERR_')) {
    process.stderr.write(`${error.message}\n`);
    return;
  }
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
}
