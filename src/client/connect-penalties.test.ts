import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Clock } from '../base/clock.js';
import { systemClock } from '../base/clock.js';
import { ConnectPenalties } from './connect-penalties.js';

/** A clock whose time the test moves; timers are not needed here. */
function steppedClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  return { ...systemClock, nowMs: () => now, monotonicMs: () => now, advance: (ms) => void (now += ms) };
}

test('an address that refused goes last until its penalty ends or it connects again', () => {
  const clock = steppedClock();
  const penalties = new ConnectPenalties(clock, 1000);
  const addresses = ['192.0.2.1', '192.0.2.2', '192.0.2.3'];
  assert.equal(penalties.isEmpty, true);
  penalties.report('192.0.2.1', 'refused');
  assert.deepEqual(penalties.order(addresses), ['192.0.2.2', '192.0.2.3', '192.0.2.1']);
  assert.equal(penalties.pick(addresses), '192.0.2.2');
  penalties.report('192.0.2.1', 'connected');
  assert.deepEqual(penalties.order(addresses), addresses);
  penalties.report('192.0.2.2', 'timed-out');
  clock.advance(1000);
  assert.deepEqual(penalties.order(addresses), addresses);
  assert.equal(penalties.isEmpty, true);
});

test('when every address is penalized, the one whose penalty ends first is picked', () => {
  const clock = steppedClock();
  const penalties = new ConnectPenalties(clock, 1000);
  penalties.report('192.0.2.2', 'refused');
  clock.advance(10);
  penalties.report('192.0.2.1', 'refused');
  assert.equal(penalties.pick(['192.0.2.1', '192.0.2.2']), '192.0.2.2');
  assert.deepEqual(penalties.order(['192.0.2.1', '192.0.2.2']), ['192.0.2.2', '192.0.2.1']);
});
