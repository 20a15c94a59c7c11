/**
 * EDNS(0) (RFC 6891), DNS COOKIE (RFC 7873) and truncation (RFC 1035 §4.2.1, RFC 2181 §9) as
 * dig and kdig see them from the real `resolute serve`.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { INTEROP_SOA, writeInteropZones } from '../../src/testing/interop-zones.js';
import { dig, kdig } from '../../src/testing/run-dig.js';
import { startServeProcess, stopAllServeProcesses, type ServeProcess } from '../../src/testing/serve-process.js';

/** The TXT strings of `owner` as the zone fixture writes them (interop-zones.ts). */
function txtAnswer(owner: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const text = `record ${String(i).padStart(2, '0')} of ${owner}, padded to sixty octets`.padEnd(60, '.');
    return `${owner}.interop.test. 300 IN TXT "${text}"`;
  });
}

describe('EDNS and truncation, asked by dig and kdig', () => {
  let server: ServeProcess;
  let dir: string;

  before(async () => {
    const zones = await writeInteropZones();
    dir = zones.dir;
    server = await startServeProcess(['--zone-file', zones.interop, '--zone-file', zones.other, '--port', '0']);
  });

  after(async () => {
    await stopAllServeProcesses();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  describe('EDNS', () => {
    for (const transport of ['udp', 'tcp'] as const) {
      const options = transport === 'tcp' ? ['+tcp'] : ['+notcp'];

      it(`an answer to a query with OPT carries an OPT of version 0 offering 1232 octets (${transport})`, async () => {
        const r = await dig(server, ['api.interop.test', 'A', '+edns=0', ...options]);
        assert.equal(r.status, 'NOERROR', r.text);
        assert.deepEqual(r.edns, { version: 0, udpSize: 1232, flags: [] }, r.text);
      });

      it(`an answer to a query without OPT carries none (${transport})`, async () => {
        const r = await dig(server, ['api.interop.test', 'A', '+noedns', ...options]);
        assert.equal(r.status, 'NOERROR', r.text);
        assert.equal(r.edns, undefined, r.text);
        assert.equal(r.counts.additional, 0, r.text);
      });

      it(`EDNS version 1 gets BADVERS with an OPT of version 0 (${transport})`, async () => {
        const r = await dig(server, ['interop.test', 'SOA', '+edns=1', '+noednsnegotiation', ...options]);
        assert.equal(r.status, 'BADVERS', r.text);
        assert.equal(r.edns?.version, 0, r.text);
        assert.deepEqual(r.answer, [], r.text);
      });

      it(`an unknown EDNS option is ignored (${transport})`, async () => {
        const r = await dig(server, ['api.interop.test', 'AAAA', '+ednsopt=65001:abcd', ...options]);
        assert.equal(r.status, 'NOERROR', r.text);
        assert.deepEqual(r.answer, ['api.interop.test. 30 IN AAAA 2001:db8::10'], r.text);
        assert.equal(r.edns?.version, 0, r.text);
      });

      it(`a DNS COOKIE is accepted and the query answered (${transport})`, async () => {
        const r = await dig(server, ['mail.interop.test', 'A', '+cookie', ...options]);
        assert.equal(r.status, 'NOERROR', r.text);
        assert.deepEqual(r.answer, ['mail.interop.test. 300 IN A 192.0.2.25'], r.text);
      });

      it(`a client cookie with a server cookie is accepted too (${transport})`, async () => {
        const r = await dig(server, ['mail.interop.test', 'A', '+cookie=0123456789abcdef0123456789abcdef', ...options]);
        assert.equal(r.status, 'NOERROR', r.text);
        assert.deepEqual(r.answer, ['mail.interop.test. 300 IN A 192.0.2.25'], r.text);
      });

      it(`a malformed COOKIE (5 octets) gets FORMERR (${transport})`, async () => {
        const r = await dig(server, ['mail.interop.test', 'A', '+ednsopt=10:0102030405', ...options]);
        assert.equal(r.status, 'FORMERR', r.text);
      });

      it(`the DO bit is copied into the answer's OPT (${transport})`, async () => {
        const r = await dig(server, ['api.interop.test', 'A', '+dnssec', ...options]);
        assert.equal(r.status, 'NOERROR', r.text);
        assert.deepEqual(r.edns?.flags, ['do'], r.text);
      });

      it(`a negative answer carries the OPT as well (${transport})`, async () => {
        const r = await dig(server, ['nope.interop.test', 'A', ...options]);
        assert.equal(r.status, 'NXDOMAIN', r.text);
        assert.deepEqual(r.authority, [INTEROP_SOA], r.text);
        assert.equal(r.edns?.version, 0, r.text);
      });
    }
  });

  describe('truncation over UDP', () => {
    it('an answer larger than the client UDP size is truncated: TC, the question, no records', async () => {
      const r = await dig(server, ['mid.interop.test', 'TXT', '+ignore', '+bufsize=512']);
      assert.ok(r.flags.includes('tc'), r.text);
      assert.deepEqual(r.question, ['mid.interop.test. IN TXT'], r.text);
      assert.deepEqual([r.counts.answer, r.counts.authority], [0, 0], r.text);
      assert.equal(r.edns?.version, 0, 'the truncated answer keeps its OPT');
    });

    it('the same answer fits when the client offers 1232 octets', async () => {
      const r = await dig(server, ['mid.interop.test', 'TXT', '+ignore', '+bufsize=1232']);
      assert.ok(!r.flags.includes('tc'), r.text);
      assert.deepEqual(r.answer, txtAnswer('mid', 10), r.text);
    });

    it('without EDNS an answer above 512 octets is truncated', async () => {
      const r = await dig(server, ['mid.interop.test', 'TXT', '+ignore', '+noedns']);
      assert.ok(r.flags.includes('tc'), r.text);
      assert.equal(r.counts.answer, 0, r.text);
    });

    it('without EDNS an answer under 512 octets is whole', async () => {
      const r = await dig(server, ['small.interop.test', 'TXT', '+ignore', '+noedns']);
      assert.ok(!r.flags.includes('tc'), r.text);
      assert.deepEqual(r.answer, txtAnswer('small', 5), r.text);
    });

    it('a UDP size below 512 is taken as 512 (RFC 6891 §6.2.5)', async () => {
      const r = await dig(server, ['small.interop.test', 'TXT', '+ignore', '+bufsize=100']);
      assert.ok(!r.flags.includes('tc'), r.text);
      assert.deepEqual(r.answer, txtAnswer('small', 5), r.text);
    });

    it('a UDP size above 1232 is capped at 1232', async () => {
      const r = await dig(server, ['big.interop.test', 'TXT', '+ignore', '+bufsize=4096']);
      assert.ok(r.flags.includes('tc'), r.text);
      assert.equal(r.counts.answer, 0, r.text);
    });

    it('the full answer comes over TCP', async () => {
      const r = await dig(server, ['big.interop.test', 'TXT', '+tcp']);
      assert.ok(!r.flags.includes('tc'), r.text);
      assert.deepEqual(r.answer, txtAnswer('big', 40), r.text);
    });

    it('dig retries a truncated answer over TCP and gets it whole', async () => {
      const r = await dig(server, ['big.interop.test', 'TXT']);
      assert.ok(!r.flags.includes('tc'), r.text);
      assert.equal(r.answer.length, 40, r.text);
      assert.match(r.text, /\(TCP\)/, r.text);
    });
  });

  describe('kdig', () => {
    it('kdig over UDP gets the A RRset', async () => {
      const r = await kdig(server, ['api.interop.test', 'A']);
      assert.equal(r.status, 'NOERROR', r.text);
      assert.deepEqual(r.flags, ['aa', 'qr', 'rd'], r.text);
      assert.deepEqual(r.answer, ['api.interop.test. 30 IN A 192.0.2.10', 'api.interop.test. 30 IN A 192.0.2.11'], r.text);
    });

    it('kdig over TCP gets the CNAME chain', async () => {
      const r = await kdig(server, ['www.interop.test', 'AAAA', '+tcp']);
      assert.equal(r.status, 'NOERROR', r.text);
      assert.deepEqual(
        r.answer,
        ['www.interop.test. 300 IN CNAME web.interop.test.', 'web.interop.test. 300 IN CNAME api.interop.test.', 'api.interop.test. 30 IN AAAA 2001:db8::10'],
        r.text,
      );
    });

    it('kdig with +nsid gets its answer and no NSID (the option is ignored)', async () => {
      const r = await kdig(server, ['info.interop.test', 'TXT', '+nsid']);
      assert.equal(r.status, 'NOERROR', r.text);
      assert.deepEqual(r.answer, ['info.interop.test. 300 IN TXT "Resolute interop zone" "with spaces in it"'], r.text);
      assert.equal(r.edns?.version, 0, r.text);
      assert.doesNotMatch(r.text, /NSID:/, r.text);
    });

    for (const transport of ['udp', 'tcp'] as const) {
      const options = transport === 'tcp' ? ['+tcp'] : ['+notcp'];
      it(`kdig gets NXDOMAIN with the SOA (${transport})`, async () => {
        const r = await kdig(server, ['nope.interop.test', 'A', ...options]);
        assert.equal(r.status, 'NXDOMAIN', r.text);
        assert.deepEqual(r.authority, [INTEROP_SOA], r.text);
      });

      it(`kdig gets a referral with glue and AA clear below the delegation (${transport})`, async () => {
        const r = await kdig(server, ['www.sub.interop.test', 'A', ...options]);
        assert.equal(r.status, 'NOERROR', r.text);
        assert.ok(!r.flags.includes('aa'), r.text);
        assert.deepEqual(r.authority, ['sub.interop.test. 86400 IN NS ns.sub.interop.test.', 'sub.interop.test. 86400 IN NS ns.elsewhere.example.'], r.text);
        assert.deepEqual(r.additional, ['ns.sub.interop.test. 86400 IN A 192.0.2.153', 'ns.sub.interop.test. 86400 IN AAAA 2001:db8::153'], r.text);
      });

      it(`kdig gets REFUSED outside the zones (${transport})`, async () => {
        const r = await kdig(server, ['example.org', 'SOA', ...options]);
        assert.equal(r.status, 'REFUSED', r.text);
      });

      it(`kdig with EDNS version 1 gets BADVERS (${transport})`, async () => {
        const r = await kdig(server, ['interop.test', 'SOA', '+edns=1', ...options]);
        assert.equal(r.status, 'BADVERS', r.text);
      });
    }

    it('kdig over TCP gets the whole large TXT RRset', async () => {
      const r = await kdig(server, ['big.interop.test', 'TXT', '+tcp']);
      assert.equal(r.answer.length, 40, r.text);
      assert.ok(!r.flags.includes('tc'), r.text);
    });

    it('kdig with +ignore over UDP sees TC on the large TXT RRset', async () => {
      const r = await kdig(server, ['big.interop.test', 'TXT', '+ignore', '+bufsize=1232']);
      assert.ok(r.flags.includes('tc'), r.text);
      assert.equal(r.counts.answer, 0, r.text);
    });
  });
});
