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

test('last N events: the id is where the server counted them back (its `last` answer), as it gave it', () => {
  const retention = parseRetention({ ...answer, last: { requested: 7, events: 7, start: [{ topic: 't1', partition: 0, offset: 493 }, { topic: 't1', partition: 1, offset: 496 }, { topic: 't2', partition: 0, offset: 7 }] } });
  assert.equal(retention.last.events, 7);
  assert.deepEqual(JSON.parse(lastEventsId(retention)), [
    { topic: 't1', partition: 0, offset: 493 },
    { topic: 't1', partition: 1, offset: 496 },
    { topic: 't2', partition: 0, offset: 7 },
  ]);
  assert.equal(retention.get('a').partitions.length, 2);
});

test('last N events: no `last` in the answer (or no answer) gives no id', () => {
  assert.equal(lastEventsId(parseRetention(answer)), '');
  assert.equal(lastEventsId(parseRetention({ ...answer, last: { start: [] } })), '');
  assert.equal(lastEventsId(parseRetention(null)), '');
  assert.equal(lastEventsId(null), '');
});

test('N from typing: whole, at least 1, at most a million', () => {
  assert.equal(clampLastN('250'), 250);
  assert.equal(clampLastN('2.9'), 2);
  assert.equal(clampLastN('0'), 100);
  assert.equal(clampLastN('x'), 100);
  assert.equal(clampLastN('99999999'), 1_000_000);
});
