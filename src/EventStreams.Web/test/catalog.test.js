import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpec, realStream, validationStreamsFor } from '../src/catalog.js';
import { pickOnEnter } from '../src/picker.js';

test('the reference service\'s spec: names from the {streams} enum, no descriptions', () => {
  const spec = {
    paths: {
      '/v2/stream/{streams}': {
        get: { parameters: [{ name: 'streams', in: 'path', schema: { type: 'array', items: { type: 'string', enum: ['recentchange', 'mediawiki.recentchange', 'eventgate-main.error.validation'] } } }] },
      },
    },
  };

  const catalog = parseSpec(spec);

  assert.deepEqual(catalog.map((s) => s.name), ['eventgate-main.error.validation', 'mediawiki.recentchange', 'recentchange']);
  assert.equal(catalog[0].errorValidation, true);
  assert.equal(catalog[1].description, '');
});

const withAlias = [
  { name: 'mediawiki.recentchange', aliasOf: null, destinationEventService: 'eventgate-main', errorValidation: false },
  { name: 'recentchange', aliasOf: 'mediawiki.recentchange', destinationEventService: 'eventgate-main', errorValidation: false },
  { name: 'mediawiki.page-create', aliasOf: null, destinationEventService: 'eventgate-main', errorValidation: false },
  { name: 'eventgate-main.error.validation', aliasOf: null, errorValidation: true },
];

test('an alias stands for its stream: errors and Enter go to the real stream', () => {
  assert.equal(realStream('recentchange', withAlias), 'mediawiki.recentchange');
  assert.equal(realStream('mediawiki.recentchange', withAlias), 'mediawiki.recentchange');
  assert.equal(realStream('unknown', withAlias), 'unknown');
  assert.deepEqual(validationStreamsFor('recentchange', withAlias), ['eventgate-main.error.validation']);

  const enter = pickOnEnter(withAlias, 'RecentChange');
  assert.equal(enter.pick.name, 'mediawiki.recentchange');
  assert.equal(enter.alias, 'recentchange');
  const two = pickOnEnter(withAlias, 'mediawiki.');
  assert.equal(two.pick, null);
  assert.equal(two.matches, 2);
  assert.equal(pickOnEnter(withAlias, 'page-cr').pick.name, 'mediawiki.page-create');
});
