import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHash, toHash, sinceOf, emptyState } from '../src/state.js';

test('the view round-trips through the URL hash', () => {
  const state = { ...emptyState(), streams: ['a.b', 'c'], start: 'time', since: '2026-11-23T10:00:00.000Z', text: 'Berlin & co', filters: ['meta.domain=de.wikipedia.org', 'type!=log'], hideCanary: true, max: 500 };
  const hash = toHash(state);
  assert.match(hash, /^#\/\?streams=a\.b,c&since=2026-11-23T10%3A00%3A00\.000Z&q=Berlin\+%26\+co&filter=meta\.domain%3Dde\.wikipedia\.org&filter=type%21%3Dlog&canary=hide&max=500$/);
  assert.deepEqual(fromHash(hash), state);
});

test('the reference UI\'s links, the oldest event and an id', () => {
  assert.deepEqual(fromHash('#/?streams=mediawiki.recentchange').streams, ['mediawiki.recentchange']);
  const oldest = fromHash('#/?streams=a&since=0');
  assert.equal(oldest.start, 'oldest');
  assert.equal(sinceOf(oldest), '0');
  const id = fromHash(`#/?streams=a&last_event_id=${encodeURIComponent('[{"topic":"t","partition":0,"offset":5}]')}`);
  assert.equal(id.start, 'id');
  assert.equal(id.lastEventId, '[{"topic":"t","partition":0,"offset":5}]');
  assert.equal(sinceOf(id), '');
  assert.deepEqual(fromHash(''), emptyState());
});

test('a silly max is ignored or capped', () => {
  assert.equal(fromHash('#/?max=5').max, 10_000);
  assert.equal(fromHash('#/?max=9999999').max, 200_000);
});
