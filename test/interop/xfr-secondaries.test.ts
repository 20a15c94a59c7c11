/**
 * Zone transfers from `resolute serve` to real NSD, Knot DNS and BIND 9 secondaries on loopback,
 * all with one TSIG key (hmac-sha256): NOTIFY-driven propagation (the SOA refresh is an hour, so
 * the timer cannot be what did it), IXFR, their own signed AXFRs verified by our TSIG code,
 * refusals, a NOTIFY dropped while a secondary is down, and a secondary that catches up on
 * several serials at once.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../src/base/clock.js';
import { systemRandom } from '../../src/base/random.js';
import { exchange } from '../../src/dns/exchange.js';
import { Opcode, Rcode, RRType } from '../../src/dns/wire/constants.js';
import { buildQuery } from '../../src/dns/wire/message.js';
import { rdataToText } from '../../src/dns/wire/rdata-text.js';
import type { ResourceRecord } from '../../src/dns/wire/record.js';
import { TsigError } from '../../src/dns/wire/tsig.js';
import { parseTsigKey, type TsigKey } from '../../src/dns/wire/tsig-key.js';
import { requestZoneTransfer, type TransferResult } from '../../src/dns/xfr/transfer-client.js';
import { dig } from '../../src/testing/run-dig.js';
import { startSecondary, stopAllSecondaries, waitForSerial, type Secondary, type SecondaryKind } from '../../src/testing/secondary-servers.js';
import { findFreePort, startServeProcess, stopAllServeProcesses, type ServeProcess } from '../../src/testing/serve-process.js';

const ZONE = 'xfr.test.';
const KINDS: readonly SecondaryKind[] = ['nsd', 'knot', 'bind'];
/** Enough TXT names that every AXFR takes several messages (ours: 16 KiB; theirs: 64 KiB). */
const BULK_NAMES = 1200;

function zoneText(serial: number, api: string, extra = ''): string {
  const bulk = Array.from({ length: BULK_NAMES }, (_, i) => `bulk${i} IN TXT "bulk record ${i} ${'.'.repeat(48)}"`).join('\n');
  return `$ORIGIN ${ZONE}
$TTL 300
@        IN SOA ns1 hostmaster ${serial} 3600 600 1209600 60
         IN NS  ns1
ns1      IN A   192.0.2.53
api      IN A   ${api}
sub      IN NS  ns.sub
ns.sub   IN A   192.0.2.54
${extra}
${bulk}
`;
}

const KEY_TEXT = `xfr-key:hmac-sha256:${Buffer.from('resolute interop transfer key 32').toString('base64')}`;

