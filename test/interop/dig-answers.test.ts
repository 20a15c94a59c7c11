/**
 * The real `resolute serve`, asked by the real `dig` over UDP and over TCP: every answer an
 * authoritative server gives (RFC 1034 §4.3.2, RFC 2308, RFC 4592, RFC 6604, RFC 8020, RFC 8482),
 * with the expected records written in presentation format.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { INTEROP_SOA, writeInteropZones } from '../../src/testing/interop-zones.js';
import { dig, runTool, type DigResponse } from '../../src/testing/run-dig.js';
import { startServeProcess, stopAllServeProcesses, type ServeProcess } from '../../src/testing/serve-process.js';

interface AnswerCase {
  readonly name: string;
  /** dig's query arguments: name, type, options. */
  readonly query: readonly string[];
  readonly status: string;
  /** AA expected (true for authoritative data, false for referrals and REFUSED). */
  readonly aa: boolean;
  readonly answer: readonly string[];
  readonly authority: readonly string[];
  /** Checked only when given. */
  readonly additional?: readonly string[];
  /** Printed with a failure: what is known about it. */
  readonly note?: string;
}

const OTHER_SOA = 'other.test. 30 IN SOA ns1.other.test. hostmaster.other.test. 7 3600 600 604800 300';
const API_A = ['api.interop.test. 30 IN A 192.0.2.10', 'api.interop.test. 30 IN A 192.0.2.11'];
const SUB_REFERRAL = {
  status: 'NOERROR',
  aa: false,
  answer: [],
  authority: ['sub.interop.test. 86400 IN NS ns.sub.interop.test.', 'sub.interop.test. 86400 IN NS ns.elsewhere.example.'],
  additional: ['ns.sub.interop.test. 86400 IN A 192.0.2.153', 'ns.sub.interop.test. 86400 IN AAAA 2001:db8::153'],
} as const;

