// The streaming session: the mode (idle | live | paused | stopped), the connection and its status, the kept events
// (store.js), the per-second counts (rates.js), the notices (what the page must say rather than do silently) and how
// far back the selected streams go. It reads the view through the controller and tells the panels through its topics.
// No DOM: the transports, the retention request and the frame scheduler are given to it (the unit tests give fakes).
import { EventStore } from './store.js';
import { EventIngest } from './ingest.js';
import { RateCounts } from './rates.js';
import { sinceOf } from './state.js';
import { idForTopics, topicsOf } from './protocol.js';
import { formatFull } from './time.js';
import { lastEventsId } from './retention.js';
import { serverFilters, startRequest, aliasesOf, viewPredicate } from './view.js';

// A first event this much later than the start time asked for means the data from before it is not there.
const GAP_MS = 60_000;
// A change of server-side filters reconnects once typing has settled for this long.
const FILTER_RECONNECT_MS = 300;

export const IDLE = Object.freeze({ state: 'idle', text: 'Idle: pick streams and press Stream', serverFilters: false });

export class Session {
  /**
   * @param {object} options
   * @param {{emit: Function}} options.topics where the session says what changed
   * @param {{view: () => object, catalog: () => object[], settings: () => object|null}} options.page what it reads
   * @param {Record<string, Function>} options.transports connection classes by name ({sse, signalr})
   * @param {(streams: string[]) => Promise<Map|null>} options.loadRetention v2/retention
   * @param {(flush: () => void) => void} [options.schedule] when to lay out queued events (default: next frame)
   */
  constructor({ topics, page, transports, loadRetention, schedule }) {
    this.topics = topics;
    this.page = page;
    this.transports = transports;
    this.loadRetention = loadRetention;
    this.mode = 'idle';
    this.status = { ...IDLE };
    this.notices = new Map(); // key -> text: what the page must say (repeats dropped, offsets going back, a start moved)
    this.repeatsFrom = 0;
    // Figures for the rendering measurement (docs/UI.md): read by the browser tests through window.eventStreamsUi.
    this.stats = {
      received: 0, shown: 0, skipped: 0, duplicates: 0, rewinds: 0, invalid: 0, frames: 0, maxFrameMs: 0, maxBatch: 0,
      longFrames: 0, maxLongFrameMs: 0, longFrameLog: [], interactions: 0, maxInteractionMs: 0,
    };
    const view = page.view();
    this.store = new EventStore(view.max);
    this.rates = new RateCounts();
    this.ingest = new EventIngest({
      store: this.store,
      rates: this.rates,
      stats: this.stats,
      schedule,
      onFrame: (added, dropped) => {
        this.emit('frame', { added, dropped });
        this.reportRepeats();
      },
      onRewind: (r) => this.notice(`rewind ${r.topic}/${r.partition}`,
        `Offsets went back in ${r.topic} partition ${r.partition} (from ${r.from} to ${r.to}): the topic was recreated or `
        + 'the server now reads another cluster. These are new events and are shown.'),
      onFirst: (record) => this.checkStartGap(record),
    });
    this.ingest.chartBy = view.chart;
    this.handlers = {
      onEvents: (batch) => this.ingest.receive(batch),
      onStatus: (status) => this.setStatus(status),
    };
    this.connection = new transports[view.transport](this.handlers);
    this.serverFilterTimer = 0;
    this.retention = new Map(); // stream -> {oldest, partitions}, from v2/retention (none in upstream mode)
    this.lastNId = ''; // the id the 'last N events' start resolved to at its last start
    this.startToken = 0;
    this.startedAt = null;
  }

  emit(topic, payload) {
    this.topics.emit(topic, payload);
  }

  get live() {
    return this.mode === 'live' || this.mode === 'paused';
  }

  setMode(mode) {
    this.mode = mode;
    this.emit('mode', mode);
  }

