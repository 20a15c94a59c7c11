import { inspect } from 'node:util';
import type { TsigAlgorithm, TsigKey } from '../dns/wire/tsig-key.js';

/**
 * A provider's TSIG key as the config holds it. The name and the algorithm are shown anywhere;
 * the secret sits in a private field, so no log line, error, `resolute status`, JSON dump
 * (`toJSON`) or `util.inspect` of a Config can print it — only `reveal()` hands it to the
 * provider that signs with it.
 */
export class ConfigTsigKey {
  readonly name: string;
  readonly algorithm: TsigAlgorithm;
  readonly #key: TsigKey;

  constructor(key: TsigKey) {
    this.name = key.name;
    this.algorithm = key.algorithm;
    this.#key = key;
    Object.freeze(this);
  }

  /** The key with its secret, for the provider that signs with it, and nothing else. */
  reveal(): TsigKey {
    return this.#key;
  }

  /** Same name, algorithm and secret (a reload compares keys without showing either secret). */
  isSameAs(other: ConfigTsigKey): boolean {
    const [a, b] = [this.#key.secret, other.#key.secret];
    return this.name === other.name && this.algorithm === other.algorithm && a.length === b.length && a.every((octet, i) => octet === b[i]);
  }

  toJSON(): { name: string; algorithm: TsigAlgorithm; secret: '[redacted]' } {
    return { name: this.name, algorithm: this.algorithm, secret: '[redacted]' };
  }

  [inspect.custom](): string {
    return `ConfigTsigKey { name: '${this.name}', algorithm: '${this.algorithm}', secret: [redacted] }`;
  }
}
