import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, describe, test } from 'node:test';
import { ResoluteErrorList } from '../base/errors.js';
import { configErrorsOf } from '../testing/config-errors.js';
import { checkConfigChange } from './check-config-change.js';
import { loadConfig, parseConfig, validateConfig } from './load-config.js';
import { providersOf } from './providers-of.js';

const SECRET = Buffer.alloc(32, 7).toString('base64');
const OTHER_SECRET = Buffer.alloc(32, 9).toString('base64');

const base = `zones:
  - apex: demo.test
    nameservers: [ns1.demo.test]
  - apex: other.test
    nameservers: [ns1.other.test]
endpoints:
  - name: api.demo.test
    type: A
    targets: [{ address: 192.0.2.1 }]
`;

/** A config with `providers:` as written (indented list items). */
const withProviders = (providers: string): string => `${base}providers:\n${providers}`;
const bind = (tsig = `{ name: resolute-key, secret: ${SECRET} }`, extra = ''): string =>
  `  - name: bind\n    type: rfc2136\n    address: 127.0.0.1\n    port: 5353\n    zones: [demo.test]\n    tsig: ${tsig}\n${extra}`;

const errorsOf = configErrorsOf;

let dir: string | undefined;
after(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('providers in resolute.yaml', () => {
  test('without providers, every zone is published by the built-in provider, as before', () => {
    const config = parseConfig(base, 'resolute.yaml');
    assert.deepEqual(providersOf(config), [{ type: 'builtin', id: 'builtin', zones: ['demo.test.', 'other.test.'] }]);
  });

  test('an rfc2136 provider holds its zones; the zones no provider lists stay on the built-in provider', () => {
    const config = parseConfig(withProviders(bind()), 'resolute.yaml');
    const [builtin, rfc2136] = providersOf(config);
    assert.deepEqual(builtin, { type: 'builtin', id: 'builtin', zones: ['other.test.'] });
    assert.ok(rfc2136.type === 'rfc2136');
    assert.deepEqual({ id: rfc2136.id, zones: rfc2136.zones, server: rfc2136.server, timeoutMs: rfc2136.timeoutMs }, { id: 'bind', zones: ['demo.test.'], server: { address: '127.0.0.1', port: 5353 }, timeoutMs: 10_000 });
    assert.deepEqual({ name: rfc2136.tsig.name, algorithm: rfc2136.tsig.algorithm }, { name: 'resolute-key.', algorithm: 'hmac-sha256' });
    assert.equal(Buffer.from(rfc2136.tsig.reveal().secret).toString('base64'), SECRET);
  });

  test('the secret is in no JSON dump and no inspection of the config', () => {
    const config = parseConfig(withProviders(bind()), 'resolute.yaml');
    const dumps = [JSON.stringify(config), inspect(config, { depth: 10 }), JSON.stringify(providersOf(config))];
    for (const dump of dumps) {
      assert.ok(!dump.includes(SECRET), dump);
      assert.ok(!dump.includes('7,7,7,7'), 'nor its octets');
    }
    assert.match(dumps[0], /"secret":"\[redacted\]"/);
  });

  test('a bad secret or key is refused naming the key and the config path, never the secret', () => {
    const notBase64 = 'sup3r-s3cret!';
    const short = Buffer.alloc(8, 1).toString('base64');
    const cases: Array<[string, RegExp, string]> = [
      [bind(`{ name: resolute-key, secret: "${notBase64}" }`), /the secret of key resolute-key\. is not base64 \(resolute\.yaml:\d+: providers\[0\]\.tsig\.secret\)/, notBase64],
      [bind(`{ name: resolute-key, secret: ${short} }`), /key resolute-key\. is 8 octets; use at least 16 \(resolute\.yaml:\d+: providers\[0\]\.tsig\.secret\)/, short],
      [bind(`{ name: resolute-key, secret: 12345678901234567890 }`), /must be the base64 secret \(resolute\.yaml:\d+: providers\[0\]\.tsig\.secret\)/, '12345678901234567890'],
      [bind(`{ name: resolute-key, algorithm: hmac-md5, secret: ${SECRET} }`), /providers\[0\]\.tsig\.algorithm/, SECRET],
      [bind(`{ name: resolute-key, secret: ${SECRET}, secret_file: key.conf }`), /key resolute-key needs exactly one of secret or secret_file/, SECRET],
    ];
    for (const [text, expected, secret] of cases) {
      const errors = errorsOf(withProviders(text)).join('\n');
      assert.match(errors, expected);
      assert.ok(!errors.includes(secret), `the secret appears in: ${errors}`);
    }
  });

  test('unknown keys get a "did you mean", wrong zones and addresses name their path', () => {
    const errors = errorsOf(withProviders(bind(undefined, '    timout: 5s\n'))).join('\n');
    assert.match(errors, /unknown key "timout" \(resolute\.yaml:\d+: providers\[0\]\.timout\); did you mean "timeout"\?/);
    const more = errorsOf(withProviders(`  - { name: knot, type: rfc2136, address: knot.example, zones: [demo.tset, nowhere.test], tsig: { name: k, secret: ${SECRET} } }\n`)).join('\n');
    assert.match(more, /"knot\.example" is not an IP address \(resolute\.yaml:\d+: providers\[0\]\.address\)/);
    assert.match(more, /demo\.tset\. is not a configured zone .*providers\[0\]\.zones\[0\]\); did you mean "demo\.test\."\?/);
    assert.match(more, /nowhere\.test\. is not a configured zone .*providers\[0\]\.zones\[1\]/);
    const noKey = errorsOf(withProviders('  - { name: pdns, type: rfc2136, address: 127.0.0.1, zones: [demo.test] }\n')).join('\n');
    assert.match(noKey, /needs tsig: .*providers\[0\]\)/);
  });

  test('a zone may be on two servers, never twice on one server; names are unique and builtin is reserved', () => {
    const twoServers = parseConfig(withProviders(`${bind()}  - { name: builtin, type: builtin, zones: [demo.test] }\n`), 'resolute.yaml');
    assert.deepEqual(providersOf(twoServers).map((p) => [p.id, p.zones]), [['bind', ['demo.test.']], ['builtin', ['demo.test.', 'other.test.']]]);
    const sameServer = errorsOf(withProviders(`${bind()}${bind().replace('name: bind', 'name: bind-again')}`)).join('\n');
    assert.match(sameServer, /demo\.test\. on 127\.0\.0\.1:5353 is already published by providers\[0\]; both would write one marker \(resolute\.yaml:\d+: providers\[1\]\.zones\[0\]\)/);
    assert.match(errorsOf(withProviders(`${bind()}${bind().replace('5353', '5354')}`)).join('\n'), /duplicate provider name bind, first defined at providers\[0\]/);
    assert.match(errorsOf(withProviders(bind().replace('name: bind', 'name: builtin'))).join('\n'), /builtin is the built-in provider's name/);
    assert.match(errorsOf(withProviders('  - { name: builtin, type: builtin, zones: [demo.test], port: 53 }\n')).join('\n'), /port applies only to rfc2136 providers/);
  });

  test('secret_file is read relative to the config file: a BIND key file or the bare secret', async () => {
    dir = await mkdtemp(join(tmpdir(), 'resolute-providers-'));
    await writeFile(join(dir, 'update.key'), `key "resolute-key" {\n\talgorithm hmac-sha512;\n\tsecret "${SECRET}";\n};\n`);
    await writeFile(join(dir, 'bare.secret'), `${OTHER_SECRET}\n`);
    const file = join(dir, 'resolute.yaml');
    await writeFile(file, withProviders(`${bind('{ name: resolute-key, secret_file: update.key }')}${bind('{ name: other-key, algorithm: hmac-sha384, secret_file: bare.secret }').replace('name: bind', 'name: knot').replace('5353', '5354')}`));
    const [, fromKeyFile, fromBare] = providersOf(await loadConfig(file));
    assert.ok(fromKeyFile.type === 'rfc2136' && fromBare.type === 'rfc2136');
    assert.deepEqual([fromKeyFile.tsig.name, fromKeyFile.tsig.algorithm], ['resolute-key.', 'hmac-sha512']);
    assert.deepEqual([fromBare.tsig.name, fromBare.tsig.algorithm, Buffer.from(fromBare.tsig.reveal().secret).toString('base64')], ['other-key.', 'hmac-sha384', OTHER_SECRET]);

    await writeFile(file, withProviders(`${bind('{ name: another-key, secret_file: update.key }')}${bind('{ name: k, secret_file: missing.key }').replace('name: bind', 'name: knot').replace('5353', '5354')}`));
    const message = await loadConfig(file).then(
      () => assert.fail('accepted'),
      (error: Error) => error.message,
    );
    assert.match(message, /update\.key holds no key another-key\. \(it holds resolute-key\.\) \(.*resolute\.yaml:\d+: providers\[0\]\.tsig\.secret_file\)/);
    assert.match(message, /cannot read missing\.key: ENOENT \(.*providers\[1\]\.tsig\.secret_file\)/);
    assert.ok(!message.includes(SECRET));
    assert.throws(() => validateConfig({ zones: [{ apex: 'demo.test', nameservers: ['ns1.demo.test'] }], endpoints: [], providers: [{ name: 'bind', type: 'rfc2136', address: '127.0.0.1', zones: ['demo.test'], tsig: { name: 'k', secret_file: '/etc/shadow' } }] }, 'api'), /secret_file is read relative to a config file/);
  });

  test('a reload that changes providers is refused, even with --allow-delete; the same providers reload', () => {
    const before = parseConfig(withProviders(bind()), 'resolute.yaml');
    assert.doesNotThrow(() => checkConfigChange(before, parseConfig(withProviders(bind()), 'resolute.yaml'), { isDeleteAllowed: false }));
    const changed = [
      [bind(`{ name: resolute-key, secret: ${OTHER_SECRET} }`), /provider bind has another TSIG key \(resolute-key\.\)/],
      [bind().replace('5353', '5300'), /provider bind moves from 127\.0\.0\.1:5353 to 127\.0\.0\.1:5300/],
      [bind().replace('[demo.test]', '[demo.test, other.test]'), /provider bind publishes demo\.test\., other\.test\. instead of demo\.test\./],
      ['  - { name: builtin, type: builtin, zones: [demo.test] }\n', /provider bind is removed/],
    ] as const;
    for (const [providers, expected] of changed) {
      const next = parseConfig(withProviders(providers), 'resolute.yaml');
      assert.throws(
        () => checkConfigChange(before, next, { isDeleteAllowed: true, file: 'resolute.yaml' }),
        (error: unknown) => error instanceof ResoluteErrorList && error.errors[0].code === 'ERR_CONFIG_PROVIDERS_CHANGED' && expected.test(error.message) && !error.message.includes(OTHER_SECRET) && !error.message.includes(SECRET),
      );
    }
    assert.throws(() => checkConfigChange(parseConfig(base, 'resolute.yaml'), before, { isDeleteAllowed: false, file: 'resolute.yaml' }), /ERR_CONFIG_PROVIDERS_CHANGED: the new config changes providers: provider bind is added \(resolute\.yaml: providers\); .*restart/);
  });
});
