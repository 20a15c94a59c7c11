import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHostsFile } from './hosts-file.js';

test('hosts lines give each name and alias its addresses, per family, in file order', () => {
  const table = parseHostsFile(
    [
      '127.0.0.1 localhost',
      '::1 localhost ip6-localhost # the loopback',
      '192.0.2.10 API.example.org. api',
      '192.0.2.11 api.example.org',
      'not-an-ip broken.example',
      '   # only a comment',
      '192.0.2.12',
    ].join('\n'),
  );
  assert.deepEqual(table.get('localhost'), { v4: ['127.0.0.1'], v6: ['::1'] });
  assert.deepEqual(table.get('api.example.org'), { v4: ['192.0.2.10', '192.0.2.11'], v6: [] });
  assert.deepEqual(table.get('api'), { v4: ['192.0.2.10'], v6: [] });
  assert.equal(table.get('broken.example'), undefined);
  assert.equal(table.size, 4);
});
