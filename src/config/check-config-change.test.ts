import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResoluteErrorList } from '../base/errors.js';
import { checkConfigChange } from './check-config-change.js';
import { parseConfig } from './load-config.js';

function config(endpoints: Record<string, readonly string[]>): ReturnType<typeof parseConfig> {
  const lines = Object.entries(endpoints).map(
    ([name, addresses]) => `  - name: ${name}\n    type: A\n    targets: [${addresses.map((a) => `{ address: ${a} }`).join(', ')}]`,
  );
  return parseConfig(`zones: [{ apex: demo.test, nameservers: [ns1.demo.test] }]\nendpoints:\n${lines.join('\n')}\n`, 'resolute.yaml');
}

test('a reload that removes a managed name is refused unless deletes are allowed', () => {
  const before = config({ 'a.demo.test': ['192.0.2.1'], 'b.demo.test': ['192.0.2.2'] });
  const after = config({ 'a.demo.test': ['192.0.2.1'] });
  assert.throws(
    () => checkConfigChange(before, after, { isDeleteAllowed: false, file: 'resolute.yaml' }),
    (error: unknown) =>
      error instanceof ResoluteErrorList &&
      error.errors[0].code === 'ERR_CONFIG_DELETE_REFUSED' &&
      /removes the managed name b\.demo\.test\. \(resolute\.yaml\); .*--allow-delete/.test(error.message),
  );
  assert.deepEqual(checkConfigChange(before, after, { isDeleteAllowed: true }).removedNames, ['b.demo.test.']);
});

test('a reload that removes more than the allowed fraction of targets is refused, a smaller one passes', () => {
  const before = config({ 'a.demo.test': ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4'] });
  assert.throws(() => checkConfigChange(before, config({ 'a.demo.test': ['192.0.2.1'] }), { isDeleteAllowed: false }), /removes 3 targets of a\.demo\.test\. \(75%/);
  const small = checkConfigChange(before, config({ 'a.demo.test': ['192.0.2.1', '192.0.2.2', '192.0.2.9'] }), { isDeleteAllowed: false });
  assert.deepEqual(small, { removedNames: [], shrunkEndpoints: [] });
});
