import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { ResoluteError, ResoluteErrorList } from '../base/errors.js';
import type { Config } from './config.js';
import { formatConfigPath, type ConfigPath, type ConfigProblem } from './config-problem.js';
import { ConfigSchema, type ConfigFile } from './config-schema.js';
import { didYouMean } from './did-you-mean.js';
import { normalizeConfig, type NormalizeOptions } from './normalize-config.js';
import type { ReadSecretFile } from './normalize-providers.js';

/**
 * Reads and validates resolute.yaml. Every problem is reported at once, each as
 * `ERR_CONFIG_INVALID: reason (file:line: path); hint`, in one ResoluteErrorList; nothing is
 * returned unless the whole file is valid, so a caller that keeps its last good config on
 * error (SIGHUP, `resolute reload`) changes nothing.
 *
 * Steps: 1. read (ERR_CONFIG_FILE); 2. YAML with line numbers (ERR_CONFIG_SYNTAX, all syntax
 * errors, duplicate keys included); 3. the schema (config-schema.ts), unknown keys with a
 * "did you mean"; 4. cross-field rules (normalize-config.ts).
 */
export async function loadConfig(path: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the config file does not exist' : `cannot read the config file: ${(error as Error).message}`;
    throw new ResoluteErrorList([
      new ResoluteError('ERR_CONFIG_FILE', reason, { where: path, hint: 'pass the path of resolute.yaml with --config', cause: error }),
    ]);
  }
  return parseConfig(text, path);
}

/** As loadConfig, for text already read; `file` names it in every error. */
export function parseConfig(text: string, file: string): Config {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ResoluteErrorList(
      document.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return new ResoluteError('ERR_CONFIG_SYNTAX', firstLine(error.message), { where: `${file}:${line}:${col}`, hint: 'fix the YAML syntax' });
      }),
    );
  }
  const where = (problem: ConfigProblem): string => {
    const line = lineOf(document, lineCounter, problem);
    return `${file}${line === undefined ? '' : `:${line}`}: ${formatConfigPath(problem.path)}`;
  };
  const byLine = (a: ConfigProblem, b: ConfigProblem): number =>
    (lineOf(document, lineCounter, a) ?? 0) - (lineOf(document, lineCounter, b) ?? 0);
  return validate(document.toJS() ?? {}, where, byLine, secretFileReader(file));
}

/** `tsig.secret_file` is relative to the config file (`file`), as `ca_file` users expect. */
function secretFileReader(file: string): ReadSecretFile {
  return (relative) => {
    try {
      return { text: readFileSync(resolve(dirname(file), relative), 'utf8') };
    } catch (error) {
      return { reason: (error as NodeJS.ErrnoException).code ?? String(error) };
    }
  };
}

/** The same rules for a config that is already a value (the HTTP API); `source` names it. */
export function validateConfig(value: unknown, source: string): Config {
  return validate(value, (problem) => `${source}: ${formatConfigPath(problem.path)}`);
}

function validate(value: unknown, where: (problem: ConfigProblem) => string, order?: (a: ConfigProblem, b: ConfigProblem) => number, readSecretFile?: ReadSecretFile): Config {
  // Reported in file order (a stable sort keeps the order of problems on one line).
  const toErrors = (problems: readonly ConfigProblem[]): ResoluteErrorList =>
    new ResoluteErrorList(
      (order === undefined ? problems : [...problems].sort(order)).map((p) => new ResoluteError('ERR_CONFIG_INVALID', p.reason, p.hint === undefined ? { where: where(p) } : { where: where(p), hint: p.hint })),
    );
  const schemaProblems = schemaProblemsOf(value);
  const options = readSecretFile === undefined ? {} : { readSecretFile };
  if (schemaProblems.length > 0) throw toErrors([...schemaProblems, ...cleanItemProblems(value, schemaProblems, options)]);
  const result = normalizeConfig(value as ConfigFile, options);
  if ('problems' in result) throw toErrors(result.problems);
  return result.config;
}

