import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetention, lastEventsId, clampLastN } from '../src/retention.js';

const answer = {
  streams: [
    { stream: 'a', oldest_timestamp: 1000, partitions: [{ topic: 't1', partition: 0, low: 0, high: 500 }, { topic: 't1', partition: 1, low: 490, high: 500 }] },
    { stream: 'alias-of-a', oldest_timestamp: 1000, partitions: [{ topic: 't1', partition: 0, low: 0, high: 500 }, { topic: 't1', partition: 1, low: 490, high: 500 }] },
    { stream: 'b', oldest_timestamp: null, partitions: [{ topic: 't2', partition: 0, low: 7, high: 7 }] },
  ],
};

test('last N events: ceil(N / partitions) back from each high watermark, clamped at the low one', () => {
  const retention = parseRetention(answer);
  assert.deepEqual(JSON.parse(lastEventsId(retention, ['a'], 100)), [
    { topic: 't1', partition: 0, offset: 450 },
    { topic: 't1', partition: 1, offset: 490 },
  ]);
});

test('last N events: a partition shared by two selected streams counts once; empty partitions start at their end', () => {
  const retention = parseRetention(answer);
  assert.deepEqual(JSON.parse(lastEventsId(retention, ['a', 'alias-of-a', 'b'], 7)), [
    { topic: 't1', partition: 0, offset: 497 },
    { topic: 't1', partition: 1, offset: 497 },
    { topic: 't2', partition: 0, offset: 7 },
  ]);
});

test('last N events: no partitions known gives no id', () => {
  assert.equal(lastEventsId(parseRetention({ streams: [] }), ['a'], 10), '');
  assert.equal(lastEventsId(parseRetention(null), ['a'], 10), '');
});

test('N from typing: whole, at least 1, at most a million', () => {
  assert.equal(clampLastN('250'), 250);
  assert.equal(clampLastN('2.9'), 2);
  assert.equal(clampLastN('0'), 100);
  assert.equal(clampLastN('x'), 100);
  assert.equal(clampLastN('99999999'), 1_000_000);
});
