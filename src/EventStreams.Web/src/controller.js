// The page's one source of truth: the view (state.js), the catalogue, the streaming mode, the connection and its
// status, and the kept events. Panels (panels/*.js) call its commands and subscribe to what changed:
//   'streams'    the selected streams changed              'start'     the start position changed
//   'filters'    text, field filters or canary changed     'max'       the number of kept events changed
//   'transport'  SSE / SignalR                             'state'     any of the above (the URL follows it)
//   'replaced'   a whole new view (a link, a saved view)   'catalog'   the catalogue arrived
//   'mode'       idle | live | paused | stopped            'status'    the connection's status in words
//   'frame'      {added, dropped}: events joined the list  'view'      the list was rebuilt (filter, clear, max)
//   'series'     changed: the chart's streams were set      'started'   a new subscription began
//   'cleared'    Clear was pressed                         'notices'   the notices changed (things the page must say)
//   'retention'  how far back the selected streams go (v2/retention) arrived
import { StreamConnection } from './connection.js';
import { HubStreamConnection } from './hub.js';
import { loadCatalog, validationStreamsFor, realStream } from './catalog.js';
import { EventStore } from './store.js';
import { EventIngest } from './ingest.js';
import { RateCounts } from './rates.js';
import { parseFilter, filterText, compileView } from './filters.js';
import { toHash, sinceOf, emptyState } from './state.js';
import { idAfter, idForTopics, topicsOf, clampMax } from './protocol.js';
import { formatFull } from './time.js';
import { loadRetention, lastEventsId } from './retention.js';

// A first event this much later than the start time asked for means the data from before it is not there.
const GAP_MS = 60_000;

const TRANSPORTS = { sse: StreamConnection, signalr: HubStreamConnection };
const IDLE = { state: 'idle', text: 'Idle: pick streams and press Stream', serverFilters: false };

export class Controller {
  constructor(state) {
    this.state = state;
    this.catalog = [];
    this.mode = 'idle'; // idle | live | paused | stopped
    this.status = { ...IDLE };
    this.listeners = new Map();
    this.notices = new Map(); // key -> text: what the page must say (repeats dropped, offsets going back, a start moved)
    this.repeatsFrom = 0;
    // Figures for the rendering measurement (docs/UI.md): read by the browser tests through window.eventStreamsUi.
    this.stats = {
      received: 0, shown: 0, skipped: 0, duplicates: 0, rewinds: 0, invalid: 0, frames: 0, maxFrameMs: 0, maxBatch: 0,
      longFrames: 0, maxLongFrameMs: 0, longFrameLog: [], interactions: 0, maxInteractionMs: 0,
    };
    this.store = new EventStore(state.max);
    this.rates = new RateCounts();
    this.ingest = new EventIngest({
      store: this.store,
      rates: this.rates,
      stats: this.stats,
      onFrame: (added, dropped) => {
        this.emit('frame', { added, dropped });
        this.reportRepeats();
      },
      onRewind: (r) => this.notice(`rewind ${r.topic}/${r.partition}`,
        `Offsets went back in ${r.topic} partition ${r.partition} (from ${r.from} to ${r.to}): the topic was recreated or `
        + 'the server now reads another cluster. These are new events and are shown.'),
      onFirst: (record) => this.checkStartGap(record),
    });
    this.ingest.chartBy = state.chart;
    this.handlers = {
      onEvents: (batch) => this.ingest.receive(batch),
      onStatus: (status) => this.setStatus(status),
    };
    this.connection = new TRANSPORTS[state.transport](this.handlers);
    this.serverFilterTimer = 0;
    this.retention = new Map(); // stream -> {oldest, partitions}, from v2/retention (none in upstream mode)
    this.lastNId = ''; // the id the 'last N events' start resolved to at its last start
    this.startToken = 0;
  }

  // ---- subscriptions ------------------------------------------------------------------------------------------
  /** Calls `listener(payload)` whenever `topic` happens; returns a function that unsubscribes. */
  on(topic, listener) {
    if (!this.listeners.has(topic)) {
      this.listeners.set(topic, new Set());
    }
    this.listeners.get(topic).add(listener);
    return () => this.listeners.get(topic).delete(listener);
  }

  emit(topic, payload) {
    for (const listener of this.listeners.get(topic) ?? []) {
      listener(payload);
    }
  }

  setStatus(status) {
    this.status = status;
    if (status.state === 'failed' && (this.mode === 'live' || this.mode === 'paused')) {
      // Refused: nothing to pause, resume or stop any more.
      this.mode = 'stopped';
      this.emit('mode', this.mode);
    }
    this.emit('status', status);
  }

