import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toYaml } from '../src/yaml.js';

test('objects, arrays and scalars in block style', () => {
  const yaml = toYaml({ $schema: '/mediawiki/recentchange/1.0.0', meta: { stream: 'a.b', offset: 3 }, tags: ['x', { k: 1 }], empty: {}, none: [], n: null });
  assert.equal(yaml, [
    '$schema: /mediawiki/recentchange/1.0.0',
    'meta:',
    '  stream: a.b',
    '  offset: 3',
    'tags:',
    '- x',
    '- k: 1',
    'empty: {}',
    'none: []',
    '"n": null', // YAML 1.1 reads a bare n as false
    '',
  ].join('\n'));
});

test('strings YAML would read as something else are quoted', () => {
  assert.equal(toYaml({ a: 'true', b: '12', c: 'x: y', d: '', e: 'line\nbreak', f: '#tag', g: 'no' }), [
    'a: "true"',
    'b: "12"',
    'c: "x: y"',
    'd: ""',
    'e: "line\\nbreak"',
    'f: "#tag"',
    'g: "no"',
    '',
  ].join('\n'));
});
