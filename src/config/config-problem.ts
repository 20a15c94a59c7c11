/** A path into the config document: `['endpoints', 3, 'targets', 1, 'check', 'interval']`. */
export type ConfigPath = readonly (string | number)[];

/** One thing wrong with a config; load-config.ts turns it into an error with file and line. */
export interface ConfigProblem {
  readonly path: ConfigPath;
  readonly reason: string;
  readonly hint?: string;
  /** The problem is the key itself (an unknown key), so the line is the key's, not the value's. */
  readonly isKey?: boolean;
}

/** `endpoints[3].targets[1].check.interval`, as users read paths (and as the issue prints them). */
export function formatConfigPath(path: ConfigPath): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? part : `.${part}`;
  }
  return text === '' ? '(top level)' : text;
}
