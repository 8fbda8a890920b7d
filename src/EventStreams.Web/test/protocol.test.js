import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idAfter, idForTopics, topicsOf, clampMax } from '../src/protocol.js';

test('idAfter puts the exact next offset in the event\'s own partition and keeps the others', () => {
  const id = JSON.stringify([
    { topic: 't', partition: 0, timestamp: 1700000000000 },
    { topic: 't', partition: 1, offset: 7 },
    { topic: 'u', partition: 0, offset: 3 },
  ]);
  const after = JSON.parse(idAfter({ id, topic: 't', partition: 0, offset: 41 }));
  assert.deepEqual(after, [
    { topic: 't', partition: 0, offset: 42 },
    { topic: 't', partition: 1, offset: 7 },
    { topic: 'u', partition: 0, offset: 3 },
  ]);
});

test('idAfter hands back an id it cannot read, and an empty one for none', () => {
  assert.equal(idAfter({ id: 'not json', topic: 't', partition: 0, offset: 1 }), 'not json');
  assert.equal(idAfter({ id: '[{"topic":"t","partition":0,"offset":1}]', topic: 't', partition: 0 }), '[{"topic":"t","partition":0,"offset":1}]');
  assert.equal(idAfter({ topic: 't', partition: 0, offset: 1 }), '');
});

test('idForTopics keeps the positions of the topics that stay and starts new topics now', () => {
  const last = JSON.stringify([{ topic: 'a', partition: 0, offset: 5 }, { topic: 'b', partition: 0, offset: 9 }]);
  assert.deepEqual(JSON.parse(idForTopics(last, new Set(['a', 'c']))), [{ topic: 'a', partition: 0, offset: 5 }, 'c']);
  assert.equal(idForTopics(last, null), '');
  assert.equal(idForTopics('', new Set(['a'])), '');
  assert.equal(idForTopics('garbage', new Set(['a'])), '');
});

test('topicsOf needs every stream known with its topics', () => {
  const catalog = [{ name: 's1', topics: ['x.s1', 'y.s1'] }, { name: 's2', topics: [] }];
  assert.deepEqual([...topicsOf(['s1'], catalog)], ['x.s1', 'y.s1']);
  assert.equal(topicsOf(['s1', 's2'], catalog), null);
  assert.equal(topicsOf(['nope'], catalog), null);
});

test('clampMax keeps the number of events to keep between 100 and 200,000', () => {
  assert.equal(clampMax('50'), 100);
  assert.equal(clampMax('999999'), 200_000);
  assert.equal(clampMax('abc'), 10_000);
  assert.equal(clampMax('1234.9'), 1234);
});

test('validation errors of a stream: its destination_event_service error stream, else every error stream', async () => {
  const { validationStreamsFor } = await import('../src/catalog.js');
  const catalog = [
    { name: 'a', destinationEventService: 'eventgate-main', errorValidation: false },
    { name: 'b', destinationEventService: 'eventgate-x', errorValidation: false },
    { name: 'eventgate-main.error.validation', errorValidation: true },
    { name: 'other.error.validation', errorValidation: true },
  ];
  assert.deepEqual(validationStreamsFor('a', catalog), ['eventgate-main.error.validation']);
  assert.deepEqual(validationStreamsFor('b', catalog), ['eventgate-main.error.validation', 'other.error.validation']);
  assert.deepEqual(validationStreamsFor('unknown', catalog), ['eventgate-main.error.validation', 'other.error.validation']);
});