describe('zone transfers to real secondaries (NSD, Knot, BIND)', () => {
  let dir: string;
  let zoneFile: string;
  let key: TsigKey;
  let serve: ServeProcess;
  const secondaries = new Map<SecondaryKind, Secondary>();
  let serial = 1;

  const transfer = (server: { address: string; port: number }, options: { key?: TsigKey; ixfrFromSerial?: number; localAddress?: string } = {}): Promise<TransferResult> =>
    requestZoneTransfer({ server, zone: ZONE, clock: systemClock, random: systemRandom, timeoutMs: 10_000, ...options });

  /** Writes the zone with a higher serial and SIGHUPs the server; returns the new serial. */
  async function publish(api: string, extra = ''): Promise<number> {
    serial++;
    await writeFile(zoneFile, zoneText(serial, api, extra));
    assert.equal(await serve.reload(), 'reloaded', serve.stderr());
    return serial;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'resolute-xfr-'));
    zoneFile = join(dir, 'xfr.test.zone');
    key = parseTsigKey(KEY_TEXT, 'test');
    await writeFile(zoneFile, zoneText(serial, '192.0.2.10'));
    const ports = await Promise.all(KINDS.map(() => findFreePort()));
    serve = await startServeProcess([
      '--zone-file', zoneFile, '--port', '0',
      '--transfer-allow', '127.0.0.1/32',
      '--tsig-key', KEY_TEXT,
      ...ports.flatMap((port) => ['--notify', `127.0.0.1:${port}`]),
    ]);
    await Promise.all(
      KINDS.map(async (kind, i) => {
        const secondary = await startSecondary({ kind, dir: join(dir, kind), port: ports[i], primary: serve, zones: [ZONE], key });
        secondaries.set(kind, secondary);
        await waitForSerial({ ...secondary }, ZONE, serial, 15_000);
      }),
    );
  });

  after(async () => {
    await stopAllSecondaries();
    await stopAllServeProcesses();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('after a zone change every secondary serves the new serial and data within 2 s, by NOTIFY and IXFR', async (t) => {
    const from = serial;
    const next = await publish('192.0.2.20', 'added IN A 192.0.2.21\n');
    const times = await Promise.all(KINDS.map((kind) => waitForSerial({ ...(secondaries.get(kind) as Secondary) }, ZONE, next, 6_000)));
    t.diagnostic(KINDS.map((kind, i) => `${kind} ${Math.round(times[i])} ms`).join(', '));
    for (const [i, kind] of KINDS.entries()) {
      assert.ok(times[i] <= 2_000, `${kind} took ${Math.round(times[i])} ms (more than 2 s)`);
      const secondary = secondaries.get(kind) as Secondary;
      assert.deepEqual((await dig(secondary, ['api.xfr.test', 'A'])).answer, ['api.xfr.test. 300 IN A 192.0.2.20'], kind);
      assert.deepEqual((await dig(secondary, ['added.xfr.test', 'A'])).answer, ['added.xfr.test. 300 IN A 192.0.2.21'], kind);
    }
    await serve.waitForStderr(new RegExp(`(transfer ixfr of ${ZONE} from serial ${from} to serial ${next}[^\\n]*\\n[^]*){3}`), 3_000);
    assert.match(serve.stderr(), new RegExp(`notify ${ZONE} serial ${next} to 127\\.0\\.0\\.1:\\d+: acknowledged`));
  });

  it('every secondary signs its own multi-message AXFR, our TSIG code verifies each message, and the zone is ours', async () => {
    const ours = await transfer(serve, { key });
    assert.equal(ours.kind, 'axfr');
    if (ours.kind !== 'axfr') return;
    assert.ok(ours.messages > 1, `our AXFR took ${ours.messages} message(s)`);
    for (const kind of KINDS) {
      const theirs = await transfer(secondaries.get(kind) as Secondary, { key });
      assert.equal(theirs.kind, 'axfr', `${kind}: ${JSON.stringify(theirs)}`);
      if (theirs.kind !== 'axfr') continue;
      assert.ok(theirs.messages > 1, `${kind} sent ${theirs.messages} message(s): the zone is too small to test chained TSIG`);
      assert.deepEqual(sorted(theirs.records), sorted(ours.records), `${kind} serves a different zone`);
    }
  });

  it('an AXFR from an address outside the ACL is REFUSED', async () => {
    // Signed with the key: the refusal is signed back (tsigError NOERROR).
    const result = await transfer(serve, { key, localAddress: '127.0.0.2' });
    assert.deepEqual(result, { kind: 'refused', rcode: Rcode.REFUSED, tsigError: TsigError.NOERROR });
  });

  it('an AXFR without the key is REFUSED, with an unknown key BADKEY, with a wrong secret BADSIG (NOTAUTH)', async () => {
    assert.deepEqual(await transfer(serve), { kind: 'refused', rcode: Rcode.REFUSED, tsigError: undefined });
    const unknown = parseTsigKey(`other-key:hmac-sha256:${Buffer.from(key.secret).toString('base64')}`, 'test');
    assert.deepEqual(await transfer(serve, { key: unknown }), { kind: 'refused', rcode: Rcode.NOTAUTH, tsigError: TsigError.BADKEY });
    const wrong = parseTsigKey(`xfr-key:hmac-sha256:${Buffer.from('a wrong secret of thirty-two oct').toString('base64')}`, 'test');
    assert.deepEqual(await transfer(serve, { key: wrong }), { kind: 'refused', rcode: Rcode.NOTAUTH, tsigError: TsigError.BADSIG });
    const viaDig = await dig(serve, ['xfr.test', 'SOA', '-y', `hmac-sha256:other-key:${Buffer.from(key.secret).toString('base64')}`]).catch((e: Error) => e.message);
    assert.match(typeof viaDig === 'string' ? viaDig : viaDig.text, /NOTAUTH|BADKEY/);
    assert.match(serve.stderr(), /transfer refused: axfr of xfr\.test\. from 127\.0\.0\.2: REFUSED/);
  });

  it('AXFR over UDP is REFUSED, and a NOTIFY sent to the primary is REFUSED (it takes zones from no one)', async () => {
    const axfr = await exchange(buildQuery(ZONE, RRType.AXFR, { id: 7 }), serve, { transport: 'udp', timeoutMs: 2_000 });
    assert.equal(axfr.response.rcode, Rcode.REFUSED);
    const notify = { ...buildQuery(ZONE, RRType.SOA, { id: 8 }), opcode: Opcode.NOTIFY, aa: true };
    const answer = await exchange(notify, serve, { transport: 'udp', timeoutMs: 2_000 });
    assert.equal(answer.response.opcode, Opcode.NOTIFY);
    assert.equal(answer.response.rcode, Rcode.REFUSED);
  });

  it('a NOTIFY dropped while a secondary is down is recovered by the retries when it comes back', async () => {
    const knot = secondaries.get('knot') as Secondary;
    await knot.stop();
    const from = serve.stderr().length;
    const next = await publish('192.0.2.30');
    await serve.waitForStderr(new RegExp(`notify ${ZONE} serial ${next} to 127\\.0\\.0\\.1:${knot.port}: retrying`), 6_000, from);
    await knot.start();
    await waitForSerial({ ...knot }, ZONE, next, 20_000);
    await serve.waitForStderr(new RegExp(`notify ${ZONE} serial ${next} to 127\\.0\\.0\\.1:${knot.port}: acknowledged \\(attempt [2-9]`), 20_000, from);
    assert.deepEqual((await dig(knot, ['api.xfr.test', 'A'])).answer, ['api.xfr.test. 300 IN A 192.0.2.30']);
  });

  it('a secondary down while the zone advances several serials catches up with one condensed IXFR', async () => {
    const bind = secondaries.get('bind') as Secondary;
    await waitForSerial({ ...bind }, ZONE, serial, 6_000);
    const from = serial;
    await bind.stop();
    await publish('192.0.2.41', 'step1 IN A 192.0.2.1\n');
    await publish('192.0.2.42', 'step1 IN A 192.0.2.1\nstep2 IN A 192.0.2.2\n');
    const last = await publish('192.0.2.43', 'step2 IN A 192.0.2.2\nstep3 IN A 192.0.2.3\n');
    await bind.start();
    await waitForSerial({ ...bind }, ZONE, last, 20_000);
    assert.match(serve.stderr(), new RegExp(`transfer ixfr of ${ZONE} from serial ${from} to serial ${last}`));
    assert.deepEqual((await dig(bind, ['api.xfr.test', 'A'])).answer, ['api.xfr.test. 300 IN A 192.0.2.43']);
    assert.equal((await dig(bind, ['step1.xfr.test', 'A'])).status, 'NXDOMAIN');
    assert.deepEqual((await dig(bind, ['step3.xfr.test', 'A'])).answer, ['step3.xfr.test. 300 IN A 192.0.2.3']);
    // The others followed by NOTIFY all along.
    for (const kind of ['nsd', 'knot'] as const) await waitForSerial({ ...(secondaries.get(kind) as Secondary) }, ZONE, last, 6_000);
  });

  it('a reload whose zone changed without a higher serial is refused, and nothing is notified', async () => {
    await writeFile(zoneFile, zoneText(serial, '192.0.2.99'));
    assert.equal(await serve.reload(), 'refused');
    assert.match(serve.stderr(), /ERR_ZONE_SERIAL: zone xfr\.test\. changed but its serial \d+ is not above the served \d+/);
    assert.deepEqual((await dig(serve, ['api.xfr.test', 'A'])).answer, ['api.xfr.test. 300 IN A 192.0.2.43']);
  });
});

