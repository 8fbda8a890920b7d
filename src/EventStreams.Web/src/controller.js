// The page's one source of truth: the view (state.js), the catalogue, the streaming mode, the connection and its
// status, and the kept events. Panels (panels/*.js) call its commands and subscribe to what changed:
//   'streams'    the selected streams changed              'start'     the start position changed
//   'filters'    text, field filters or canary changed     'max'       the number of kept events changed
//   'transport'  SSE / SignalR                             'state'     any of the above (the URL follows it)
//   'replaced'   a whole new view (a link, a saved view)   'catalog'   the catalogue arrived
//   'mode'       idle | live | paused | stopped            'status'    the connection's status in words
//   'frame'      {added, dropped}: events joined the list  'view'      the list was rebuilt (filter, clear, max)
//   'series'     changed: the chart's streams were set      'started'   a new subscription began
//   'cleared'    Clear was pressed
import { StreamConnection } from './connection.js';
import { HubStreamConnection } from './hub.js';
import { loadCatalog } from './catalog.js';
import { EventStore } from './store.js';
import { EventIngest } from './ingest.js';
import { RateCounts } from './rates.js';
import { parseFilter, filterText, compileView } from './filters.js';
import { toHash, sinceOf } from './state.js';
import { idAfter, idForTopics, topicsOf, clampMax } from './protocol.js';

const TRANSPORTS = { sse: StreamConnection, signalr: HubStreamConnection };
const IDLE = { state: 'idle', text: 'Idle: pick streams and press Stream', serverFilters: false };

export class Controller {
  constructor(state) {
    this.state = state;
    this.catalog = [];
    this.mode = 'idle'; // idle | live | paused | stopped
    this.status = { ...IDLE };
    this.listeners = new Map();
    // Figures for the rendering measurement (docs/UI.md): read by the browser tests through window.eventStreamsUi.
    this.stats = {
      received: 0, shown: 0, skipped: 0, duplicates: 0, invalid: 0, frames: 0, maxFrameMs: 0, maxBatch: 0,
      longFrames: 0, maxLongFrameMs: 0, longFrameLog: [], interactions: 0, maxInteractionMs: 0,
    };
    this.store = new EventStore(state.max);
    this.rates = new RateCounts();
    this.ingest = new EventIngest({
      store: this.store,
      rates: this.rates,
      stats: this.stats,
      onFrame: (added, dropped) => this.emit('frame', { added, dropped }),
    });
    this.handlers = {
      onEvents: (batch) => this.ingest.receive(batch),
      onStatus: (status) => this.setStatus(status),
    };
    this.connection = new TRANSPORTS[state.transport](this.handlers);
    this.serverFilterTimer = 0;
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
    this.emit('status', status);
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
    return filters.filter((f) => parseFilter(f) !== null);
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
    this.connection.open({
      streams: state.streams,
      since: sinceOf(state),
      lastEventId: state.start === 'id' ? state.lastEventId : '',
      filters: this.serverFilters(),
    });
    this.emit('mode', this.mode);
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
    this.connection.close();
    this.mode = 'stopped';
    this.setStatus({ state: 'idle', text: 'Stopped' });
    this.emit('mode', this.mode);
  }

  clear() {
    this.store.clear();
    this.ingest.clear();
    this.stats.received = 0;
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
    Object.assign(this.state, change);
    this.changed(quiet ? null : 'start');
  }

  /** A start choice (now, oldest, time, id); a point in time starts 15 minutes ago until one is picked. */
  chooseStart(start) {
    const change = { start };
    if (start === 'time' && !this.state.since) {
      change.since = new Date(Date.now() - 15 * 60_000).toISOString();
    }
    this.setStart(change);
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
