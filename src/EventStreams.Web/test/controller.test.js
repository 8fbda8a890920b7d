import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Controller } from '../src/controller.js';
import { ReconnectingConnection } from '../src/reconnecting.js';
import { TOPICS } from '../src/topics.js';
import { emptyState, fromHash } from '../src/state.js';

// A transport with the real reconnecting logic (reconnecting.js) and no network: it records each connect with the
// request and the id it would send, and the test plays the server through its handlers.
class FakeTransport extends ReconnectingConnection {
  constructor(handlers) {
    super(handlers);
    this.connects = [];
    this.closes = 0;
    FakeTransport.made.push(this);
  }

  connect() {
    this.connects.push({ ...this.request, lastId: this.lastId });
  }

  close() {
    this.generation++;
    this.closes++;
  }

  dropCurrent() {}

  /** The server answers: the status turns open. */
  opened() {
    this.status('open', 'Streaming');
  }

  /** The server sends events `{topic, partition, offset, id?}` (the SSE id is the offset-form position). */
  send(...events) {
    const batch = events.map((e) => ({
      id: JSON.stringify([{ topic: e.topic, partition: e.partition, offset: e.offset }]),
      data: JSON.stringify({ meta: { stream: e.stream ?? 'a', topic: e.topic, partition: e.partition, offset: e.offset, id: e.id, dt: e.dt ?? '2026-12-01T00:00:00Z' }, n: e.offset }),
    }));
    this.lastId = batch.at(-1).id; // as both transports do
    this.handlers.onEvents(batch);
  }
}
FakeTransport.made = [];

const catalog = [
  { name: 'a', aliasOf: null, topics: ['ta'], errorValidation: false, destinationEventService: 'svc' },
  { name: 'alias-a', aliasOf: 'a', topics: ['ta'], errorValidation: false, destinationEventService: 'svc' },
  { name: 'b', aliasOf: null, topics: ['tb'], errorValidation: false, destinationEventService: 'svc' },
  { name: 'svc.error.validation', aliasOf: null, topics: ['te'], errorValidation: true, destinationEventService: null },
];

function make(hash = '#/?streams=a', { retention = async () => null } = {}) {
  FakeTransport.made = [];
  const controller = new Controller(fromHash(hash), {
    transports: { sse: FakeTransport, signalr: class extends FakeTransport {} },
    catalog: async () => catalog,
    retention,
    schedule: (flush) => flush(), // lay out at once: no frames without a page
  });
  const emitted = [];
  for (const topic of Object.keys(TOPICS)) {
    controller.on(topic, (payload) => emitted.push([topic, payload]));
  }
  return { controller, emitted, topics: () => emitted.map(([t]) => t), connection: () => controller.session.connection };
}

test('the view is frozen: a panel cannot change it behind the controller', () => {
  const { controller } = make('#/?streams=a&filter=x%3D1');
  assert.throws(() => { controller.state.text = 'x'; }, TypeError);
  assert.throws(() => controller.state.streams.push('b'), TypeError);
  assert.throws(() => controller.state.filters.push('y=2'), TypeError);
  assert.throws(() => { controller.settings = {}; }, TypeError);
  controller.setText('x');
  assert.equal(controller.state.text, 'x');
});

test('an unlisted topic is refused, and every topic a command emits is listed (chart included)', () => {
  const { controller, topics } = make();
  assert.throws(() => controller.on('no-such-topic', () => {}), /Unknown topic/);
  controller.setChartBy('arrival');
  assert.deepEqual(topics(), ['chart', 'state']);
  assert.equal(controller.state.chart, 'arrival');
  assert.ok(Object.hasOwn(TOPICS, 'chart'));
});

test('settings arrive through a command and are announced', async () => {
  const { controller, emitted } = make();
  controller.setSettings({ upstream: 'https://beta.example', transports: ['sse'] });
  assert.equal(controller.settings.upstream, 'https://beta.example');
  assert.deepEqual(emitted.at(-1), ['settings', controller.settings]);
});