describe('IXFR answers from the journal (resolute serve --journal-versions 2)', () => {
  let dir: string;
  let serve: ServeProcess;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'resolute-ixfr-'));
  });

  after(async () => {
    await stopAllServeProcesses();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('an IXFR for a serial older than the journal falls back to AXFR; a known one is incremental; the current one is the single SOA', async () => {
    const file = join(dir, 'zone');
    const small = (s: number, extra: string): string => `$ORIGIN ${ZONE}\n$TTL 60\n@ IN SOA ns1 hostmaster ${s} 3600 600 1209600 60\n IN NS ns1\nns1 IN A 192.0.2.53\n${extra}`;
    await writeFile(file, small(10, 'a IN A 192.0.2.1\n'));
    serve = await startServeProcess(['--zone-file', file, '--port', '0', '--transfer-allow', '127.0.0.0/8', '--journal-versions', '2']);
    for (const [s, extra] of [[11, 'a IN A 192.0.2.2\n'], [12, 'b IN A 192.0.2.3\n'], [13, 'b IN A 192.0.2.3\nc IN A 192.0.2.4\n']] as const) {
      await writeFile(file, small(s, extra));
      assert.equal(await serve.reload(), 'reloaded', serve.stderr());
    }
    const ixfr = (from: number): Promise<TransferResult> =>
      requestZoneTransfer({ server: serve, zone: ZONE, ixfrFromSerial: from, clock: systemClock, random: systemRandom, timeoutMs: 5_000 });
    const tooOld = await ixfr(10);
    assert.equal(tooOld.kind, 'axfr', JSON.stringify(tooOld));
    if (tooOld.kind === 'axfr') assert.deepEqual(sorted(tooOld.records), ['b.xfr.test. 60 A 192.0.2.3', 'c.xfr.test. 60 A 192.0.2.4', 'ns1.xfr.test. 60 A 192.0.2.53', 'xfr.test. 60 NS ns1.xfr.test.']);
    const known = await ixfr(11);
    assert.equal(known.kind, 'ixfr', JSON.stringify(known));
    if (known.kind === 'ixfr') {
      assert.equal(known.diffs.length, 1, 'condensed into one difference');
      assert.deepEqual(known.diffs[0].removed.map(text), ['a.xfr.test. 60 A 192.0.2.2']);
      assert.deepEqual(sorted(known.diffs[0].added), ['b.xfr.test. 60 A 192.0.2.3', 'c.xfr.test. 60 A 192.0.2.4']);
    }
    assert.equal((await ixfr(13)).kind, 'current');
    // dig agrees: the fallback is a whole zone in IXFR form.
    const viaDig = await import('../../src/testing/run-dig.js').then((m) => m.runTool('dig', [`@${serve.address}`, '-p', String(serve.port), ZONE, 'IXFR=10', '+tries=1']));
    assert.match(viaDig, /XFR size: 6 records/);
  });
});

function text(record: ResourceRecord): string {
  return `${record.name} ${record.ttlSeconds} ${record.type === RRType.A ? 'A' : record.type === RRType.NS ? 'NS' : String(record.type)} ${rdataToText(record.type, record.rdata)}`;
}

function sorted(records: readonly ResourceRecord[]): string[] {
  return records.map(text).sort();
}