  // ---- notices: what the page must say rather than do silently -------------------------------------------------
  notice(key, text) {
    if (this.notices.get(key) !== text) {
      this.notices.set(key, text);
      this.emit('notices', this.notices);
    }
  }

  dismiss(key) {
    if (this.notices.delete(key)) {
      this.emit('notices', this.notices);
    }
  }

  reportRepeats() {
    const n = this.stats.duplicates - this.repeatsFrom;
    if (n > 0) {
      this.notice('repeats', `${n.toLocaleString('en')} repeated ${n === 1 ? 'event was' : 'events were'} not shown again: `
        + 'the list already has them (same meta.id, or same position and text).');
    }
  }

  /** Says when a start time is outside the retained data, rather than silently starting elsewhere. */
  checkStartRequest() {
    this.dismiss('start');
    const since = Date.parse(sinceOf(this.state));
    this.startedAt = this.state.start === 'time' && !Number.isNaN(since) ? since : null;
    if (this.startedAt !== null && this.startedAt > Date.now() + 5000) {
      this.notice('start', `The start time ${formatFull(this.startedAt)} is in the future: the stream starts with the newest events.`);
      this.startedAt = null;
    }
  }

  checkStartGap(record) {
    if (this.startedAt !== null && this.startedAt !== undefined && record.time - this.startedAt > GAP_MS) {
      this.notice('start', `No events retained between the start time ${formatFull(this.startedAt)} and the first event, `
        + `${formatFull(record.time)}: older events have expired (or there were none), so the stream starts there.`);
    }
    this.startedAt = null;
  }

  setMode(mode) {
    this.mode = mode;
    this.emit('mode', mode);
  }

  /** Something in the view changed: tell who shows it, then the URL. */
  changed(topic) {
    if (topic) {
      this.emit(topic, this.state);
    }
    this.emit('state', this.state);
  }

  get hash() {
    return toHash(this.state);
  }

  // ---- the catalogue --------------------------------------------------------------------------------------------
  async loadCatalog() {
    try {
      this.catalog = await loadCatalog();
    } catch (e) {
      this.catalog = [];
      console.warn('No catalogue', e);
    }
    this.emit('catalog', this.catalog);
  }

  // ---- streaming ------------------------------------------------------------------------------------------------
  /** The field filters sent to the server (`?filter=`), canary included. */
  serverFilters() {
    const filters = [...this.state.filters];
    if (this.state.hideCanary) {
      filters.push('meta.domain!=canary');
    }
    return filters.filter((f) => parseFilter(f)?.server === true);
  }

  /** The field filters only the page can run (IN, contains, regex, numeric comparisons). */
  pageOnlyFilters() {
    return this.state.filters.filter((f) => parseFilter(f)?.server === false);
  }

  /** The Stream / Pause / Resume button. */
  toggle() {
    if (this.mode === 'live') {
      this.pause();
    } else if (this.mode === 'paused') {
      this.resume();
    } else {
      this.start();
    }
  }

  start() {
    const state = this.state;
    if (state.streams.length === 0) {
      this.setStatus({ state: 'failed', text: 'Pick at least one stream first' });
      return;
    }
    this.mode = 'live';
    this.ingest.reset({ streams: state.streams, aliasOf: this.setChartStreams() });
    this.rates.restart(Date.now());
    this.emit('started');
    this.checkStartRequest();
    this.openStart();
    this.emit('mode', this.mode);
  }

  /**
   * Opens the connection at the start position (paused: readies it for Resume); for "last N events" first asks the
   * server how far each partition goes (a start changed or stopped in the meantime wins).
   */
  openStart() {
    const token = ++this.startToken;
    const open = () => (this.mode === 'paused' ? this.connection.prepare(this.startRequest()) : this.connection.open(this.startRequest()));
    if (this.state.start !== 'last') {
      open();
      return;
    }
    const { streams, lastN } = this.state;
    this.setStatus({ state: 'connecting', text: `Finding the last ${lastN.toLocaleString('en')} events…` });
    this.refreshRetention(streams).then((retention) => {
      if (token !== this.startToken || (this.mode !== 'live' && this.mode !== 'paused')) {
        return;
      }
      this.lastNId = retention ? lastEventsId(retention, streams, lastN) : '';
      if (!this.lastNId) {
        const why = this.settings?.upstream ? ': in upstream mode it has no retention route to ask' : '';
        this.notice('start', `This server cannot say where the last ${lastN.toLocaleString('en')} events begin${why}. `
          + 'The stream starts with the newest events instead.');
      }
      open();
      if (this.mode === 'paused') {
        this.setStatus({ state: 'paused', text: 'Paused: Resume starts from the new start position' });
      }
    });
  }

