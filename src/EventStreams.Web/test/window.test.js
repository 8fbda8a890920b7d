import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idOffsets, windowRanges, setEnds, olderRanges, rangesId, take, allReached, rangesSize, partitionKey } from '../src/window.js';

const a0 = { topic: 'a', partition: 0, low: 0, high: 20, at: 5 };
const a1 = { topic: 'a', partition: 1, low: 10, high: 12, at: 12 };

test('a window starts each partition at its `at` offset, or where an id puts it', () => {
  const ranges = windowRanges([a0, a1], idOffsets('[{"topic":"a","partition":1,"offset":10},{"topic":"b","partition":0,"timestamp":5},"c"]'));
  assert.deepEqual([...ranges.values()].map((r) => [r.start, r.end]), [[5, null], [10, null]]);
  assert.equal(rangesId(ranges), '[{"topic":"a","partition":0,"offset":5},{"topic":"a","partition":1,"offset":10}]');
  assert.deepEqual(idOffsets('not json'), new Map());
});

test('before its end is known every event from the start is taken; then exactly those before the end', () => {
  const ranges = windowRanges([a0, a1]);
  assert.equal(take(ranges, 'a', 0, 5), true);
  assert.equal(take(ranges, 'a', 0, 9), true);
  assert.equal(take(ranges, 'b', 0, 9), false);
  assert.equal(allReached(ranges), false);

  setEnds(ranges, [{ ...a0, at: 9 }, { ...a1, at: 12 }]);
  // a/1 starts at its end (nothing in the window); a/0 already delivered 9 ≥ end − 1 before the end was known.
  assert.equal(allReached(ranges), true);
  assert.equal(rangesSize(ranges), 4);
  assert.equal(take(ranges, 'a', 0, 8), true);
  assert.equal(take(ranges, 'a', 0, 9), false);
  assert.equal(rangesId(ranges), '[{"topic":"a","partition":0,"offset":5}]');
});

test('a partition is read to its end at the event before the end, or at any event past it (a gap in offsets)', () => {
  const ranges = windowRanges([a0]);
  setEnds(ranges, [{ ...a0, at: 8 }]);
  assert.equal(take(ranges, 'a', 0, 6), true);
  assert.equal(allReached(ranges), false);
  assert.equal(take(ranges, 'a', 0, 8), false);
  assert.equal(allReached(ranges), true);
});

test('an end before the start is an empty window, read at once', () => {
  const ranges = windowRanges([a0]);
  setEnds(ranges, [{ ...a0, at: 2 }]);
  assert.deepEqual([ranges.get(partitionKey('a', 0)).start, ranges.get(partitionKey('a', 0)).end], [5, 5]);
  assert.equal(allReached(ranges), true);
  assert.equal(rangesSize(ranges), 0);
});

test('older pages go back from the oldest offset kept, spread over the partitions that have older events', () => {
  const floors = new Map([[partitionKey('a', 0), 15]]);
  // a/1 has nothing kept: back from its high watermark (12), never below its low one (10).
  const ranges = olderRanges([a0, a1], floors, 10);
  assert.deepEqual([...ranges.values()].map((r) => [r.start, r.end]), [[10, 15], [10, 12]]);
  assert.equal(rangesSize(ranges), 7);

  // The next page ends exactly where this one starts: no event twice, none skipped.
  floors.set(partitionKey('a', 0), 10);
  floors.set(partitionKey('a', 1), 10);
  const next = olderRanges([a0, a1], floors, 10);
  assert.deepEqual([...next.values()].map((r) => [r.start, r.end, r.reached]), [[0, 10, false], [10, 10, true]]);
  assert.equal(rangesId(next), '[{"topic":"a","partition":0,"offset":0}]');

  floors.set(partitionKey('a', 0), 0);
  assert.equal(olderRanges([a0, a1], floors, 10), null);
});
