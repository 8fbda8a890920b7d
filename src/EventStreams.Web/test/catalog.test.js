import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpec } from '../src/catalog.js';

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
