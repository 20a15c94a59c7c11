import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../base/random.js';
import { backoffMs } from './backoff-ms.js';

test('re-ask delays double from the minimum up to the maximum, with half of each delay jittered', () => {
  const seed = 9;
  const random = seededRandom(seed);
  const backoff = { minMs: 100, maxMs: 1000 };
  const delays = [0, 1, 2, 3, 4, 10, 100].map((attempt) => backoffMs(attempt, backoff, random));
  const bases = [100, 200, 400, 800, 1000, 1000, 1000];
  delays.forEach((delay, i) => assert.ok(delay >= bases[i] / 2 && delay <= bases[i], `seed ${seed}: attempt delay ${delay} outside [${bases[i] / 2}, ${bases[i]}]`));
});
