/**
 * Small values (headers, applied generations, leases, reports) are JSON: readable with
 * `sqlite3` or `etcdctl` when something goes wrong. Generations are 64-bit, so bigints are
 * written as decimal strings and read back by name.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function toJsonBytes(value: object): Uint8Array {
  return encoder.encode(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}

/** A stored value that is not what this release wrote: reported, never guessed at. */
export class CorruptValueError extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'CorruptValueError';
  }
}

export type JsonObject = Readonly<Record<string, unknown>>;

export function fromJsonBytes(bytes: Uint8Array, key: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (error) {
    throw new CorruptValueError(`${key} is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CorruptValueError(`${key} is not a JSON object`);
  return value as JsonObject;
}

export function bigintField(object: JsonObject, name: string, key: string): bigint {
  const value = object[name];
  if (typeof value !== 'string' || !/^\d{1,20}$/.test(value)) throw new CorruptValueError(`${key}: ${name} is not a generation`);
  return BigInt(value);
}

export function nullableBigintField(object: JsonObject, name: string, key: string): bigint | null {
  return object[name] === null ? null : bigintField(object, name, key);
}

export function optionalBigintField(object: JsonObject, name: string, key: string): bigint | undefined {
  return object[name] === undefined ? undefined : bigintField(object, name, key);
}

export function numberField(object: JsonObject, name: string, key: string): number {
  const value = object[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new CorruptValueError(`${key}: ${name} is not a number`);
  return value;
}

export function stringField(object: JsonObject, name: string, key: string): string {
  const value = object[name];
  if (typeof value !== 'string') throw new CorruptValueError(`${key}: ${name} is not a string`);
  return value;
}

export function booleanField(object: JsonObject, name: string, key: string): boolean {
  const value = object[name];
  if (typeof value !== 'boolean') throw new CorruptValueError(`${key}: ${name} is not a boolean`);
  return value;
}

export function objectField(object: JsonObject, name: string, key: string): JsonObject {
  const value = object[name];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CorruptValueError(`${key}: ${name} is not an object`);
  return value as JsonObject;
}
