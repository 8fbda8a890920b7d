import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateCounts, SECONDS } from '../src/rates.js';

test('counts per stream per second, leaving out the second still filling', () => {
  const rates = new RateCounts();
  assert.equal(rates.setStreams(['a', 'b']), true);
  assert.equal(rates.setStreams(['a', 'b']), false);
  rates.restart(1000_000);
  rates.count('a', 1000);
  rates.count('a', 1000);
  rates.count('b', 1001);
  const [xs, a, b] = rates.data(1002_500);
  assert.equal(xs.at(-1), 1002);
  assert.equal(a[xs.indexOf(1000)], 2);
  assert.equal(b[xs.indexOf(1001)], 1);
  assert.equal(a.at(-1), null);
});

test('a slot a lap later does not show the old count', () => {
  const rates = new RateCounts();
  rates.setStreams(['a']);
  rates.count('a', 5);
  rates.count('a', 5 + SECONDS);
  const [xs, a] = rates.data((6 + SECONDS) * 1000);
  assert.equal(a[xs.indexOf(5 + SECONDS)], 1);
});
