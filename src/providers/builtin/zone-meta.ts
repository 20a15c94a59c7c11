/**
 * What the built-in provider stores for a zone besides its names: the SOA fields of the plan,
 * the serial base, and the generation of the last plan that CHANGED the zone (DESIGN: zone
 * serials; soa-serial.ts). It travels as one more entry of the zone's record sets, under a key
 * no owner name can take (canonical owners end with a dot), so it is written in the same fenced
 * transaction as the names it describes and a DNS process reads it with them, O(k) included.
 */
import { ResoluteError } from '../../base/errors.js';
import type { ZoneSoaFields } from '../provider.js';

/** Not a canonical owner name (no trailing dot): never collides with a record set. */
export const ZONE_META_NAME = '#zone';

export interface ZoneMeta {
  readonly soa: ZoneSoaFields;
  readonly serialBase: number;
  readonly changedGeneration: bigint;
}

export function encodeZoneMeta(meta: ZoneMeta): Uint8Array {
  const json = {
    v: 1,
    nameservers: meta.soa.nameservers,
    hostmaster: meta.soa.hostmaster,
    negativeTtlSeconds: meta.soa.negativeTtlSeconds,
    serialBase: meta.serialBase,
    changedGeneration: meta.changedGeneration.toString(),
  };
  return new TextEncoder().encode(JSON.stringify(json));
}

/** @throws ResoluteError ERR_RECORD_SETS_CORRUPT naming the zone. */
export function decodeZoneMeta(zone: string, bytes: Uint8Array): ZoneMeta {
  try {
    const json = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    const { nameservers, hostmaster, negativeTtlSeconds, serialBase, changedGeneration } = json;
    if (
      json.v !== 1 ||
      !Array.isArray(nameservers) ||
      !nameservers.every((n) => typeof n === 'string') ||
      typeof hostmaster !== 'string' ||
      typeof negativeTtlSeconds !== 'number' ||
      typeof serialBase !== 'number' ||
      typeof changedGeneration !== 'string' ||
      !/^\d+$/.test(changedGeneration)
    ) {
      throw new Error('fields missing or of the wrong type');
    }
    return Object.freeze({
      soa: Object.freeze({ nameservers: Object.freeze(nameservers as string[]), hostmaster, negativeTtlSeconds }),
      serialBase,
      changedGeneration: BigInt(changedGeneration),
    });
  } catch (error) {
    throw new ResoluteError('ERR_RECORD_SETS_CORRUPT', `the stored SOA fields of zone ${zone} cannot be decoded: ${(error as Error).message}`, {
      hint: 'the next apply of the newest plan rewrites them; run reconcile to repair now',
    });
  }
}

export function isSameSoaFields(a: ZoneSoaFields, b: ZoneSoaFields): boolean {
  return (
    a.hostmaster === b.hostmaster &&
    a.negativeTtlSeconds === b.negativeTtlSeconds &&
    a.nameservers.length === b.nameservers.length &&
    a.nameservers.every((n, i) => n === b.nameservers[i])
  );
}
