import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorStreamFor, sendableStreams, exampleFor, skeleton, hasExample, jsonLines, badLines, describeAnswer } from '../src/send.js';

const catalog = [
  { name: 'test.event', aliasOf: null, errorValidation: false, destinationEventService: 'eventgate-main' },
  { name: 'test', aliasOf: 'test.event', errorValidation: false, destinationEventService: 'eventgate-main' },
  { name: 'tick', aliasOf: null, errorValidation: false, destinationEventService: null },
  { name: 'eventgate-main.error.validation', aliasOf: null, errorValidation: true },
  { name: 'eventgate-analytics-external.error.validation', aliasOf: null, errorValidation: true },
];

test('errorStreamFor: the destination service, else the analytics one, only when declared', () => {
  assert.equal(errorStreamFor('test.event', catalog), 'eventgate-main.error.validation');
  assert.equal(errorStreamFor('tick', catalog), 'eventgate-analytics-external.error.validation');
  assert.equal(errorStreamFor('tick', catalog.slice(0, 3)), null);
});

test('sendableStreams: no aliases, no error streams', () => {
  assert.deepEqual(sendableStreams(catalog), ['test.event', 'tick']);
});

test('exampleFor: the first example for this stream, without meta.id and meta.dt', () => {
  const schema = { $id: '/test/event/1.1.0', examples: [{ $schema: '/test/event/1.1.0', meta: { stream: 'other', id: 'x', dt: 'y', domain: 'd' }, test: 'v' }] };
  assert.deepEqual(exampleFor('test.event', schema), { $schema: '/test/event/1.1.0', meta: { stream: 'test.event', domain: 'd' }, test: 'v' });
  assert.deepEqual(exampleFor('s', { $id: '/a/1.0.0' }), { $schema: '/a/1.0.0', meta: { stream: 's' } });
  const now = new Date('2026-11-30T03:00:00Z');
  assert.equal(exampleFor('s', { examples: [{ dt: '2020-01-01T00:00:00Z' }] }, now).dt, '2026-11-30T03:00:00.000Z');
});

test('jsonLines: each line knows the path of its value, and the text is JSON', () => {
  const value = { a: 1, 'b/c': [true, { d: null }], e: {} };
  const lines = jsonLines(value);
  assert.deepEqual(JSON.parse(lines.map((l) => l.text).join('\n')), value);
  assert.equal(lines.find((l) => l.text.includes('"a"')).path, '/a');
  assert.equal(lines.find((l) => l.text.includes('"d"')).path, '/b~1c/1/d');
  assert.equal(lines.find((l) => l.text.trim() === 'true,').path, '/b~1c/0');
});

test('badLines: the failing path, or the nearest parent of a missing one', () => {
  const lines = jsonLines({ meta: { stream: 's' }, tick: '1' });
  const marked = badLines(lines, ['/tick', '/meta/dt']);
  assert.deepEqual([...marked].map((i) => lines[i].path).sort(), ['/meta', '/tick']);
});

test('describeAnswer: status message and each message with its path', () => {
  const body = { invalid: [{ status: 'invalid', event: {}, context: { message: 'm', errors: [{ instancePath: '/tick', dataPath: '.tick', message: 'value is "string" but should be "integer"' }] } }] };
  const answer = describeAnswer(400, '1 out of 1 events were invalid and not accepted.', body);
  assert.equal(answer.ok, false);
  assert.equal(answer.summary, '400 1 out of 1 events were invalid and not accepted.');
  assert.deepEqual(answer.errors, [{ path: '/tick', where: '.tick', message: 'value is "string" but should be "integer"' }]);
  assert.equal(describeAnswer(413, '', { detail: 'too big' }).summary, '413: too big');
  assert.equal(describeAnswer(204, 'All 1 out of 1 events were accepted.', null).ok, true);
});

test('skeleton: the required fields only, each a placeholder of its type', () => {
  const now = new Date('2026-11-30T03:00:00Z');
  const schema = {
    $id: '/ui/send/1.0.0',
    type: 'object',
    required: ['$schema', 'meta', 'count', 'label', 'ok', 'dt', 'kind', 'tags', 'ratio'],
    properties: {
      $schema: { type: 'string' },
      meta: { type: 'object', required: ['stream'], properties: { stream: { type: 'string' }, domain: { type: 'string' } } },
      count: { type: 'integer', minimum: 1 },
      label: { type: 'string' },
      ok: { type: 'boolean' },
      dt: { type: 'string', format: 'date-time' },
      kind: { type: 'string', enum: ['a', 'b'] },
      tags: { type: 'array', items: { type: 'string' } },
      ratio: { type: ['null', 'number'] },
      optional: { type: 'string' },
    },
  };
  assert.equal(hasExample(schema), false);
  assert.deepEqual(skeleton(schema, now), {
    $schema: '', meta: { stream: '' }, count: 1, label: '', ok: false, dt: '2026-11-30T03:00:00.000Z', kind: 'a', tags: [], ratio: 0,
  });
  assert.deepEqual(exampleFor('ui.send', schema, now), {
    $schema: '/ui/send/1.0.0', meta: { stream: 'ui.send' }, count: 1, label: '', ok: false, dt: '2026-11-30T03:00:00.000Z', kind: 'a', tags: [], ratio: 0,
  });
  assert.equal(skeleton(null), null);
  assert.equal(hasExample({ examples: [{ a: 1 }] }), true);
});