/**
 * So that one pass shows every error, the cross-field rules also run when the schema failed,
 * and their problems are kept for the items (a zone, an endpoint) that passed the schema. An
 * item that failed it would only produce follow-on noise (a type MX endpoint "has an IPv4
 * address on an MX endpoint"), and a broken zone makes every "outside every zone" doubtful.
 */
function cleanItemProblems(value: unknown, schemaProblems: readonly ConfigProblem[], options: NormalizeOptions): ConfigProblem[] {
  // What a schema problem spoils: its own place and below, or its whole endpoint when it is a
  // field the endpoint's other rules read (type, policy, …), or everything when a zone is broken.
  const spoiled = schemaProblems.map((p) => {
    if (p.path[0] === 'zones' || p.path.length <= 1) return [] as ConfigPath;
    if (p.path[0] === 'endpoints' && p.path.length <= 3) return p.path.slice(0, 2);
    if (p.path[0] === 'providers') return p.path.slice(0, 2);
    return p.path.slice(0, 4);
  });
  const startsWith = (path: ConfigPath, prefix: ConfigPath): boolean => prefix.every((part, i) => path[i] === part);
  try {
    const result = normalizeConfig(value as ConfigFile, options);
    if (!('problems' in result)) return [];
    return result.problems.filter((p) => !spoiled.some((s) => startsWith(p.path, s) || startsWith(s, p.path)));
  } catch {
    // The rules assume the schema's shapes; on a shape they cannot read, the schema errors stand alone.
    return [];
  }
}

function schemaProblemsOf(value: unknown): ConfigProblem[] {
  const byPath = new Map<string, ConfigProblem>();
  for (const error of Value.Errors(ConfigSchema, value)) {
    const problem = describe(error);
    const key = problem.path.join('/');
    // One problem per place: a missing key also fails its type; the first, most direct, wins.
    if (![...byPath.keys()].some((known) => key === known || key.startsWith(`${known}/`))) byPath.set(key, problem);
  }
  return [...byPath.values()];
}

function describe(error: ValueError): ConfigProblem {
  const path: ConfigPath = error.path
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part.replace(/~1/g, '/').replace(/~0/g, '~')));
  const key = String(path[path.length - 1]);
  switch (error.type) {
    case ValueErrorType.ObjectAdditionalProperties: {
      const known = Object.keys((error.schema as { properties?: object }).properties ?? {});
      const close = didYouMean(key, known);
      return { path, reason: `unknown key "${key}"`, hint: close === undefined ? `known keys: ${known.join(', ')}` : `did you mean "${close}"?`, isKey: true };
    }
    case ValueErrorType.ObjectRequiredProperty:
      return { path, reason: `missing required key "${key}"` };
    default: {
      const custom = (error.schema as { errorMessage?: string }).errorMessage;
      // A secret is never repeated, even when it is malformed (a log or a terminal would keep it).
      const got = key === 'secret' ? '' : `, got ${show(error.value)}`;
      return { path, reason: `${custom ?? lowerFirst(error.message)}${got}` };
    }
  }
}

/** The line of the node at the problem's path, or of its nearest ancestor that exists. */
function lineOf(document: Document, lineCounter: LineCounter, problem: ConfigProblem): number | undefined {
  for (let length = problem.path.length; length >= 0; length--) {
    const path = problem.path.slice(0, length);
    if (problem.isKey === true && length === problem.path.length) {
      const parent = document.getIn(path.slice(0, -1), true);
      const pair = isMap(parent) ? parent.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === path[path.length - 1]) : undefined;
      const range = pair !== undefined && isScalar(pair.key) ? pair.key.range : undefined;
      if (range !== undefined && range !== null) return lineCounter.linePos(range[0]).line;
      continue;
    }
    const node = length === 0 ? document.contents : document.getIn(path, true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range !== undefined) return lineCounter.linePos(range[0]).line;
  }
  return undefined;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
