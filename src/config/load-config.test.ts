import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { ResoluteErrorList } from '../base/errors.js';
import { configErrorsOf } from '../testing/config-errors.js';
import { loadConfig, parseConfig, validateConfig } from './load-config.js';
import { JSON_SCHEMA_PATH, renderJsonSchema } from './write-json-schema.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

const zone = `zones:
  - apex: demo.test
    nameservers: [ns1.demo.test]
`;

const errorsOf = configErrorsOf;

function endpoint(body: string): string {
  return `${zone}endpoints:\n  - name: api.demo.test\n    type: A\n${body}`;
}

describe('loading resolute.yaml', () => {
  test('a valid file loads with defaults filled in and names made canonical', () => {
    const config = parseConfig(endpoint('    targets:\n      - address: 192.0.2.1\n        check: { type: tcp, port: 80 }\n'), 'resolute.yaml');
    const [api] = config.endpoints;
    assert.equal(api.name, 'api.demo.test.');
    assert.equal(api.zone, 'demo.test.');
    assert.equal(api.ttlSeconds, 30);
    assert.deepEqual(api.policy, { kind: 'weighted' });
    assert.equal(api.targets[0].weight, 100);
    assert.equal(api.targets[0].key, 'tcp://192.0.2.1:80');
    assert.deepEqual(api.targets[0].check, { type: 'tcp', intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 2, port: 80 });
    assert.equal(config.zones[0].negativeTtlSeconds, 5);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(api.targets[0]));
  });

  test('an endpoint with an empty target list is refused with its path and line', () => {
    assert.deepEqual(errorsOf(endpoint('    targets: []\n')), [
      'ERR_CONFIG_INVALID: an endpoint needs at least one target (resolute.yaml:7: endpoints[0].targets); list the addresses that serve this name',
    ]);
  });

  test('a duplicate endpoint name is refused and names the first definition', () => {
    const text = `${endpoint('    targets: [{ address: 192.0.2.1 }]\n')}  - name: API.demo.test.\n    type: A\n    targets: [{ address: 192.0.2.2 }]\n`;
    const [message] = errorsOf(text);
    assert.match(message, /duplicate endpoint name api\.demo\.test\., first defined at endpoints\[0\] \(resolute\.yaml:8: endpoints\[1\]\.name\)/);
  });

  test('a name outside every zone is refused', () => {
    const text = `${zone}endpoints:\n  - name: api.other.test\n    type: A\n    targets: [{ address: 192.0.2.1 }]\n`;
    assert.match(errorsOf(text)[0], /api\.other\.test\. is outside every zone \(demo\.test\.\) \(resolute\.yaml:5: endpoints\[0\]\.name\)/);
  });

  test('bad addresses are refused, each with its own path', () => {
    const messages = errorsOf(endpoint('    targets:\n      - address: 300.1.1.1\n      - address: db.internal\n'));
    assert.equal(messages.length, 2);
    assert.match(messages[0], /"300\.1\.1\.1" is not an IP address \(resolute\.yaml:8: endpoints\[0\]\.targets\[0\]\.address\)/);
    assert.match(messages[1], /"db\.internal" is not an IP address \(resolute\.yaml:9: endpoints\[0\]\.targets\[1\]\.address\)/);
  });

  test('an IPv6 address on an A endpoint is refused with the fix', () => {
    const [message] = errorsOf(endpoint('    targets:\n      - address: 2001:DB8::1\n'));
    assert.match(message, /2001:db8::1 is an IPv6 address on a A endpoint \(resolute\.yaml:8: endpoints\[0\]\.targets\[0\]\.address\); use an IPv4 address, or type AAAA/);
  });

  test('unknown keys are refused with a "did you mean" when one is close', () => {
    const messages = errorsOf(endpoint('    polcy: weighted\n    targets:\n      - address: 192.0.2.1\n        wieght: 10\n        colour: blue\n'));
    assert.deepEqual(messages, [
      'ERR_CONFIG_INVALID: unknown key "polcy" (resolute.yaml:7: endpoints[0].polcy); did you mean "policy"?',
      'ERR_CONFIG_INVALID: unknown key "wieght" (resolute.yaml:10: endpoints[0].targets[0].wieght); did you mean "weight"?',
      'ERR_CONFIG_INVALID: unknown key "colour" (resolute.yaml:11: endpoints[0].targets[0].colour); known keys: address, region, zone, weight, check',
    ]);
  });

  test('zero and negative durations are refused', () => {
    const messages = errorsOf(endpoint('    targets:\n      - address: 192.0.2.1\n        check: { type: tcp, port: 80, interval: 0s, timeout: -1s }\n'));
    assert.deepEqual(messages, [
      'ERR_CONFIG_INVALID: must be a positive duration like 1s, 500ms or 2m, got "0s" (resolute.yaml:9: endpoints[0].targets[0].check.interval)',
      'ERR_CONFIG_INVALID: must be a positive duration like 1s, 500ms or 2m, got "-1s" (resolute.yaml:9: endpoints[0].targets[0].check.timeout)',
    ]);
  });

  test('weights that are not positive numbers are refused', () => {
    const messages = errorsOf(endpoint('    targets:\n      - { address: 192.0.2.1, weight: 0 }\n      - { address: 192.0.2.2, weight: -1 }\n      - { address: 192.0.2.3, weight: "100" }\n'));
    assert.deepEqual(messages, [
      'ERR_CONFIG_INVALID: must be a positive number, got 0 (resolute.yaml:8: endpoints[0].targets[0].weight)',
      'ERR_CONFIG_INVALID: must be a positive number, got -1 (resolute.yaml:9: endpoints[0].targets[1].weight)',
      'ERR_CONFIG_INVALID: must be a positive number, got "100" (resolute.yaml:10: endpoints[0].targets[2].weight)',
    ]);
  });

  test('a failover policy naming a missing region is refused with a suggestion', () => {
    const messages = errorsOf(
      endpoint('    policy: failover\n    failover: { primary: east, secondary: wset }\n    targets:\n      - { address: 192.0.2.1, region: east }\n      - { address: 192.0.2.2, region: west }\n'),
    );
    assert.deepEqual(messages, [
      'ERR_CONFIG_INVALID: region "wset" has no targets in this endpoint (regions: east, west) (resolute.yaml:8: endpoints[0].failover.secondary); did you mean "west"?',
    ]);
  });

  test('YAML syntax errors are reported with their line and column', () => {
    const messages = errorsOf(`${zone}endpoints:\n  - name: api.demo.test\n    type: [A\n`);
    assert.ok(messages.length >= 1);
    assert.match(messages[0], /^ERR_CONFIG_SYNTAX: .*\(resolute\.yaml:\d+:\d+\)/);
    const duplicate = errorsOf(`${zone}endpoints: []\nendpoints: []\n`);
    assert.match(duplicate[0], /^ERR_CONFIG_SYNTAX: Map keys must be unique.*\(resolute\.yaml:5:1\)/);
  });

  test('a file that does not exist is refused with its path', async () => {
    await assert.rejects(loadConfig('/nonexistent/resolute.yaml'), (error: unknown) => {
      assert.ok(error instanceof ResoluteErrorList);
      assert.equal(error.errors[0].code, 'ERR_CONFIG_FILE');
      assert.match(error.message, /does not exist \(\/nonexistent\/resolute\.yaml\)/);
      return true;
    });
  });

  test('every error in a file is reported at once', () => {
    const text = `${zone}endpoints:
  - name: api.demo.test
    type: A
    targets: []
  - name: api.outside.test
    type: AAAA
    targets:
      - { address: 192.0.2.1, weight: 10 }
      - address: "::1"
        check: { type: http, interval: 0s }
`;
    const messages = errorsOf(text);
    assert.equal(messages.length, 4, messages.join('\n'));
    assert.match(messages.join('\n'), /endpoints\[0\]\.targets/);
    assert.match(messages.join('\n'), /endpoints\[1\]\.name/);
    assert.match(messages.join('\n'), /endpoints\[1\]\.targets\[0\]\.address/);
    assert.match(messages.join('\n'), /endpoints\[1\]\.targets\[1\]\.check\.interval/);
  });

  test('missing required keys and wrong types name their place', () => {
    const messages = errorsOf(`${zone}endpoints:\n  - name: api.demo.test\n    type: MX\n`);
    assert.deepEqual(messages, [
      'ERR_CONFIG_INVALID: missing required key "targets" (resolute.yaml:5: endpoints[0].targets)',
      'ERR_CONFIG_INVALID: must be one of A, AAAA, got "MX" (resolute.yaml:6: endpoints[0].type)',
    ]);
  });

  test('a config given as a value (the API) is checked by the same rules', () => {
    assert.throws(
      () => validateConfig({ zones: [{ apex: 'demo.test', nameservers: ['ns1.demo.test'] }], endpoints: [{ name: 'x.demo.test', type: 'A', targets: [] }] }, 'api'),
      /an endpoint needs at least one target \(api: endpoints\[0\]\.targets\)/,
    );
  });
});

