import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Disconnections, markText } from '../src/disconnections.js';

test('one mark per disconnection, after the last event before it, from the first failure to the stream open again', () => {
  const d = new Disconnections();
  assert.equal(d.status('open', 1000, 2), false);
  assert.equal(d.status('retrying', 2000, 2), true);
  assert.equal(d.status('connecting', 3000, 2), false);
  assert.equal(d.status('retrying', 4000, 2), false);
  assert.equal(d.status('open', 20_000, 2), true);
  assert.equal(d.marks.length, 1);
  assert.deepEqual([d.marks[0].from, d.marks[0].to], [2000, 20_000]);

  const events = [{ seq: 1 }, { seq: 2 }, { seq: 3 }];
  assert.deepEqual(d.merge(events).map((e) => e.seq), [1, 2, 2.5, 3]);
  assert.equal(new Disconnections().merge(events), events);

  const clock = (ms) => `00:00:${String(ms / 1000).padStart(2, '0')}`;
  assert.equal(markText(d.marks[0], clock, 'UTC'), 'Disconnected from 00:00:02 to 00:00:20 UTC (18 s)');
  d.status('retrying', 30_000, 3);
  assert.equal(markText(d.marks[1], clock, 'UTC'), 'Disconnected since 00:00:30 UTC: reconnecting…');
  d.status('paused', 31_000, 3);
  assert.equal(d.marks[1].to, 31_000);

  // Marks go with the events before them; the one just before the oldest kept event stays.
  assert.equal(d.trim(3), false);
  assert.equal(d.trim(4), true);
  assert.deepEqual(d.marks.map((m) => m.seq), [3.5]);
  d.clear();
  assert.equal(d.marks.length, 0);
});
