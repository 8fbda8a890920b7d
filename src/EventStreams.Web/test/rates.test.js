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

test('by event time: a catch-up spreads over its seconds, the future counts now, the too old is not plotted', () => {
  const rates = new RateCounts();
  rates.setStreams(['a']);
  rates.restart(2000_000);
  rates.countAt('a', 1990, 2000);
  rates.countAt('a', 1991, 2000);
  rates.countAt('a', 2100, 2000);
  rates.countAt('a', 2000 - SECONDS, 2000);
  const [xs, a] = rates.data(2001_000);
  assert.equal(xs[0], 1990, 'the axis reaches back to the oldest counted second');
  assert.equal(a[xs.indexOf(1990)], 1);
  assert.equal(a[xs.indexOf(2000)], 1);
  assert.equal(rates.outside, 1);
  assert.equal(rates.total(), 3);
  rates.clear(2001_000);
  assert.equal(rates.total(), 0);
});
