import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { describe, it } from 'node:test';
import { runTool } from '../../testing/run-dig.js';
import { RRType } from './constants.js';
import { buildQuery, parseMessage, serializeMessage } from './message.js';
import {
  signMessage,
  splitTsig,
  TsigError,
  TsigStreamSigner,
  TsigStreamVerifier,
  verifyRequest,
  verifyResponse,
  keyLookup,
} from './tsig.js';
import { parseTsigKey, parseTsigKeyFile } from './tsig-key.js';

const SECRET = Buffer.from('thirty-two octets of key secret!').toString('base64');
const key = parseTsigKey(`test-key.example:hmac-sha256:${SECRET}`, 'test');
const NOW = 1_700_000_000;

function query(id = 4242): Uint8Array {
  return serializeMessage(buildQuery('www.example.org.', RRType.A, { id }));
}

describe('TSIG (RFC 8945)', () => {
  it('a signed request verifies with its key, and the TSIG is its last additional record', () => {
    const signed = signMessage(query(), key, { timeSigned: NOW });
    const check = verifyRequest(signed.bytes, keyLookup([key]), NOW + 10);
    assert.equal(check.kind, 'verified');
    assert.deepEqual(check.unsigned, query());
    assert.equal(parseMessage(signed.bytes).additional.at(-1)?.type, 250);
  });

  it('an unknown key is BADKEY, a changed octet or another secret is BADSIG, a clock beyond the fudge is BADTIME', () => {
    const signed = signMessage(query(), key, { timeSigned: NOW }).bytes;
    const other = parseTsigKey(`other.example:hmac-sha256:${SECRET}`, 'test');
    const check = (bytes: Uint8Array, now = NOW): unknown => {
      const c = verifyRequest(bytes, keyLookup([key]), now);
      return c.kind === 'failed' ? c.error : c.kind;
    };
    assert.equal(check(signMessage(query(), other, { timeSigned: NOW }).bytes), TsigError.BADKEY);
    const tampered = new Uint8Array(signed);
    tampered[13] ^= 0x20; // a letter of the question name
    assert.equal(check(tampered), TsigError.BADSIG);
    const wrongSecret = parseTsigKey(`test-key.example:hmac-sha256:${Buffer.from('another secret of 32 octets long').toString('base64')}`, 'test');
    assert.equal(check(signMessage(query(), wrongSecret, { timeSigned: NOW }).bytes), TsigError.BADSIG);
    assert.equal(check(signed, NOW + 301), TsigError.BADTIME);
    assert.equal(check(signed, NOW - 300), 'verified');
  });

  it('a response is digested with the request MAC: the same bytes do not verify against another request', () => {
    const request = signMessage(query(), key, { timeSigned: NOW });
    const response = new Uint8Array(query());
    response[2] |= 0x80;
    const signed = signMessage(response, key, { timeSigned: NOW, requestMac: request.mac });
    assert.equal(verifyResponse(signed.bytes, key, request.mac, NOW).kind, 'verified');
    const otherRequest = signMessage(query(1), key, { timeSigned: NOW });
    assert.equal(verifyResponse(signed.bytes, key, otherRequest.mac, NOW).kind, 'failed');
    assert.equal(verifyResponse(response, key, request.mac, NOW).kind, 'failed', 'an unsigned answer to a signed request fails');
  });

  it('a multi-message stream chains each MAC to the previous one, and unsigned messages in between are digested with the next', () => {
    const request = signMessage(query(), key, { timeSigned: NOW });
    const signer = new TsigStreamSigner(key, request.mac, () => NOW);
    const messages = [1, 2, 3].map((i) => {
      const m = new Uint8Array(query());
      m[2] |= 0x80;
      m[3] = i;
      return m;
    });
    const signed = messages.map((m) => signer.sign(m));
    const verifier = new TsigStreamVerifier(key, request.mac);
    assert.deepEqual(signed.map((m) => verifier.verify(m, NOW).kind), ['verified', 'verified', 'verified']);
    // Reordered: the chain breaks.
    const broken = new TsigStreamVerifier(key, request.mac);
    assert.equal(broken.verify(signed[0], NOW).kind, 'verified');
    assert.equal(broken.verify(signed[2], NOW).kind, 'failed');
    // A signer that signs every other message (RFC 8945 §5.3.1 allows up to 99 unsigned).
    const sparse = new TsigStreamSigner(key, request.mac, () => NOW);
    const first = sparse.sign(messages[0]);
    const third = signThirdOverTwo(messages[1], messages[2], first);
    const lenient = new TsigStreamVerifier(key, request.mac);
    assert.equal(lenient.verify(first, NOW).kind, 'verified');
    assert.equal(lenient.verify(messages[1], NOW).kind, 'pending');
    assert.equal(lenient.verify(third, NOW).kind, 'verified');
  });

  it('a TSIG that is not the last record is a format error', () => {
    const signed = signMessage(query(), key, { timeSigned: NOW }).bytes;
    const tsigStart = query().length;
    const opt = new Uint8Array([0, 0, 41, 4, 208, 0, 0, 0, 0, 0, 0]);
    const bad = new Uint8Array(signed.length + opt.length);
    bad.set(signed);
    bad.set(opt, signed.length);
    bad[11] = 2;
    assert.ok(tsigStart > 12);
    assert.throws(() => splitTsig(bad), /not the last record/);
  });

  it('keys are read from name:algorithm:secret and from BIND key files, with errors that never show the secret', () => {
    assert.equal(parseTsigKey(`k:${SECRET}`, 'x').algorithm, 'hmac-sha256');
    const [fromFile] = parseTsigKeyFile(`key "xfr.example" {\n\talgorithm hmac-sha512;\n\tsecret "${SECRET}";\n};\n`, 'k.conf');
    assert.equal(fromFile.name, 'xfr.example.');
    assert.equal(fromFile.algorithm, 'hmac-sha512');
    assert.throws(() => parseTsigKey(`k:hmac-md4:${SECRET}`, '--tsig-key'), (e: Error) => /ERR_TSIG_KEY: unknown TSIG algorithm/.test(e.message) && !e.message.includes(SECRET));
    assert.throws(() => parseTsigKey('k:hmac-sha256:c2hvcnQ=', '--tsig-key'), /at least 16/);
  });

  it("dig's signed query verifies here, and dig accepts the response we sign (BIND's TSIG code)", async () => {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const seen: string[] = [];
    socket.on('message', (bytes, remote) => {
      const check = verifyRequest(bytes, keyLookup([key]), Math.floor(Date.now() / 1000));
      seen.push(check.kind);
      if (check.kind !== 'verified') return;
      const response = new Uint8Array(check.unsigned);
      response[2] |= 0x84;
      socket.send(signMessage(response, key, { timeSigned: Math.floor(Date.now() / 1000), requestMac: check.tsig.mac }).bytes, remote.port, remote.address);
    });
    try {
      const out = await runTool('dig', ['@127.0.0.1', '-p', String(socket.address().port), '+tries=1', '+time=2', '+noedns', '-y', `hmac-sha256:test-key.example:${SECRET}`, 'www.example.org', 'A']);
      assert.deepEqual(seen, ['verified']);
      assert.match(out, /status: NOERROR/);
      assert.doesNotMatch(out, /could not be validated|tsig verify failure|WARNING -- TSIG/i, out);
    } finally {
      socket.close();
    }
  });
});

/** Signs `third` over the unsigned `second` and the previous MAC, as a server signing every other message does. */
function signThirdOverTwo(second: Uint8Array, third: Uint8Array, first: Uint8Array): Uint8Array {
  const firstMac = splitTsig(first)?.tsig.mac as Uint8Array;
  // A stream signer whose "previous MAC" is the first message's, fed the two messages as one.
  const joined = new Uint8Array(second.length + third.length);
  joined.set(second);
  joined.set(third, second.length);
  const signer = new TsigStreamSigner(key, firstMac, () => NOW);
  (signer as unknown as { isFirst: boolean }).isFirst = false;
  const signedJoined = signer.sign(joined);
  // The TSIG computed over both messages, appended to the third alone.
  const tsig = signedJoined.subarray(joined.length);
  const out = new Uint8Array(third.length + tsig.length);
  out.set(third);
  out.set(tsig, third.length);
  out[11] = third[11] + 1;
  return out;
}