  /** Asks v2/retention about `streams` (not in upstream mode); the answer is kept and announced as 'retention'. */
  async refreshRetention(streams = this.state.streams) {
    if (this.settings?.upstream) {
      return null;
    }
    const retention = await loadRetention(streams);
    if (retention) {
      for (const [name, r] of retention) {
        this.retention.set(name, r);
      }
      this.emit('retention', this.retention);
    }
    return retention;
  }

  /** What the start position asks the server for. */
  startRequest() {
    const state = this.state;
    return {
      streams: state.streams,
      since: sinceOf(state),
      lastEventId: state.start === 'id' ? state.lastEventId : state.start === 'last' ? this.lastNId : '',
      filters: this.serverFilters(),
    };
  }

  /**
   * The start changed while live or paused: the view on screen follows the one in the URL. Live reads from the new
   * start at once; paused, Resume does. The list stays (events it already has are not repeated).
   */
  applyStart() {
    if (this.mode !== 'live' && this.mode !== 'paused') {
      return;
    }
    this.ingest.newEpoch();
    this.checkStartRequest();
    if (this.mode === 'paused') {
      this.openStart();
      this.setStatus({ state: 'paused', text: 'Paused: Resume starts from the new start position' });
    } else {
      this.openStart();
    }
  }

  /** Chart series for the selected streams; returns stream -> the selected alias to count its events under. */
  setChartStreams() {
    const aliasOf = new Map();
    for (const name of this.state.streams) {
      const target = this.catalog.find((c) => c.name === name)?.aliasOf;
      if (target && !this.state.streams.includes(target)) {
        aliasOf.set(target, name);
      }
    }
    this.emit('series', this.rates.setStreams(this.state.streams));
    return aliasOf;
  }

  /** "Retry now" while the connection backs off after a failure. */
  retryNow() {
    this.connection.retryNow();
  }

  pause() {
    this.connection.holdStart();
    this.connection.close();
    this.mode = 'paused';
    this.setStatus({ state: 'paused', text: this.connection.lastId ? 'Paused: Resume continues from the last event' : 'Paused' });
    this.emit('mode', this.mode);
  }

  resume() {
    this.mode = 'live';
    this.connection.resume(this.serverFilters());
    this.emit('mode', this.mode);
  }

  stop() {
    this.startToken++;
    this.connection.close();
    this.mode = 'stopped';
    this.setStatus({ state: 'idle', text: 'Stopped' });
    this.emit('mode', this.mode);
  }

  clear() {
    this.store.clear();
    this.ingest.clear();
    this.rates.clear(Date.now());
    this.stats.received = 0;
    this.repeatsFrom = this.stats.duplicates;
    this.notices.clear();
    this.emit('notices', this.notices);
    this.emit('cleared');
    this.emit('view');
  }

  /** The selection changed while streaming: keep the position of the streams that stay, start the new ones now. */
  restartForSelection() {
    if (this.mode !== 'live' && this.mode !== 'paused') {
      return;
    }
    const state = this.state;
    if (state.streams.length === 0) {
      this.stop();
      return;
    }
    this.ingest.setStreams({ streams: state.streams, aliasOf: this.setChartStreams() });
    const lastEventId = idForTopics(this.connection.lastId, topicsOf(state.streams, this.catalog));
    const request = { streams: state.streams, since: '', lastEventId, filters: this.serverFilters() };
    if (this.mode === 'paused') {
      this.connection.prepare(request);
    } else {
      this.connection.open(request);
    }
  }

  // ---- the view -------------------------------------------------------------------------------------------------
  toggleStream(name, on) {
    const had = this.state.streams.includes(name);
    if (on && !had) {
      this.state.streams = [...this.state.streams, name];
    } else if (!on && had) {
      this.state.streams = this.state.streams.filter((s) => s !== name);
    } else {
      return;
    }
    this.changed('streams');
    this.restartForSelection();
  }

  /**
   * Sets some of {start, since, lastEventId}. `quiet` for a change typed into the start panel itself: only the URL
   * follows, the panel is not redrawn under the typing.
   */
  setStart(change, { quiet = false } = {}) {
    const position = () => sinceOf(this.state) + (this.state.start === 'id' ? this.state.lastEventId : '')
      + (this.state.start === 'last' ? `last:${this.state.lastN}` : '');
    const before = position();
    Object.assign(this.state, change);
    this.changed(quiet ? null : 'start');
    if (position() !== before || change.start !== undefined) {
      this.applyStart();
    }
  }

  /** Plot the chart by event time ('event') or by arrival ('arrival'); the counts so far start over. */
  setChartBy(by) {
    this.state.chart = by === 'arrival' ? 'arrival' : 'event';
    this.ingest.chartBy = this.state.chart;
    this.rates.clear(Date.now());
    this.changed('chart');
  }

