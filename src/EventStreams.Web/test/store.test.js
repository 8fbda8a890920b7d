import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventStore } from '../src/store.js';

const record = (n, domain = 'en') => ({ raw: JSON.stringify({ n, domain }), parsed: { n, domain } });

test('keeps the newest max events and reports what left the front of the view', () => {
  const store = new EventStore(3);
  assert.deepEqual(store.add([record(1), record(2)], (r) => r.parsed), { added: 2, dropped: 0 });
  assert.deepEqual(store.add([record(3), record(4), record(5)], (r) => r.parsed), { added: 3, dropped: 2 });
  assert.deepEqual(store.view.map((r) => JSON.parse(r.raw).n), [3, 4, 5]);
  assert.equal(store.setMax(2), 1);
  assert.deepEqual(store.all.map((r) => JSON.parse(r.raw).n), [4, 5]);
});

test('the view is the filtered part of what is kept', () => {
  const store = new EventStore(4);
  store.setPredicate((raw, parsed) => parsed().domain === 'de');
  const { added } = store.add([record(1, 'de'), record(2), record(3, 'de'), record(4)], (r) => r.parsed);
  assert.equal(added, 2);
  assert.equal(store.add([record(5), record(6)], (r) => r.parsed).dropped, 1);
  assert.deepEqual(store.view.map((r) => JSON.parse(r.raw).n), [3]);
  store.setPredicate(null);
  assert.deepEqual(store.view.map((r) => JSON.parse(r.raw).n), [3, 4, 5, 6]);
  assert.equal(store.indexOfSeq(store.view[2].seq), 2);
  assert.equal(store.indexOfSeq(1), -1);
});