describe('static records in zones', () => {
  test('MX, TXT, CAA and an NS delegation with glue load in canonical form', () => {
    const config = parseConfig(
      `zones:
  - apex: demo.test
    nameservers: [ns1.demo.test]
    records:
      - { name: demo.test, type: MX, value: "10 Mail.Demo.Test" }
      - { name: demo.test, type: TXT, values: ["v=spf1 -all", '"a" "b"'] }
      - { name: demo.test, type: CAA, value: '0 issue "letsencrypt.org"' }
      - { name: sub.demo.test, type: NS, value: ns.sub.demo.test }
      - { name: ns.sub.demo.test, type: A, value: 192.0.2.53 }
endpoints: []
`,
      'resolute.yaml',
    );
    assert.deepEqual(
      config.zones[0].records.map((r) => `${r.name} ${r.ttlSeconds} ${r.type} ${r.value}`),
      [
        'demo.test. 3600 MX 10 mail.demo.test.',
        'demo.test. 3600 TXT "v=spf1 -all"',
        'demo.test. 3600 TXT "a" "b"',
        'demo.test. 3600 CAA 0 issue "letsencrypt.org"',
        'sub.demo.test. 3600 NS ns.sub.demo.test.',
        'ns.sub.demo.test. 3600 A 192.0.2.53',
      ],
    );
  });

  test('an in-bailiwick delegation without glue, and a managed name below a delegation, are refused', () => {
    const messages = errorsOf(`zones:
  - apex: demo.test
    nameservers: [ns1.demo.test]
    records:
      - { name: sub.demo.test, type: NS, value: ns.sub.demo.test }
      - { name: demo.test, type: MX, value: "mail.demo.test" }
endpoints:
  - { name: api.sub.demo.test, type: A, targets: [{ address: 192.0.2.1 }] }
`);
    assert.equal(messages.length, 3, messages.join('\n'));
    assert.match(messages[1], /MX needs "preference exchange"/);
    assert.match(messages[0], /delegation sub\.demo\.test\. to ns\.sub\.demo\.test\. needs glue .*zones\[0\]\.records\[0\]\); add an A or AAAA record/);
    assert.match(messages[2], /api\.sub\.demo\.test\. is below the delegation sub\.demo\.test\./);
  });
});

describe('shipped files', () => {
  test('schema/resolute.schema.json is generated from the current definition', async () => {
    const shipped = await readFile(JSON_SCHEMA_PATH, 'utf8');
    assert.equal(shipped, renderJsonSchema(), 'the JSON Schema is stale: run npm run schema');
  });

  test('every example config loads', async () => {
    for (const example of ['one-region.yaml', 'two-region.yaml']) {
      const config = await loadConfig(join(root, 'examples', example));
      assert.ok(config.endpoints.length > 0, example);
    }
  });

  test('a config written to disk loads the same as the text', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'resolute-config-'));
    try {
      const text = endpoint('    targets: [{ address: 192.0.2.1 }]\n');
      await writeFile(join(dir, 'resolute.yaml'), text);
      assert.deepEqual(await loadConfig(join(dir, 'resolute.yaml')), parseConfig(text, 'x'));
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
