/**
 * TSIG keys (RFC 8945 §6): a name, an HMAC algorithm and a shared secret, read from the two
 * forms operators already have — `name:algorithm:base64secret` (as `dig -y` takes it) and a
 * BIND key file (`key "name" { algorithm hmac-sha256; secret "…"; };`, what `tsig-keygen`,
 * `keymgr` and `knotc` print). The secret never appears in an error message.
 */
import { ResoluteError } from '../../base/errors.js';
import { canonicalName, parseName } from './name.js';

/** RFC 8945 §6: the HMAC algorithms every implementation has; MD5 and GSS-TSIG are left out. */
export const TSIG_ALGORITHMS = ['hmac-sha1', 'hmac-sha224', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'] as const;
export type TsigAlgorithm = (typeof TSIG_ALGORITHMS)[number];

export interface TsigKey {
  /** Canonical key name, e.g. `transfer.example.` (the TSIG record's owner). */
  readonly name: string;
  readonly algorithm: TsigAlgorithm;
  readonly secret: Uint8Array;
}

/** The algorithm's name in a TSIG record (RFC 8945 §6: `hmac-sha256.`). */
export function algorithmName(algorithm: TsigAlgorithm): string {
  return `${algorithm}.`;
}

/** The algorithm for a TSIG record's algorithm name, or undefined for one we do not have. */
export function algorithmOfName(name: string): TsigAlgorithm | undefined {
  const bare = canonicalName(name).replace(/\.$/, '');
  return (TSIG_ALGORITHMS as readonly string[]).includes(bare) ? (bare as TsigAlgorithm) : undefined;
}

/** Octets of the algorithm's full MAC. */
export function macOctets(algorithm: TsigAlgorithm): number {
  return { 'hmac-sha1': 20, 'hmac-sha224': 28, 'hmac-sha256': 32, 'hmac-sha384': 48, 'hmac-sha512': 64 }[algorithm];
}

/**
 * A key from `name:algorithm:base64secret` (the algorithm may be omitted: hmac-sha256), e.g.
 * `transfer.example:hmac-sha256:c2VjcmV0…`.
 *
 * @throws ResoluteError ERR_TSIG_KEY naming `where` (the option or file) and what is wrong.
 */
export function parseTsigKey(text: string, where: string): TsigKey {
  const parts = text.trim().split(':');
  if (parts.length < 2 || parts.length > 3) {
    throw keyError('a TSIG key is written name:algorithm:base64secret', where);
  }
  const [name, algorithm, secret] = parts.length === 3 ? parts : [parts[0], 'hmac-sha256', parts[1]];
  return makeKey(name, algorithm, secret, where);
}

/**
 * The keys of a BIND-style key file (`tsig-keygen name`, Knot's `keymgr -t`, NSD's
 * `nsd-control-setup` do not matter here: any `key "name" { algorithm …; secret "…"; };`).
 */
export function parseTsigKeyFile(text: string, where: string): TsigKey[] {
  const withoutComments = text.replace(/(#|\/\/)[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
  const keys: TsigKey[] = [];
  const pattern = /key\s+"?([^"\s{]+)"?\s*\{([^}]*)\}\s*;?/g;
  for (const match of withoutComments.matchAll(pattern)) {
    const body = match[2];
    const algorithm = /algorithm\s+"?([\w-]+)"?\s*;/.exec(body)?.[1];
    const secret = /secret\s+"([^"]+)"\s*;/.exec(body)?.[1];
    if (algorithm === undefined || secret === undefined) {
      throw keyError(`key "${match[1]}" needs both an algorithm and a secret`, where);
    }
    keys.push(makeKey(match[1], algorithm, secret, where));
  }
  if (keys.length === 0) throw keyError('no key { algorithm …; secret "…"; }; block found', where);
  return keys;
}

function makeKey(name: string, algorithm: string, secret: string, where: string): TsigKey {
  let keyName: string;
  try {
    keyName = canonicalName(parseName(name.endsWith('.') ? name : `${name}.`));
  } catch {
    throw keyError(`"${name}" is not a valid key name`, where);
  }
  const known = algorithmOfName(algorithm);
  if (known === undefined) {
    throw keyError(`unknown TSIG algorithm "${algorithm}"`, where, `use one of ${TSIG_ALGORITHMS.join(', ')}`);
  }
  const compact = secret.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw keyError(`the secret of key ${keyName} is not base64`, where);
  }
  const bytes = new Uint8Array(Buffer.from(compact, 'base64'));
  if (bytes.length < 16) throw keyError(`the secret of key ${keyName} is ${bytes.length} octets; use at least 16`, where);
  return Object.freeze({ name: keyName, algorithm: known, secret: bytes });
}

function keyError(reason: string, where: string, hint = 'generate one with `tsig-keygen -a hmac-sha256 NAME`'): ResoluteError {
  return new ResoluteError('ERR_TSIG_KEY', reason, { where, hint });
}
