import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventIdentity, SeenEvents } from '../src/identity.js';

const event = (id, offset, extra = {}) => ({ meta: { id, dt: '2026-11-30T00:00:00Z', topic: 't', partition: 0, offset }, ...extra });

test('a repeat is the same meta.id, wherever it comes from', () => {
  const seen = new SeenEvents(() => 100);
  assert.equal(seen.add(eventIdentity(event('a', 5)), 'x'), true);
  assert.equal(seen.add(eventIdentity(event('a', 5)), 'x'), false);
  // After a restart the offsets start over: lower offsets with new ids are new events.
  assert.equal(seen.add(eventIdentity(event('b', 0)), 'y'), true);
});

test('without meta.id, the same position is a repeat only with the same text', () => {
  const seen = new SeenEvents(() => 100);
  const noId = { meta: { topic: 't', partition: 0, offset: 3 } };
  assert.equal(seen.add(eventIdentity(noId), 'one'), true);
  assert.equal(seen.add(eventIdentity(noId), 'one'), false);
  assert.equal(seen.add(eventIdentity(noId), 'another event at a reused offset'), true);
  assert.equal(eventIdentity({ data: 1 }), null);
  assert.equal(seen.add(null, 'anything'), true);
});

test('remembers only the newest capacity() identities, and Clear forgets them', () => {
  const seen = new SeenEvents(() => 2);
  seen.add(eventIdentity(event('a', 1)), '');
  seen.add(eventIdentity(event('b', 2)), '');
  seen.add(eventIdentity(event('c', 3)), '');
  assert.equal(seen.size, 2);
  assert.equal(seen.add(eventIdentity(event('a', 1)), ''), true);
  seen.clear();
  assert.equal(seen.add(eventIdentity(event('c', 3)), ''), true);
});

test('stays bounded over many events: the map holds capacity() and the queue is compacted', () => {
  // Bounded, not timed (a wall-clock bound failed at 3.9 s on a machine under load): the memory it keeps is what makes
  // each add cheap, since the work per add is one map lookup plus amortised compaction.
  const seen = new SeenEvents(() => 10_000);
  let longestQueue = 0;
  for (let i = 0; i < 200_000; i++) {
    seen.add(eventIdentity(event(`e${i}`, i)), '');
    longestQueue = Math.max(longestQueue, seen.queue.length);
  }
  assert.equal(seen.size, 10_000);
  assert.equal(seen.queue.length - seen.head, 10_000);
  assert.ok(longestQueue <= 2 * 65_537 + 10_000, `queue grew to ${longestQueue}`);
  assert.equal(seen.add(eventIdentity(event('e199999', 199_999)), ''), false);
  assert.equal(seen.add(eventIdentity(event('e0', 0)), ''), true, 'the oldest were forgotten');
});
