import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTtl } from './ttl-text.js';

describe('parseTtl', () => {
  it('reads seconds and BIND units in any case', () => {
    assert.equal(parseTtl('3600'), 3600);
    assert.equal(parseTtl('1h30m'), 5400);
    assert.equal(parseTtl('1W2D'), 9 * 86400);
    assert.equal(parseTtl('2d'), 172800);
    assert.equal(parseTtl('0'), 0);
  });

  it('refuses other text and values above the maximum (RFC 2181 §8 for TTLs)', () => {
    for (const bad of ['', '1x', 'h', '-1', '1.5', '1h 2m']) assert.equal(parseTtl(bad), undefined, bad);
    assert.equal(parseTtl('2147483647'), 2147483647);
    assert.equal(parseTtl('2147483648'), undefined);
    assert.equal(parseTtl('4294967295', 0xffffffff), 4294967295);
  });
});