test('start opens the connection at the start position with the server filters, and says so in order', async () => {
  const { controller, topics, connection } = make('#/?streams=a&since=0&filter=meta.domain%3Dx&filter=n%3E3&canary=hide');
  await controller.loadCatalog();
  controller.start();
  assert.equal(controller.mode, 'live');
  assert.deepEqual(connection().connects, [{ streams: ['a'], since: '0', lastEventId: '', filters: ['meta.domain=x', 'meta.domain!=canary'], lastId: null }]);
  assert.deepEqual(topics().slice(1), ['series', 'started', 'mode']);
  assert.deepEqual(controller.pageOnlyFilters(), ['n>3']);
});

test('Stream with nothing picked fails in words and stays idle', () => {
  const { controller, connection } = make('#/?');
  controller.start();
  assert.equal(controller.mode, 'idle');
  assert.equal(controller.status.state, 'failed');
  assert.equal(connection().connects.length, 0);
});

test('events join the store and the frame is announced; pause then resume continues from the last id', async () => {
  const { controller, emitted, connection } = make();
  await controller.loadCatalog();
  controller.start();
  connection().opened();
  connection().send({ topic: 'ta', partition: 0, offset: 7 }, { topic: 'ta', partition: 0, offset: 8 });
  assert.equal(controller.store.view.length, 2);
  assert.deepEqual(emitted.filter(([t]) => t === 'frame').map(([, p]) => p), [{ added: 2, dropped: 0 }]);

  controller.toggle();
  assert.equal(controller.mode, 'paused');
  assert.equal(controller.status.text, 'Paused: Resume continues from the last event');
  controller.toggle();
  assert.equal(controller.mode, 'live');
  assert.equal(connection().connects.at(-1).lastId, '[{"topic":"ta","partition":0,"offset":8}]');
});

test('pausing before any event resumes from when the stream started listening, not from a new now', async () => {
  const { controller, connection } = make();
  controller.start();
  connection().connectedAt = Date.parse('2026-12-01T10:00:00Z');
  controller.pause();
  controller.resume();
  assert.equal(connection().connects.at(-1).since, '2026-12-01T09:59:59.000Z');
});

test('a refused request stops the session: nothing to pause or resume', () => {
  const { controller, connection, topics } = make();
  controller.start();
  connection().status('failed', 'Refused (400): bad');
  assert.equal(controller.mode, 'stopped');
  assert.deepEqual(topics().slice(-2), ['mode', 'status']);
});

test('repeats are counted and said, not shown twice; Clear forgets them and the notices', () => {
  const { controller, connection } = make();
  controller.start();
  connection().send({ topic: 'ta', partition: 0, offset: 1, id: 'x' }, { topic: 'ta', partition: 0, offset: 2, id: 'y' });
  controller.setStart({ start: 'oldest' });
  connection().send({ topic: 'ta', partition: 0, offset: 1, id: 'x' }, { topic: 'ta', partition: 0, offset: 2, id: 'y' }, { topic: 'ta', partition: 0, offset: 3, id: 'z' });
  assert.equal(controller.store.view.length, 3);
  assert.match(controller.notices.get('repeats'), /^2 repeated events were not shown again/);
  controller.clear();
  assert.equal(controller.notices.size, 0);
  assert.equal(controller.store.all.length, 0);
  assert.equal(controller.stats.received, 0);
});

test('offsets going back within a subscription are shown and said', () => {
  const { controller, connection } = make();
  controller.start();
  connection().send({ topic: 'ta', partition: 0, offset: 29 }, { topic: 'ta', partition: 0, offset: 0 });
  assert.equal(controller.store.view.length, 2);
  assert.match(controller.notices.get('rewind ta/0'), /from 29 to 0/);
});

test('a start time before the retained data is said when the first event comes much later', () => {
  const { controller, connection } = make('#/?streams=a&since=2026-12-01T00:00:00Z');
  controller.start();
  connection().send({ topic: 'ta', partition: 0, offset: 0, dt: '2026-12-01T02:00:00Z' });
  assert.match(controller.notices.get('start'), /^No events retained between the start time/);
});

test('a start time in the future is said at once', () => {
  const { controller } = make(`#/?streams=a&since=${new Date(Date.now() + 3_600_000).toISOString()}`);
  controller.start();
  assert.match(controller.notices.get('start'), /is in the future/);
});