const CASES: readonly AnswerCase[] = [
  // SOA and NS at the apex.
  {
    name: 'the SOA at the apex is answered',
    query: ['interop.test', 'SOA'],
    status: 'NOERROR',
    aa: true,
    answer: ['interop.test. 3600 IN SOA ns1.interop.test. hostmaster.interop.test. 2024060101 3600 600 604800 60'],
    authority: [],
  },
  {
    name: 'the NS RRset at the apex is answered',
    query: ['interop.test', 'NS'],
    status: 'NOERROR',
    aa: true,
    answer: ['interop.test. 3600 IN NS ns1.interop.test.', 'interop.test. 3600 IN NS ns2.interop.test.'],
    authority: [],
  },
  // NOERROR with answers for every type.
  { name: 'an A RRset is answered', query: ['api.interop.test', 'A'], status: 'NOERROR', aa: true, answer: API_A, authority: [] },
  {
    name: 'an AAAA RRset is answered',
    query: ['api.interop.test', 'AAAA'],
    status: 'NOERROR',
    aa: true,
    answer: ['api.interop.test. 30 IN AAAA 2001:db8::10'],
    authority: [],
  },
  {
    name: 'an MX RRset is answered',
    query: ['interop.test', 'MX'],
    status: 'NOERROR',
    aa: true,
    answer: ['interop.test. 300 IN MX 10 mail.interop.test.'],
    authority: [],
  },
  {
    name: 'a TXT record with spaces in its strings is answered as written',
    query: ['info.interop.test', 'TXT'],
    status: 'NOERROR',
    aa: true,
    answer: ['info.interop.test. 300 IN TXT "Resolute interop zone" "with spaces in it"'],
    authority: [],
  },
  {
    name: 'a CAA RRset is answered',
    query: ['interop.test', 'CAA'],
    status: 'NOERROR',
    aa: true,
    answer: ['interop.test. 300 IN CAA 0 issue "letsencrypt.org"'],
    authority: [],
  },
  {
    name: 'an SRV RRset is answered',
    query: ['_sip._tcp.interop.test', 'SRV'],
    status: 'NOERROR',
    aa: true,
    answer: ['_sip._tcp.interop.test. 300 IN SRV 10 60 5060 api.interop.test.'],
    authority: [],
  },
  {
    name: 'a PTR RRset is answered',
    query: ['10.rev.interop.test', 'PTR'],
    status: 'NOERROR',
    aa: true,
    answer: ['10.rev.interop.test. 300 IN PTR api.interop.test.'],
    authority: [],
  },
  {
    name: 'a type without a mnemonic is answered opaquely (RFC 3597)',
    query: ['opaque.interop.test', 'TYPE65534'],
    status: 'NOERROR',
    aa: true,
    answer: ['opaque.interop.test. 300 IN TYPE65534 \\# 4 0A000001'],
    authority: [],
  },
  // Negative answers: the SOA with TTL min(SOA TTL, MINIMUM) (RFC 2308 §3, §5).
  {
    name: 'a missing name gets NXDOMAIN with the SOA at the negative TTL',
    query: ['nope.interop.test', 'A'],
    status: 'NXDOMAIN',
    aa: true,
    answer: [],
    authority: [INTEROP_SOA],
  },
  {
    name: 'a missing type gets NODATA with the SOA at the negative TTL',
    query: ['api.interop.test', 'MX'],
    status: 'NOERROR',
    aa: true,
    answer: [],
    authority: [INTEROP_SOA],
  },
  {
    name: 'the negative TTL is the SOA TTL when it is below the SOA minimum',
    query: ['nope.other.test', 'A'],
    status: 'NXDOMAIN',
    aa: true,
    answer: [],
    authority: [OTHER_SOA],
  },
  {
    name: 'an empty non-terminal gets NODATA, not NXDOMAIN (RFC 8020)',
    query: ['b.ent.interop.test', 'A'],
    status: 'NOERROR',
    aa: true,
    answer: [],
    authority: [INTEROP_SOA],
  },
  {
    name: 'an empty non-terminal two levels up gets NODATA too',
    query: ['ent.interop.test', 'TXT'],
    status: 'NOERROR',
    aa: true,
    answer: [],
    authority: [INTEROP_SOA],
  },
  // CNAME (RFC 1034 §4.3.2 step 3a, RFC 6604).
  {
    name: 'a CNAME chain inside the zone is followed to the data',
    query: ['www.interop.test', 'A'],
    status: 'NOERROR',
    aa: true,
    answer: ['www.interop.test. 300 IN CNAME web.interop.test.', 'web.interop.test. 300 IN CNAME api.interop.test.', ...API_A],
    authority: [],
  },
  {
    name: 'a query for the CNAME type gets the CNAME alone',
    query: ['www.interop.test', 'CNAME'],
    status: 'NOERROR',
    aa: true,
    answer: ['www.interop.test. 300 IN CNAME web.interop.test.'],
    authority: [],
  },
  {
    name: 'a CNAME chain to a name without the type ends in NODATA with the chain',
    query: ['www.interop.test', 'MX'],
    status: 'NOERROR',
    aa: true,
    answer: ['www.interop.test. 300 IN CNAME web.interop.test.', 'web.interop.test. 300 IN CNAME api.interop.test.'],
    authority: [INTEROP_SOA],
  },
  {
    name: 'a CNAME out of every zone gets just the CNAME',
    query: ['ext.interop.test', 'A'],
    status: 'NOERROR',
    aa: true,
    answer: ['ext.interop.test. 300 IN CNAME target.example.net.'],
    authority: [],
  },
  {
    name: 'a CNAME into another zone gets just the chain',
    query: ['cross.interop.test', 'A'],
    status: 'NOERROR',
    aa: true,
    answer: ['cross.interop.test. 300 IN CNAME www.other.test.'],
    authority: [],
  },
  {
    name: 'a CNAME to a missing name in the zone gets NXDOMAIN with the chain (RFC 6604)',
    query: ['dangling.interop.test', 'A'],
    status: 'NXDOMAIN',
    aa: true,
    answer: ['dangling.interop.test. 300 IN CNAME missing.interop.test.'],
    authority: [INTEROP_SOA],
  },
  // Wildcards (RFC 4592).
  {
    name: 'a wildcard synthesizes an answer whose owner is the query name',
    query: ['anything.apps.interop.test', 'A'],
    status: 'NOERROR',
    aa: true,
    answer: ['anything.apps.interop.test. 300 IN A 192.0.2.80'],
    authority: [],
  },
  {
    name: 'a wildcard synthesizes for names several labels below its parent',
    query: ['a.b.apps.interop.test', 'TXT'],
    status: 'NOERROR',
    aa: true,
    answer: ['a.b.apps.interop.test. 300 IN TXT "synthesized"'],
    authority: [],
  },
  {
    name: 'a wildcard without the type gives NODATA',
    query: ['anything.apps.interop.test', 'AAAA'],
    status: 'NOERROR',
    aa: true,
    answer: [],
    authority: [INTEROP_SOA],
  },
  {
    name: 'a name that exists blocks the wildcard, even for a type it lacks',
    query: ['real.apps.interop.test', 'TXT'],
    status: 'NOERROR',
    aa: true,
    answer: [],
    authority: [INTEROP_SOA],
  },
  {
    name: 'a name that exists answers its own data, not the wildcard',
    query: ['real.apps.interop.test', 'A'],
    status: 'NOERROR',
    aa: true,
    answer: ['real.apps.interop.test. 300 IN A 192.0.2.81'],
    authority: [],
  },
  {
    name: 'an empty non-terminal blocks the wildcard too (RFC 4592 §2.2.2)',
    query: ['blocker.apps.interop.test', 'A'],
    status: 'NOERROR',
    aa: true,
    answer: [],
    authority: [INTEROP_SOA],
  },
  {
    name: 'below an empty non-terminal with no wildcard the answer is NXDOMAIN',
    query: ['other.blocker.apps.interop.test', 'A'],
    status: 'NXDOMAIN',
    aa: true,
    answer: [],
    authority: [INTEROP_SOA],
  },
  {
    name: 'a wildcard CNAME is synthesized and its chain followed',
    query: ['foo.alias.interop.test', 'A'],
    status: 'NOERROR',
    aa: true,
    answer: ['foo.alias.interop.test. 300 IN CNAME api.interop.test.', ...API_A],
    authority: [],
  },
  {
    name: 'a CNAME to a name only a wildcard covers is followed into the synthesized answer',
    query: ['towild.interop.test', 'A'],
    status: 'NOERROR',
    aa: true,
    answer: ['towild.interop.test. 300 IN CNAME x.apps.interop.test.', 'x.apps.interop.test. 300 IN A 192.0.2.80'],
    authority: [],
    note: 'RFC 1034 §4.3.2 step 3c, RFC 4592 §2.1: the chain continues into the synthesized answer, as BIND and Knot answer.',
  },
  // Delegations (RFC 1034 §4.3.2 step 3b).
  { name: 'the delegation point itself gets a referral with glue and AA clear', query: ['sub.interop.test', 'A'], ...SUB_REFERRAL },
  { name: 'a query below a delegation gets a referral with glue and AA clear', query: ['host.sub.interop.test', 'AAAA'], ...SUB_REFERRAL },
  { name: 'the glue name itself is not answered authoritatively but referred', query: ['ns.sub.interop.test', 'A'], ...SUB_REFERRAL },
  {
    name: 'DS at the delegation point is answered by the parent (NODATA here)',
    query: ['sub.interop.test', 'DS'],
    status: 'NOERROR',
    aa: true,
    answer: [],
    authority: [INTEROP_SOA],
  },
  // Outside every zone.
  {
    name: 'a name outside every zone is REFUSED, never recursed',
    query: ['www.example.com', 'A'],
    status: 'REFUSED',
    aa: false,
    answer: [],
    authority: [],
    additional: [],
  },
  {
    name: 'the parent of a served zone is REFUSED',
    query: ['test', 'NS'],
    status: 'REFUSED',
    aa: false,
    answer: [],
    authority: [],
    additional: [],
  },
];

