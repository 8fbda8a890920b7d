import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFilter, filterText, filterLabel, compileView } from '../src/filters.js';

const edit = { type: 'edit', bot: false, length: { new: 10 }, meta: { domain: 'en.wikipedia.org' } };
const matches = (view, event) => view(JSON.stringify(event), () => event);

test('parseFilter reads path = value and path != value, with or without spaces', () => {
  assert.deepEqual(parseFilter('meta.domain = en.wikipedia.org'), { path: ['meta', 'domain'], pathText: 'meta.domain', op: '=', negated: false, value: 'en.wikipedia.org', server: true });
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

test('IN, contains, regex and numeric comparisons run in the page only', () => {
  const rc = { type: 'new', title: 'Berlin Wall', length: { new: 120 }, meta: { domain: 'de.wikipedia.org' } };
  const only = (text) => matches(compileView({ filters: [parseFilter(text)] }), rc);
  assert.equal(parseFilter('type in edit, new').server, false);
  assert.deepEqual(parseFilter('type in edit, new').values, ['edit', 'new']);
  assert.ok(only('type in edit,new'));
  assert.ok(!only('type in edit,log'));
  assert.ok(only('title contains Berlin'));
  assert.ok(!only('title contains berlin'));
  assert.ok(only('title ~ ^Ber.*l$'));
  assert.ok(only('length.new > 100'));
  assert.ok(only('length.new >= 120'));
  assert.ok(!only('length.new < 120'));
  assert.ok(only('length.new <= 120'));
  assert.ok(!only('title > 3'), 'a string is not a number');
  assert.ok(!only('missing.field in a,b'));
  assert.equal(parseFilter('title ~ ('), null, 'an invalid regex');
  assert.equal(parseFilter('length.new > lots'), null);
  assert.equal(parseFilter('type in  '), null);
  assert.equal(filterText(parseFilter('type  IN edit,new')), 'type in edit,new');
  assert.equal(filterText(parseFilter('length.new>=5')), 'length.new>=5');
  assert.equal(filterLabel(parseFilter('length.new>=5')), 'length.new ≥ 5');
  assert.equal(filterText(parseFilter(filterText(parseFilter('title ~ a=b')))), 'title~a=b');
});