test('a new start while live reopens at once; while paused only Resume does', () => {
  const { controller, connection } = make();
  controller.start();
  controller.chooseStart('oldest');
  assert.equal(connection().connects.at(-1).since, '0');
  controller.pause();
  const before = connection().connects.length;
  controller.setStart({ start: 'id', lastEventId: '[{"topic":"ta","partition":0,"offset":5}]' });
  assert.equal(connection().connects.length, before);
  assert.equal(controller.status.text, 'Paused: Resume starts from the new start position');
  controller.resume();
  assert.equal(connection().connects.at(-1).lastId, '[{"topic":"ta","partition":0,"offset":5}]');
});

test('a quiet start change (typed in the start panel) updates only the URL', () => {
  const { controller, topics } = make();
  controller.setStart({ lastEventId: 'x' }, { quiet: true });
  assert.deepEqual(topics(), ['state']);
  assert.match(controller.hash, /streams=a/);
});

test('"last N events" asks the retention for the last N and starts where the server counted them back', async () => {
  let asked = null;
  const retention = async (streams, options) => {
    asked = [streams, options];
    const answer = new Map([['a', { oldest: 0, partitions: [{ topic: 'ta', partition: 0, low: 0, high: 10 }, { topic: 'ta', partition: 1, low: 8, high: 10 }] }]]);
    answer.last = { events: 6, id: '[{"topic":"ta","partition":0,"offset":5},{"topic":"ta","partition":1,"offset":8}]' };
    return answer;
  };
  const { controller, connection } = make('#/?streams=a&since=last:6', { retention });
  controller.start();
  assert.equal(controller.status.text, 'Finding the last 6 events…');
  await new Promise(setImmediate);
  assert.deepEqual(asked, [['a'], { last: 6 }]);
  assert.equal(connection().connects.at(-1).lastEventId, '[{"topic":"ta","partition":0,"offset":5},{"topic":"ta","partition":1,"offset":8}]');
  assert.equal(controller.retention.get('a').partitions.length, 2);
});

test('"last N events" where the server cannot say starts now and says why; stopped in between, nothing opens', async () => {
  const { controller, connection } = make('#/?streams=a&since=last:6');
  controller.start();
  await new Promise(setImmediate);
  assert.equal(connection().connects.at(-1).lastEventId, '');
  assert.match(controller.notices.get('start'), /cannot say where the last 6 events begin. The stream starts with the newest events instead/);

  controller.start();
  controller.stop();
  const count = connection().connects.length;
  await new Promise(setImmediate);
  assert.equal(connection().connects.length, count);
});

test('in upstream mode the retention is not asked', async () => {
  let asked = 0;
  const { controller } = make('#/?streams=a', { retention: async () => { asked++; return new Map(); } });
  controller.setSettings({ upstream: 'https://beta.example' });
  assert.equal(await controller.refreshRetention(), null);
  assert.equal(asked, 0);
});

test('adding a stream while live keeps the positions of the streams that stay and starts the new topic now', async () => {
  const { controller, connection } = make();
  await controller.loadCatalog();
  controller.start();
  connection().send({ topic: 'ta', partition: 0, offset: 4 });
  controller.toggleStream('b', true);
  assert.deepEqual(controller.state.streams, ['a', 'b']);
  assert.equal(connection().connects.at(-1).lastEventId, '[{"topic":"ta","partition":0,"offset":4},"tb"]');
  controller.toggleStream('b', true); // already there: nothing happens
  assert.equal(connection().connects.length, 2);
  controller.toggleStream('a', false);
  controller.toggleStream('b', false);
  assert.equal(controller.mode, 'stopped');
});

test('an alias\'s events are charted under the alias picked', async () => {
  const { controller, connection } = make('#/?streams=alias-a');
  await controller.loadCatalog();
  controller.start();
  connection().send({ topic: 'ta', partition: 0, offset: 1, stream: 'a', dt: new Date().toISOString() });
  assert.equal(controller.rates.total(), 1);
  assert.deepEqual(controller.rates.streams, ['alias-a']);
});