  setStatus(status) {
    this.status = status;
    if (status.state === 'failed' && this.live) {
      // Refused: nothing to pause, resume or stop any more.
      this.setMode('stopped');
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
    const view = this.page.view();
    const since = Date.parse(sinceOf(view));
    this.startedAt = view.start === 'time' && !Number.isNaN(since) ? since : null;
    if (this.startedAt !== null && this.startedAt > Date.now() + 5000) {
      this.notice('start', `The start time ${formatFull(this.startedAt)} is in the future: the stream starts with the newest events.`);
      this.startedAt = null;
    }
  }

  checkStartGap(record) {
    if (this.startedAt !== null && record.time - this.startedAt > GAP_MS) {
      this.notice('start', `No events retained between the start time ${formatFull(this.startedAt)} and the first event, `
        + `${formatFull(record.time)}: older events have expired (or there were none), so the stream starts there.`);
    }
    this.startedAt = null;
  }

  // ---- streaming ------------------------------------------------------------------------------------------------
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
    const view = this.page.view();
    if (view.streams.length === 0) {
      this.setStatus({ state: 'failed', text: 'Pick at least one stream first' });
      return;
    }
    this.mode = 'live';
    this.ingest.reset({ streams: view.streams, aliasOf: this.setChartStreams() });
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
    const open = () => {
      const request = startRequest(this.page.view(), this.lastNId);
      if (this.mode === 'paused') {
        this.connection.prepare(request);
      } else {
        this.connection.open(request);
      }
    };
    const { start, streams, lastN } = this.page.view();
    if (start !== 'last') {
      open();
      return;
    }
    this.setStatus({ state: 'connecting', text: `Finding the last ${lastN.toLocaleString('en')} events…` });
    this.refreshRetention(streams, { last: lastN }).then((retention) => {
      if (token !== this.startToken || !this.live) {
        return;
      }
      this.lastNId = lastEventsId(retention);
      if (!this.lastNId) {
        const why = this.page.settings()?.upstream ? ': in upstream mode it has no retention route to ask' : '';
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
  async refreshRetention(streams = this.page.view().streams, { last } = {}) {
    if (this.page.settings()?.upstream) {
      return null;
    }
    const retention = await this.loadRetention(streams, last ? { last } : undefined);
    if (retention) {
      for (const [name, r] of retention) {
        this.retention.set(name, r);
      }
      this.emit('retention', this.retention);
    }
    return retention;
  }

  /**
   * The start changed while live or paused: the view on screen follows the one in the URL. Live reads from the new
   * start at once; paused, Resume does. The list stays (events it already has are not repeated).
   */
  applyStart() {
    if (!this.live) {
      return;
    }
    this.ingest.newEpoch();
    this.checkStartRequest();
    this.openStart();
    if (this.mode === 'paused') {
      this.setStatus({ state: 'paused', text: 'Paused: Resume starts from the new start position' });
    }
  }

  /** Chart series for the selected streams; returns stream -> the selected alias to count its events under. */
  setChartStreams() {
    const { streams } = this.page.view();
    this.emit('series', this.rates.setStreams(streams));
    return aliasesOf(streams, this.page.catalog());
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
    this.connection.resume(serverFilters(this.page.view()));
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
    if (!this.live) {
      return;
    }
    const view = this.page.view();
    if (view.streams.length === 0) {
      this.stop();
      return;
    }
    this.ingest.setStreams({ streams: view.streams, aliasOf: this.setChartStreams() });
    const lastEventId = idForTopics(this.connection.lastId, topicsOf(view.streams, this.page.catalog()));
    const request = { streams: view.streams, since: '', lastEventId, filters: serverFilters(view) };
    if (this.mode === 'paused') {
      this.connection.prepare(request);
    } else {
      this.connection.open(request);
    }
  }

  /** The filters changed: the list shows what passes them; a change of server-side ones reconnects while live. */
  applyFilters({ server }) {
    this.store.setPredicate(viewPredicate(this.page.view()));
    this.emit('view');
    if (server && this.mode === 'live') {
      // Stop reading with the old filters at once, then reconnect from the last shown event with the new ones: events
      // the old filters held back since then are sent again and judged by the new filters, so loosening loses nothing.
      this.connection.close();
      this.status = { state: 'connecting', text: 'Applying the filters…' };
      clearTimeout(this.serverFilterTimer);
      this.serverFilterTimer = setTimeout(() => {
        if (this.mode === 'live') {
          this.connection.resume(serverFilters(this.page.view()));
        }
      }, FILTER_RECONNECT_MS);
    }
    this.emit('status', this.status);
  }

  setMax(max) {
    this.emit('view', this.store.setMax(max));
  }

  /** Plot the chart by event time ('event') or by arrival ('arrival'); the counts so far start over. */
  setChartBy(by) {
    this.ingest.chartBy = by;
    this.rates.clear(Date.now());
  }

  /** Switch between SSE and SignalR; a live or paused session carries on from its last event over the new transport. */
  setTransport(name) {
    const old = this.connection;
    old.close();
    this.connection = new this.transports[name](this.handlers);
    if (old.request) {
      this.connection.prepare({ ...old.request, lastEventId: old.lastId ?? old.request.lastEventId ?? '' });
      if (this.mode === 'live') {
        this.connection.resume(serverFilters(this.page.view()));
      }
    }
  }

  /** A whole new view: stop and take its transport, kept-events cap and chart clock. */
  replace(view) {
    this.connection.close();
    this.mode = 'idle';
    this.connection = new this.transports[view.transport](this.handlers);
    this.ingest.chartBy = view.chart;
    this.store.setMax(view.max);
  }

  idle() {
    this.setStatus({ ...IDLE });
    this.emit('mode', this.mode);
  }
}
