import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './address-text.js';

const v6 = (text: string): string | undefined => {
  const bytes = parseIPv6(text);
  return bytes === undefined ? undefined : formatIPv6(bytes);
};

describe('IP address text', () => {
  it('reads dotted-quad IPv4 and refuses leading zeros, which could mean octal', () => {
    assert.equal(formatIPv4(parseIPv4('192.0.2.255') as Uint8Array), '192.0.2.255');
    assert.equal(formatIPv4(parseIPv4('0.0.0.0') as Uint8Array), '0.0.0.0');
    for (const bad of ['192.0.2', '192.0.2.1.5', '192.0.2.256', '192.0.02.1', '1.2.3.-4', ' 1.2.3.4', '1.2.3.4 ']) {
      assert.equal(parseIPv4(bad), undefined, bad);
    }
  });

  it('prints IPv6 as RFC 5952 §4 says: lower case, the longest zero run compressed, first on a tie', () => {
    assert.equal(v6('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
    assert.equal(v6('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
    assert.equal(v6('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1');
    assert.equal(v6('::'), '::');
    assert.equal(v6('::1'), '::1');
    assert.equal(v6('1::'), '1::');
    assert.equal(v6('1:0:0:2:0:0:0:3'), '1:0:0:2::3');
  });

  it('reads and prints IPv4-mapped addresses with a dotted tail (RFC 5952 §5)', () => {
    assert.equal(v6('::FFFF:192.0.2.1'), '::ffff:192.0.2.1');
    assert.equal(v6('0:0:0:0:0:ffff:c000:0201'), '::ffff:192.0.2.1');
    assert.equal(v6('64:ff9b::192.0.2.1'), '64:ff9b::c000:201');
  });

  it('refuses what is not an IPv6 address', () => {
    for (const bad of ['1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::8', '12345::', ':1::', '1:::2', 'g::', '1.2.3.4::', '::1.2.3', 'fe80::1%eth0', '']) {
      assert.equal(parseIPv6(bad), undefined, bad);
    }
  });
});