/** Compares a response to a case, with the whole dig output in the message on failure. */
function assertAnswer(response: DigResponse, expected: AnswerCase): void {
  const got = {
    status: response.status,
    aa: response.flags.includes('aa'),
    answer: response.answer,
    authority: response.authority,
    ...(expected.additional === undefined ? {} : { additional: response.additional }),
  };
  const want = {
    status: expected.status,
    aa: expected.aa,
    answer: expected.answer,
    authority: expected.authority,
    ...(expected.additional === undefined ? {} : { additional: expected.additional }),
  };
  const note = expected.note === undefined ? '' : `\n${expected.note}`;
  assert.deepEqual(got, want, `dig ${expected.query.join(' ')} printed:\n${response.text}${note}`);
  assert.ok(!response.flags.includes('ra'), 'RA is never set: no recursion here');
  assert.ok(!response.flags.includes('tc'), 'nothing here needs truncation');
}

describe('resolute serve asked by dig', () => {
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

  for (const transport of ['udp', 'tcp'] as const) {
    describe(`over ${transport.toUpperCase()}`, () => {
      const options = transport === 'tcp' ? ['+tcp'] : ['+notcp'];
      for (const c of CASES) {
        it(c.name, async () => {
          assertAnswer(await dig(server, [...c.query, ...options]), c);
        });
      }

      it('a question in mixed case is echoed with its case, and answers point at it', async () => {
        const r = await dig(server, ['WwW.InTeRoP.TeSt', 'A', ...options]);
        assert.deepEqual(r.question, ['WwW.InTeRoP.TeSt. IN A'], r.text);
        assert.equal(r.status, 'NOERROR');
        assert.equal(r.answer[0].toLowerCase(), 'www.interop.test. 300 in cname web.interop.test.', r.text);
        assert.equal(r.answer.length, 4, r.text);
      });

      it('RD is copied when set, RA stays clear', async () => {
        const r = await dig(server, ['api.interop.test', 'A', '+rec', ...options]);
        assert.deepEqual(r.flags, ['aa', 'qr', 'rd'], r.text);
      });

      it('RD stays clear when the query did not set it', async () => {
        const r = await dig(server, ['api.interop.test', 'A', '+norec', ...options]);
        assert.deepEqual(r.flags, ['aa', 'qr'], r.text);
      });

      it('the response ID is the query ID and the question is echoed', async () => {
        const r = await dig(server, ['mail.interop.test', 'A', '+qid=4242', ...options]);
        assert.equal(r.id, 4242, r.text);
        assert.deepEqual(r.question, ['mail.interop.test. IN A'], r.text);
        assert.deepEqual(r.answer, ['mail.interop.test. 300 IN A 192.0.2.25'], r.text);
      });

      it('ANY is answered with one RRset of the name (RFC 8482)', async () => {
        const r = await dig(server, ['api.interop.test', 'ANY', ...options]);
        assert.equal(r.status, 'NOERROR', r.text);
        assert.ok(r.answer.length >= 1, r.text);
        const types = new Set(r.answer.map((line) => line.split(' ')[3]));
        assert.equal(types.size, 1, `one RRset only, got ${[...types].join(', ')}:\n${r.text}`);
        const expected = types.has('A') ? API_A : ['api.interop.test. 30 IN AAAA 2001:db8::10'];
        assert.deepEqual(r.answer, expected, r.text);
      });

      it('ANY at a name a wildcard synthesizes gets the wildcard RRset (RFC 8482, RFC 4592)', async () => {
        const r = await dig(server, ['anything.apps.interop.test', 'ANY', ...options]);
        assert.equal(r.status, 'NOERROR', r.text);
        assert.deepEqual(r.answer, ['anything.apps.interop.test. 300 IN A 192.0.2.80'], r.text);
      });

      it('ANY at a missing name gets NXDOMAIN with the SOA', async () => {
        const r = await dig(server, ['nope.interop.test', 'ANY', ...options]);
        assert.equal(r.status, 'NXDOMAIN', r.text);
        assert.deepEqual(r.authority, [INTEROP_SOA], r.text);
      });

      it('opcode STATUS (2) gets NOTIMP', async () => {
        const r = await dig(server, ['api.interop.test', 'A', '+opcode=status', ...options]);
        assert.equal(r.status, 'NOTIMP', r.text);
        assert.ok(r.flags.includes('qr'), r.text);
        assert.equal(r.opcode, 'STATUS', r.text);
      });

      it('opcode UPDATE (5) gets NOTIMP', async () => {
        const r = await dig(server, ['interop.test', 'SOA', '+opcode=update', ...options]);
        assert.equal(r.status, 'NOTIMP', r.text);
        assert.equal(r.opcode, 'UPDATE', r.text);
      });

      it('a query with no question (QDCOUNT 0) gets FORMERR', async () => {
        const r = await dig(server, ['+header-only', ...options]);
        assert.equal(r.status, 'FORMERR', r.text);
        assert.ok(r.flags.includes('qr'), r.text);
      });

      it('AXFR is REFUSED (no transfers from here)', async () => {
        if (transport === 'udp') return; // dig sends AXFR over TCP only
        const text = await runTool('dig', [`@${server.address}`, '-p', String(server.port), '+tries=1', '+time=3', 'interop.test', 'AXFR']);
        assert.match(text, /Transfer failed|REFUSED/, text);
      });

      it('CHAOS version.bind is REFUSED when no version string is configured', async () => {
        const r = await dig(server, ['version.bind', 'TXT', 'CH', ...options]);
        assert.deepEqual(r.question, ['version.bind. CH TXT'], r.text);
        assert.equal(r.status, 'REFUSED', r.text);
        assert.deepEqual(r.answer, [], r.text);
      });

      it('CHAOS id.server is REFUSED when no identity is configured', async () => {
        const r = await dig(server, ['id.server', 'TXT', 'CH', ...options]);
        assert.deepEqual(r.question, ['id.server. CH TXT'], r.text);
        assert.equal(r.status, 'REFUSED', r.text);
      });
    });
  }
});
