import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseResolvConf } from './resolv-conf.js';

test('a Kubernetes pod resolv.conf gives its servers, search list, ndots, timeout and attempts', () => {
  const conf = parseResolvConf(
    [
      'search shop.svc.cluster.local svc.cluster.local cluster.local',
      'nameserver 10.96.0.10',
      'options ndots:5 timeout:2 attempts:3 rotate',
    ].join('\n'),
  );
  assert.deepEqual(conf, {
    nameservers: [{ address: '10.96.0.10', port: 53 }],
    search: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
    ndots: 5,
    timeoutMs: 2000,
    attempts: 3,
  });
});

test('resolv.conf is read as glibc reads it: comments, the last of search and domain, at most three servers, caps', () => {
  const conf = parseResolvConf(
    [
      '# generated',
      'domain corp.example.',
      'search a.example b.example ; trailing comment',
      'nameserver 192.0.2.1',
      'nameserver 2001:db8::1',
      'nameserver not-an-address',
      'nameserver 192.0.2.3',
      'nameserver 192.0.2.4',
      'options ndots:99 timeout:100 attempts:0',
      'sortlist 130.155.160.0/255.255.240.0',
    ].join('\n'),
  );
  assert.deepEqual(conf.nameservers.map((s) => s.address), ['192.0.2.1', '2001:db8::1', '192.0.2.3']);
  assert.deepEqual(conf.search, ['a.example', 'b.example']);
  assert.equal(conf.ndots, 15);
  assert.equal(conf.timeoutMs, 30_000);
  assert.equal(conf.attempts, 1);
});

test('an empty resolv.conf gives the resolver defaults', () => {
  assert.deepEqual(parseResolvConf(''), { nameservers: [], search: [], ndots: 1, timeoutMs: 5000, attempts: 2 });
});
