import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ConfigSchema } from './config-schema.js';

/** schema/resolute.schema.json, relative to the package root (dist/src/config → ../../..). */
export const JSON_SCHEMA_PATH = fileURLToPath(new URL('../../../schema/resolute.schema.json', import.meta.url));

/** The JSON Schema text shipped for editors: the same definition the loader validates with. */
export function renderJsonSchema(): string {
  return `${JSON.stringify(ConfigSchema, null, 2)}\n`;
}

/** `npm run schema` writes it; config-schema.test.ts fails when the shipped file is stale. */
export async function writeJsonSchema(path = JSON_SCHEMA_PATH): Promise<void> {
  await writeFile(path, renderJsonSchema());
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await writeJsonSchema();
