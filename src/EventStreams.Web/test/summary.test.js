import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarize, eventTime, errorMessages } from '../src/summary.js';

test('recentchange: type, wiki, title, user and size', () => {
  const s = summarize({ type: 'edit', title: 'Berlin', user: 'Ann', server_name: 'de.wikipedia.org', bot: true, length: { old: 10, new: 4 } }, 'mediawiki.recentchange');
  assert.equal(s.text, 'edit · de.wikipedia.org · Berlin · Ann (-6) [bot]');
  assert.equal(summarize({ type: 'log', log_type: 'block', log_action: 'block', title: 'U', user: 'A', server_name: 'x' }, 's').type, 'log/block/block');
});

test('revision and page events: wiki, page, performer', () => {
  const s = summarize({ meta: { domain: 'en.wikipedia.org' }, page_title: 'Main_Page', performer: { user_text: 'Bob' }, rev_len: 120, comment: 'typo' }, 'mediawiki.page-create');
  assert.equal(s.text, 'en.wikipedia.org · Main_Page · Bob (120 bytes) — typo');
});

test('validation errors lead with the rejected stream, then every error on one line', () => {
  const s = summarize({ errored_stream_name: 'x.y', message: 'first\nsecond', raw_event: '{}' }, 'eventgate-analytics-external.error.validation');
  assert.equal(s.text, 'x.y: first; second');
});

test('time: meta.dt, then dt, then the time it arrived', () => {
  assert.equal(eventTime({ meta: { dt: '2026-01-01T00:00:00Z' } }, 5), Date.UTC(2026, 0, 1));
  assert.equal(eventTime({ dt: '2026-01-01T00:00:01Z' }, 5), Date.UTC(2026, 0, 1, 0, 0, 1));
  assert.equal(eventTime({}, 5), 5);
});

test('validation error messages split per error: by line, or by "; " before the next field', () => {
  assert.deepEqual(errorMessages("'.tick' should be integer\n'.meta' should have required property 'stream'"), ["'.tick' should be integer", "'.meta' should have required property 'stream'"]);
  assert.deepEqual(errorMessages(`'.dt' should match format "date-time"; '.page_namespace' should be integer`), [`'.dt' should match format "date-time"`, "'.page_namespace' should be integer"]);
  assert.deepEqual(errorMessages('data.x should be string; data should have required property y'), ['data.x should be string', 'data should have required property y']);
  assert.deepEqual(errorMessages('one error; with a semicolon inside'), ['one error; with a semicolon inside']);
  assert.deepEqual(errorMessages(undefined), []);
});

test('error counts per errored stream and per message, most first', async () => {
  const { errorCounts } = await import('../src/summary.js');
  const r = (errored, ...messages) => ({ errored, messages });
  const counts = errorCounts([r('a', 'm1', 'm2'), r('a', 'm1'), r('b', 'm1'), { raw: 'not an error' }]);
  assert.equal(counts.total, 3);
  assert.deepEqual(counts.byStream, [['a', 2], ['b', 1]]);
  assert.deepEqual(counts.byMessage, [['m1', 3, ['a', 'b']], ['m2', 1, ['a']]]);
});

test('stream labels leave out the shared prefix and keep both ends of a long name', async () => {
  const { streamLabels } = await import('../src/summary.js');
  assert.deepEqual([...streamLabels(['mediawiki.recentchange', 'mediawiki.page-create']).values()], ['recentchange', 'page-create']);
  assert.deepEqual([...streamLabels(['a.b.c', 'a.b.d', 'x']).values()], ['a.b.c', 'a.b.d', 'x']);
  assert.deepEqual([...streamLabels(['mediawiki.page-create']).values()], ['mediawiki.page-create']);
  const demo = streamLabels(['mediawiki.recentchange', 'mediawiki.revision-create', 'eventgate-analytics-external.error.validation', 'test.event']);
  assert.deepEqual([...demo.values()], ['mediawiki.recentchange', '…revision-create', '…error.validation', 'test.event']);
  assert.equal(streamLabels(['averyveryverylongsegmentnamethatgoeson', 'x'])
    .get('averyveryverylongsegmentnamethatgoeson'), 'averyveryv…amethatgoeson');
  assert.deepEqual([...streamLabels(['first-very-long-segment.common-tail-x', 'second-very-long-segment.common-tail-x']).values()],
    ['first-very-long-segment.common-tail-x', 'second-very-long-segment.common-tail-x'], 'alike when shortened: full names');
});