test('a server filter change while live reconnects once, after typing settles, from the last event', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { controller, connection } = make();
  controller.start();
  connection().send({ topic: 'ta', partition: 0, offset: 3 });
  assert.equal(controller.addFilter('not a filter'), false);
  assert.equal(controller.addFilter('meta.domain = x'), true);
  controller.setHideCanary(true);
  assert.equal(controller.status.text, 'Applying the filters…');
  const before = connection().connects.length;
  t.mock.timers.tick(300);
  assert.equal(connection().connects.length, before + 1);
  assert.deepEqual(connection().connects.at(-1).filters, ['meta.domain=x', 'meta.domain!=canary']);
  assert.equal(connection().connects.at(-1).lastId, '[{"topic":"ta","partition":0,"offset":3}]');
  controller.removeFilter('meta.domain=x');
  assert.deepEqual(controller.state.filters, []);
});

test('the text filter and page-only filters narrow the list without reconnecting', () => {
  const { controller, connection } = make();
  controller.start();
  connection().send({ topic: 'ta', partition: 0, offset: 3 }, { topic: 'ta', partition: 0, offset: 5 });
  controller.addFilter('n > 4');
  assert.equal(controller.store.view.length, 1);
  controller.setText('"n":3');
  assert.equal(controller.store.view.length, 0);
  assert.equal(connection().connects.length, 1);
});

test('setMax clamps, trims the kept events and is announced', () => {
  const { controller, topics } = make();
  assert.equal(controller.setMax('5'), 100);
  assert.equal(controller.setMax('999999'), 200_000);
  assert.equal(controller.store.max, 200_000);
  assert.deepEqual(topics().slice(-3), ['view', 'max', 'state']);
});

test('switching transport while live carries on from the last id over the new one', () => {
  const { controller, connection } = make();
  controller.start();
  connection().send({ topic: 'ta', partition: 0, offset: 9 });
  const old = connection();
  controller.setTransport('signalr');
  assert.notEqual(connection(), old);
  assert.equal(controller.state.transport, 'signalr');
  assert.equal(connection().connects.at(-1).lastId, '[{"topic":"ta","partition":0,"offset":9}]');
  controller.setTransport('carrier-pigeon');
  assert.equal(controller.state.transport, 'signalr');
});

test('"validation errors" opens the stream\'s error stream filtered on it, from an hour ago, streaming', async () => {
  const { controller, connection } = make('#/?streams=a&max=500');
  await controller.loadCatalog();
  controller.showValidationErrors('a');
  assert.deepEqual(controller.state.streams, ['svc.error.validation']);
  assert.deepEqual(controller.state.filters, ['errored_stream_name=a']);
  assert.equal(controller.state.since, '-1h');
  assert.equal(controller.state.max, 500);
  assert.equal(controller.mode, 'live');
  assert.equal(connection().connects.length, 1);
});

test('"validation errors" without any error stream says so and changes nothing', () => {
  const { controller } = make();
  controller.showValidationErrors('a');
  assert.match(controller.notices.get('validation'), /no validation-error stream/);
  assert.deepEqual(controller.state.streams, ['a']);
});

test('replace takes a whole view: closes the old connection, idles, or streams when asked', () => {
  const { controller, connection, topics } = make();
  controller.start();
  const old = connection();
  controller.replace({ ...emptyState(), streams: ['b'], transport: 'signalr' }, { autostart: false });
  assert.ok(old.closes > 0);
  assert.equal(controller.mode, 'idle');
  assert.equal(controller.status.state, 'idle');
  assert.ok(Object.isFrozen(controller.state));
  assert.deepEqual(topics().slice(-6), ['replaced', 'view', 'status', 'state', 'status', 'mode']);
  controller.replace(fromHash('#/?streams=b'), { autostart: true });
  assert.equal(controller.mode, 'live');
});

test('a new view never announces the closed connection as open before its own connection is open', async () => {
  const { controller, emitted, connection } = make();
  await controller.loadCatalog();
  controller.start();
  connection().opened();
  const from = emitted.length;
  controller.showStream('b');
  const statuses = emitted.slice(from).filter(([t]) => t === 'status').map(([, s]) => s.state);
  assert.ok(!statuses.includes('open'), `statuses after showStream: ${statuses}`);
  connection().opened();
  assert.equal(emitted.at(-1)[1].state, 'open');
});

