import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSerialNewer, soaSerial } from '../../dns/xfr/soa-serial.js';
import { serialBaseAbove, SOA_EXPIRE_SECONDS, SOA_REFRESH_SECONDS, SOA_RETRY_SECONDS, zoneSerial, zoneSoa } from './soa-serial.js';

test('serials of successive generations rise in RFC 1982 terms across 2^32, from any base', () => {
  for (const base of [0, 1, 2 ** 31, 2 ** 32 - 5]) {
    const generations = [1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 32n + 1n, 2n ** 33n, 2n ** 63n + 9n, 2n ** 64n - 1n];
    for (let i = 1; i < generations.length; i++) {
      // Successive generations here are further apart than 2^31 only where noted by the bound.
      const a = zoneSerial(base, generations[i - 1]);
      const b = zoneSerial(base, generations[i]);
      const step = generations[i] - generations[i - 1];
      if (step % 2n ** 32n !== 0n && step % 2n ** 32n < 2n ** 31n) assert.ok(isSerialNewer(b, a), `base ${base}: ${generations[i - 1]} → ${generations[i]}`);
    }
    for (let g = 2n ** 32n - 3n; g < 2n ** 32n + 3n; g++) assert.ok(isSerialNewer(zoneSerial(base, g + 1n), zoneSerial(base, g)), `base ${base}, generation ${g}`);
  }
});

test('a zone adopted from a serial elsewhere starts just above it', () => {
  for (const found of [0, 2021010100, 2 ** 32 - 1]) {
    const base = serialBaseAbove(found, 12n);
    assert.equal(zoneSerial(base, 12n), (found + 1) % 2 ** 32);
    assert.ok(isSerialNewer(zoneSerial(base, 12n), found));
  }
});

test('the generated SOA refreshes within a minute, retries within 10 s and expires after two weeks or more', () => {
  const soa = zoneSoa('demo.test.', { nameservers: ['ns1.demo.test.'], hostmaster: 'hostmaster.demo.test.', negativeTtlSeconds: 5 }, 77);
  assert.equal(soaSerial(soa), 77);
  assert.ok(SOA_REFRESH_SECONDS <= 60 && SOA_RETRY_SECONDS <= 10 && SOA_EXPIRE_SECONDS >= 14 * 24 * 3600);
  const rdata = soa.rdatas[0];
  const timers = Buffer.from(rdata.subarray(rdata.length - 16));
  assert.deepEqual([0, 4, 8, 12].map((o) => timers.readUInt32BE(o)), [SOA_REFRESH_SECONDS, SOA_RETRY_SECONDS, SOA_EXPIRE_SECONDS, 5]);
});
