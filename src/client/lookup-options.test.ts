import assert from 'node:assert/strict';
import dns from 'node:dns';
import { test } from 'node:test';
import { ALL, FAMILY_MASK, IPV6_FIRST, V4MAPPED, decodeLookupOptions } from './lookup-options.js';

const noop = (): void => undefined;

test('lookup options decode family, all, order, verbatim and the V4MAPPED hint', () => {
  assert.equal(decodeLookupOptions('a', 6, noop) & FAMILY_MASK, 6);
  assert.equal(decodeLookupOptions('a', { family: 'IPv4' }, noop) & FAMILY_MASK, 4);
  assert.equal(decodeLookupOptions('a', { all: true }, noop) & ALL, ALL);
  assert.equal(decodeLookupOptions('a', { order: 'ipv6first' }, noop) & IPV6_FIRST, IPV6_FIRST);
  assert.equal(decodeLookupOptions('a', { verbatim: false, order: 'ipv6first' }, noop) & IPV6_FIRST, IPV6_FIRST, 'order wins over verbatim');
  assert.equal(decodeLookupOptions('a', { order: 'verbatim' }, noop) & IPV6_FIRST, 0);
  assert.equal(decodeLookupOptions('a', { family: 6, hints: dns.V4MAPPED | dns.ADDRCONFIG }, noop) & V4MAPPED, V4MAPPED);
  assert.equal(decodeLookupOptions('a', undefined, noop) & (FAMILY_MASK | ALL), 0);
});

test('bad lookup arguments throw the same codes as dns.lookup, synchronously', () => {
  const cases: Array<[unknown, unknown, unknown]> = [
    ['a', 5, noop],
    ['a', { family: 5 }, noop],
    ['a', { all: 'yes' }, noop],
    ['a', { hints: 1 << 20 }, noop],
    ['a', { order: 'random' }, noop],
    ['a', 'IPv4', noop],
    ['a', {}, undefined],
    [42, {}, noop],
  ];
  for (const [hostname, options, callback] of cases) {
    let nodeCode: unknown;
    try {
      (dns.lookup as unknown as (...a: unknown[]) => void)(hostname, options, callback);
    } catch (error) {
      nodeCode = (error as { code?: unknown }).code;
    }
    assert.throws(() => decodeLookupOptions(hostname, options, callback), (error: { code?: unknown }) => {
      assert.equal(error.code, nodeCode, `dns.lookup(${JSON.stringify(hostname)}, ${JSON.stringify(options)})`);
      return true;
    });
  }
});