test('"start after this event" starts at the next offset of its own partition', () => {
  const { controller } = make();
  controller.startAfter({ id: '[{"topic":"ta","partition":0,"timestamp":5},{"topic":"ta","partition":1,"offset":2}]', topic: 'ta', partition: 0, offset: 41 });
  assert.equal(controller.state.start, 'id');
  assert.equal(controller.state.lastEventId, '[{"topic":"ta","partition":0,"offset":42},{"topic":"ta","partition":1,"offset":2}]');
});

// ---- a time window and "Load older" (window.js) ----------------------------------------------------------------------
const settle = () => new Promise(setImmediate);

/** Retention of stream a (topic ta, partitions 0 and 1); `at` offsets from a function of the time asked. */
function retentionOf(atOffsets) {
  return async (streams, { at } = {}) => {
    const offsets = at === undefined ? null : atOffsets(at);
    return new Map([['a', {
      oldest: 0,
      partitions: [{ topic: 'ta', partition: 0, low: 0, high: 20 }, { topic: 'ta', partition: 1, low: 0, high: 5 }]
        .map((p) => (offsets ? { ...p, at: offsets[p.partition] } : p)),
    }]]);
  };
}

test('a window reads each partition from the start time to the end time exactly, without server filters, then stops and says so', async () => {
  const from = Date.parse('2026-12-01T00:00:00Z');
  const until = Date.parse('2026-12-01T01:00:00Z');
  const asked = [];
  const { controller, connection } = make('#/?streams=a&since=2026-12-01T00:00:00Z&until=2026-12-01T01:00:00Z&filter=meta.domain%3Dx', {
    retention: retentionOf((at) => {
      asked.push(at);
      return at === from ? [3, 5] : [6, 5];
    }),
  });
  controller.start();
  await settle();
  assert.deepEqual(asked, [from, until + 1]);
  const request = connection().connects.at(-1);
  assert.equal(request.lastId, '[{"topic":"ta","partition":0,"offset":3}]'); // a/1 has nothing in the window
  assert.deepEqual(request.filters, []);
  assert.deepEqual(controller.serverFilters(), []);
  connection().send({ topic: 'ta', partition: 0, offset: 3 }, { topic: 'ta', partition: 0, offset: 4 });
  assert.equal(controller.mode, 'live');
  connection().send({ topic: 'ta', partition: 0, offset: 5 }, { topic: 'ta', partition: 0, offset: 6 }, { topic: 'ta', partition: 1, offset: 5 });
  assert.deepEqual(controller.store.all.map((r) => r.offset), [3, 4, 5]);
  assert.equal(controller.stats.outside, 2);
  assert.equal(controller.mode, 'stopped');
  assert.match(controller.status.text, /^Stopped at the end of the window/);
  assert.match(controller.notices.get('window'), /stopped after the last event at or before that time in every partition \(3 events in the window\)/);
});

test('a window ending in the future reads live until then; what came past the end leaves the list', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.parse('2026-12-01T00:30:00Z') });
  const { controller, connection } = make('#/?streams=a&since=2026-12-01T00:00:00Z&until=2026-12-01T01:00:00Z', {
    retention: retentionOf((at) => (at === Date.parse('2026-12-01T00:00:00Z') ? [3, 5] : [5, 5])),
  });
  controller.start();
  await settle();
  connection().send({ topic: 'ta', partition: 0, offset: 3 }, { topic: 'ta', partition: 0, offset: 4 }, { topic: 'ta', partition: 0, offset: 5 });
  assert.equal(controller.store.all.length, 3);
  t.mock.timers.tick(31 * 60_000);
  await settle();
  assert.deepEqual(controller.store.all.map((r) => r.offset), [3, 4]);
  assert.equal(controller.mode, 'stopped');
});

test('without retention a window says it cannot stop at the end, and streams', async () => {
  const { controller, connection } = make('#/?streams=a&until=2026-12-01T01:00:00Z');
  controller.start();
  await settle();
  assert.match(controller.notices.get('window'), /could not say where the window begins and ends/);
  assert.equal(connection().connects.length, 1);
});

