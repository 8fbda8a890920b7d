import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFilter, filterText, compileView } from '../src/filters.js';

const edit = { type: 'edit', bot: false, length: { new: 10 }, meta: { domain: 'en.wikipedia.org' } };
const matches = (view, event) => view(JSON.stringify(event), () => event);

test('parseFilter reads path = value and path != value, with or without spaces', () => {
  assert.deepEqual(parseFilter('meta.domain = en.wikipedia.org'), { path: ['meta', 'domain'], pathText: 'meta.domain', negated: false, value: 'en.wikipedia.org' });
  assert.equal(parseFilter('type!=log').negated, true);
  assert.equal(filterText(parseFilter(' type != log ')), 'type!=log');
  assert.equal(parseFilter('title = a=b').value, 'a=b');
  assert.equal(parseFilter('just words'), null);
  assert.equal(parseFilter('= x'), null);
  assert.equal(parseFilter('meta..domain = x'), null);
});

test('field filters compare strings by value and other JSON by its text, like the server', () => {
  assert.ok(matches(compileView({ filters: [parseFilter('meta.domain=en.wikipedia.org')] }), edit));
  assert.ok(matches(compileView({ filters: [parseFilter('bot=false')] }), edit));
  assert.ok(matches(compileView({ filters: [parseFilter('length={"new":10}')] }), edit));
  assert.ok(!matches(compileView({ filters: [parseFilter('type=log')] }), edit));
});

test('a missing field equals nothing, so != holds for it', () => {
  assert.ok(!matches(compileView({ filters: [parseFilter('user=x')] }), edit));
  assert.ok(matches(compileView({ filters: [parseFilter('user!=x')] }), edit));
  assert.ok(matches(compileView({ filters: [parseFilter('meta.domain.x!=y')] }), edit));
});

test('every filter must hold; canary hiding and text search combine with them', () => {
  const view = compileView({ text: 'WIKIPEDIA', filters: [parseFilter('type!=log')], hideCanary: true });
  assert.ok(matches(view, edit));
  assert.ok(!matches(view, { ...edit, type: 'log' }));
  assert.ok(!matches(view, { ...edit, meta: { domain: 'canary' }, title: 'wikipedia' }));
  assert.equal(compileView({ text: ' ', filters: [], hideCanary: false }), null);
});

test('a text-only view never parses the event', () => {
  const view = compileView({ text: 'edit', filters: [] });
  assert.ok(view('{"type":"edit"}', () => assert.fail('parsed')));
});
