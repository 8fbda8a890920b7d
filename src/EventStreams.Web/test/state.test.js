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

test('relative starts stay relative in the URL and resolve when streaming starts', async () => {
  const { resolveSince, isRelative, relativeText } = await import('../src/state.js');
  const state = fromHash('#/?streams=a&since=-15m');
  assert.equal(state.start, 'time');
  assert.equal(state.since, '-15m');
  assert.equal(toHash(state), '#/?streams=a&since=-15m');
  const now = Date.parse('2026-11-30T03:00:00.000Z');
  assert.equal(sinceOf(state, now), '2026-11-30T02:45:00.000Z');
  assert.equal(resolveSince('-2d', now), '2026-11-28T03:00:00.000Z');
  assert.equal(resolveSince('2026-11-30T01:00:00Z', now), '2026-11-30T01:00:00Z');
  assert.equal(resolveSince('yesterday', now), '');
  assert.ok(isRelative('-1h'));
  assert.ok(!isRelative('-1y'));
  assert.equal(relativeText('-15m'), '15 min');
  assert.equal(relativeText('-1d'), '1 day');
});

test('"last N events" is since=last:N in the URL, N clamped', () => {
  const state = { ...emptyState(), streams: ['a'], start: 'last', lastN: 250 };
  const hash = toHash(state);
  assert.match(hash, /since=last%3A250/);
  assert.deepEqual(fromHash(hash), state);
  assert.equal(fromHash('#/?streams=a&since=last:0').lastN, 100);
  assert.equal(fromHash('#/?streams=a&since=last:5000000').lastN, 1_000_000);
  assert.equal(sinceOf(state), '');
});