  /** A start choice (now, oldest, last, time, id); a point in time starts 15 minutes ago until one is picked. */
  chooseStart(start) {
    const change = { start };
    if (start === 'time' && !this.state.since) {
      change.since = new Date(Date.now() - 15 * 60_000).toISOString();
    }
    this.setStart(change);
  }

  /**
   * "Validation errors for this stream": its error stream (from the catalogue's destination_event_service, else every
   * error stream) filtered on errored_stream_name (of the real stream: an alias's errors name its target), from an
   * hour ago (or `since`).
   */
  showValidationErrors(name, { since = '-1h' } = {}) {
    const streams = validationStreamsFor(name, this.catalog);
    const real = realStream(name, this.catalog);
    if (streams.length === 0) {
      this.notice('validation', `The catalogue has no validation-error stream, so there are no rejected events of ${name} to show.`);
      return;
    }
    const s = this.state;
    this.replace({
      ...emptyState(),
      streams,
      start: 'time',
      since,
      filters: [`errored_stream_name=${real}`],
      max: s.max,
      transport: s.transport,
      chart: s.chart,
    }, { autostart: true });
  }

  /** "= this" / "≠ this" on a field of an event. */
  filterOn(pathText, value, negated) {
    return this.addFilter(`${pathText}${negated ? '!=' : '='}${value}`);
  }

  /** Tails `stream` live from now on its own (keeping the number of kept events, the transport and the chart). */
  showStream(stream) {
    const s = this.state;
    this.replace({ ...emptyState(), streams: [stream], max: s.max, transport: s.transport, chart: s.chart }, { autostart: true });
  }

  /** "Start after this event". */
  startAfter(record) {
    this.setStart({ start: 'id', lastEventId: idAfter(record) });
  }

  setText(text) {
    this.state.text = text;
    this.changed('filters');
    this.applyFilters({ server: false });
  }

  /** Adds a field filter from its text; returns false when it is not a filter. */
  addFilter(text) {
    const parsed = parseFilter(text);
    if (!parsed) {
      return false;
    }
    const normal = filterText(parsed);
    if (!this.state.filters.includes(normal)) {
      this.state.filters = [...this.state.filters, normal];
    }
    this.changed('filters');
    this.applyFilters({ server: true });
    return true;
  }

  removeFilter(text) {
    this.state.filters = this.state.filters.filter((x) => x !== text);
    this.changed('filters');
    this.applyFilters({ server: true });
  }

  setHideCanary(hide) {
    this.state.hideCanary = hide;
    this.changed('filters');
    this.applyFilters({ server: true });
  }

  setMax(value) {
    const max = clampMax(value);
    this.state.max = max;
    const dropped = this.store.setMax(max);
    this.emit('view', dropped);
    this.changed('max');
    return max;
  }

  applyFilters({ server }) {
    const s = this.state;
    this.store.setPredicate(compileView({ text: s.text, filters: s.filters.map(parseFilter).filter(Boolean), hideCanary: s.hideCanary }));
    this.emit('view');
    if (server && this.mode === 'live') {
      // Stop reading with the old filters at once, then reconnect from the last shown event with the new ones: events
      // the old filters held back since then are sent again and judged by the new filters, so loosening loses nothing.
      this.connection.close();
      this.status = { state: 'connecting', text: 'Applying the filters…' };
      clearTimeout(this.serverFilterTimer);
      this.serverFilterTimer = setTimeout(() => {
        if (this.mode === 'live') {
          this.connection.resume(this.serverFilters());
        }
      }, 300);
    }
    this.emit('status', this.status);
  }

  /** Switch between SSE and SignalR; a live or paused view carries on from its last event over the new transport. */
  setTransport(name) {
    if (!TRANSPORTS[name] || name === this.state.transport) {
      return;
    }
    const old = this.connection;
    old.close();
    this.state.transport = name;
    this.connection = new TRANSPORTS[name](this.handlers);
    if (old.request) {
      this.connection.prepare({ ...old.request, lastEventId: old.lastId ?? old.request.lastEventId ?? '' });
      if (this.mode === 'live') {
        this.connection.resume(this.serverFilters());
      }
    }
    this.changed('transport');
  }

  /** A whole new view (the URL changed, a saved view opened): stop, show it, and stream it when asked. */
  replace(next, { autostart }) {
    this.connection.close();
    this.mode = 'idle';
    this.state = next;
    this.connection = new TRANSPORTS[next.transport](this.handlers);
    this.ingest.chartBy = next.chart;
    this.store.setMax(next.max);
    this.emit('replaced', next);
    this.applyFilters({ server: false });
    this.emit('state', next);
    if (autostart && next.streams.length > 0) {
      this.start();
    } else {
      this.setStatus({ ...IDLE });
      this.emit('mode', this.mode);
    }
  }
}
