import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorPaths } from '../src/summary.js';

test('paths named by EventGate validation messages', () => {
  assert.deepEqual(errorPaths("'.tick' should be integer"), [{ path: ['tick'] }]);
  assert.deepEqual(errorPaths("'.event.action' should be equal to one of the allowed values: [a, b]; '.event.session_id' is a required property"), [
    { path: ['event', 'action'] },
    { path: ['event'], missing: 'session_id' },
  ]);
  assert.deepEqual(errorPaths("'.meta' should have required property 'stream'"), [{ path: ['meta'], missing: 'stream' }]);
  assert.deepEqual(errorPaths("'.action' is a required property; '' should NOT have additional properties: 'click_target'"), [
    { path: [], missing: 'action' },
    { path: ['click_target'] },
  ]);
  assert.deepEqual(errorPaths('data/meta/dt must match format "date-time"'), [{ path: ['meta', 'dt'] }]);
  assert.deepEqual(errorPaths('/items/0/id must be string'), [{ path: ['items', '0', 'id'] }]);
  assert.deepEqual(errorPaths('something went wrong'), []);
});