test('"Load older" reads the page right before the oldest kept event of each partition and puts it first', async () => {
  const { controller, connection, emitted } = make('#/?streams=a', { retention: retentionOf(() => [0, 0]) });
  await controller.loadCatalog();
  controller.start();
  connection().send({ topic: 'ta', partition: 0, offset: 18, dt: '2026-12-01T00:00:18Z' }, { topic: 'ta', partition: 0, offset: 19, dt: '2026-12-01T00:00:19Z' });
  const loading = controller.loadOlder();
  await settle();
  const older = FakeTransport.made.at(-1);
  assert.notEqual(older, connection());
  // 100 over two partitions: a/0 from 0 (its low) to 18, a/1 (nothing kept) from 0 to its high, 5.
  assert.equal(older.connects[0].lastId, '[{"topic":"ta","partition":0,"offset":0},{"topic":"ta","partition":1,"offset":0}]');
  assert.deepEqual(older.connects[0].filters, []);
  assert.equal(controller.older.loading, true);
  const events = [];
  for (let o = 0; o < 19; o++) {
    events.push({ topic: 'ta', partition: 0, offset: o, dt: `2026-12-01T00:00:${String(o).padStart(2, '0')}Z` });
  }
  older.send(...events); // 18 is already in the list: not taken again
  assert.equal(controller.older.loading, true);
  older.send(...[0, 1, 2, 3, 4].map((o) => ({ topic: 'ta', partition: 1, offset: o, dt: '2026-12-01T00:00:30Z' })));
  await loading;
  assert.ok(older.closes > 0);
  assert.deepEqual(controller.store.all.map((r) => `${r.partition}/${r.offset}`),
    [...[...Array(18).keys()].map((o) => `0/${o}`), '1/0', '1/1', '1/2', '1/3', '1/4', '0/18', '0/19']);
  assert.equal(controller.stats.duplicates, 0);
  assert.deepEqual(emitted.filter(([t]) => t === 'view').at(-1), ['view', -23]);
  assert.equal(controller.older.text, 'Loaded 23 older events: the list now starts at the oldest retained event.');
  await controller.loadOlder();
  assert.equal(controller.older.text, 'Nothing older: the list starts at the oldest retained event.');
});

test('"Load older" into a full list asks to raise the number kept', async () => {
  const { controller, connection } = make('#/?streams=a&max=100', { retention: retentionOf(() => [0, 0]) });
  controller.start();
  connection().send(...[...Array(100).keys()].map((o) => ({ topic: 'ta', partition: 0, offset: 100 + o })));
  await controller.loadOlder();
  assert.match(controller.older.text, /^The list is full \(100 kept\)/);
});

test('SSE goes by EventSource unless the page needs headers: an id too long for a URL, or filters a server may ignore', async () => {
  const { eventSourceFits, MAX_URL_LENGTH } = await import('../src/connection.js');
  assert.equal(eventSourceFits('/v2/stream/a', { filters: [], settings: null }), false); // no EventSource here (node)
  globalThis.EventSource = class {};
  try {
    const local = { upstream: null };
    assert.equal(eventSourceFits('/v2/stream/a', { filters: [], settings: null }), true);
    assert.equal(eventSourceFits('/v2/stream/a?filter=x%3D1', { filters: ['x=1'], settings: local }), true);
    assert.equal(eventSourceFits(`/v2/stream/a?last_event_id=${'x'.repeat(MAX_URL_LENGTH)}`, { filters: [], settings: local }), false);
    assert.equal(eventSourceFits('/v2/stream/a?filter=x%3D1', { filters: ['x=1'], settings: { upstream: 'https://beta.example' } }), false);
    assert.equal(eventSourceFits('/v2/stream/a?filter=x%3D1', { filters: ['x=1'], settings: null }), false);
    assert.equal(eventSourceFits('/v2/stream/a', { filters: [], settings: { upstream: 'https://beta.example' } }), true);
  } finally {
    delete globalThis.EventSource;
  }
});
