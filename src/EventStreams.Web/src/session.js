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
import { lastEventsId, partitionsOf } from './retention.js';
import { serverFilters, startRequest, aliasesOf, viewPredicate } from './view.js';
import { partitionKey, idOffsets, windowRanges, setEnds, olderRanges, rangesId, take, allReached, rangesSize } from './window.js';

// A first event this much later than the start time asked for means the data from before it is not there.
const GAP_MS = 60_000;
// A change of server-side filters reconnects once typing has settled for this long.
const FILTER_RECONNECT_MS = 300;
// "Load older" reads about this many events per click, and gives up on a page after this long.
export const OLDER_PAGE = 100;
const OLDER_TIMEOUT_MS = 30_000;

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
      received: 0, shown: 0, skipped: 0, duplicates: 0, rewinds: 0, outside: 0, invalid: 0, frames: 0, maxFrameMs: 0, maxBatch: 0,
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
        this.checkWindow();
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
      settings: () => page.settings(), // whether SSE can go by EventSource (connection.js)
    };
    this.connection = new transports[view.transport](this.handlers);
    this.serverFilterTimer = 0;
    this.retention = new Map(); // stream -> {oldest, partitions}, from v2/retention (none in upstream mode)
    this.lastNId = ''; // the id the 'last N events' start resolved to at its last start
    this.startToken = 0;
    this.startedAt = null;
    this.window = null; // a time window being read: {ranges, until (ms)}; see window.js
    this.windowTimer = 0;
    this.older = { loading: false, text: '' }; // "Load older": what it is doing or did, in words
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
   * Opens the connection at the start position (paused: readies it for Resume); for "last N events" and for a window
   * first asks the server where each partition starts (a start changed or stopped in the meantime wins).
   */
  openStart() {
    const token = ++this.startToken;
    this.endWindow();
    const open = (request = startRequest(this.page.view(), this.lastNId)) => {
      if (this.mode === 'paused') {
        this.connection.prepare(request);
        this.setStatus({ state: 'paused', text: 'Paused: Resume starts from the new start position' });
      } else {
        this.connection.open(request);
      }
    };
    const { start, streams, lastN, until } = this.page.view();
    if (until) {
      this.openWindow(token, open);
      return;
    }
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
    });
  }

  // ---- a time window: from the start to `until`, exactly (window.js) ----------------------------------------------
  /**
   * Reads the window: each partition from where the start puts it (asked `at` the start time) up to the last event at
   * or before `until` (asked `at` until + 1 ms once that time has passed), then stops and says so. Read whole (the
   * field filters run in the page), so the end of every partition is seen.
   */
  async openWindow(token, open) {
    const view = this.page.view();
    const until = Date.parse(view.until);
    const since = Date.parse(sinceOf(view));
    const at = view.start === 'oldest' ? 0 : view.start === 'time' && !Number.isNaN(since) ? since : Date.now();
    this.setStatus({ state: 'connecting', text: `Finding the window's offsets (up to ${formatFull(until)})…` });
    const current = () => token === this.startToken && this.live;
    const retention = await this.loadRetention(view.streams, view.start === 'last' ? { at, last: view.lastN } : { at });
    if (!current()) {
      return;
    }
    if (!retention) {
      this.notice('window', `The server could not say where the window begins and ends${this.page.settings()?.upstream ? ' (not in upstream mode)' : ''}: `
        + 'the stream is not stopped at the end time.');
      open(startRequest(view, ''));
      return;
    }
    const fixed = view.start === 'last' ? idOffsets(lastEventsId(retention))
      : view.start === 'id' ? idOffsets(view.lastEventId) : new Map();
    const ranges = windowRanges(partitionsOf(retention, view.streams), fixed);
    this.window = { ranges, until, token };
    this.ingest.gate = (topic, partition, offset) => take(ranges, topic, partition, offset);
    if (until < Date.now()) {
      await this.windowEnds(this.window);
      if (!current()) {
        return;
      }
    } else {
      this.windowTimer = setTimeout(() => this.windowEnds(this.window), until + 1000 - Date.now());
    }
    if (allReached(ranges)) {
      this.finishWindow();
    } else {
      open({ streams: view.streams, since: '', lastEventId: rangesId(ranges), filters: [] });
    }
  }

  /** The end time has passed: where each partition's window ends; events already taken beyond it leave the list. */
  async windowEnds(window) {
    const retention = await this.loadRetention(this.page.view().streams, { at: window.until + 1 });
    if (window !== this.window || window.token !== this.startToken) {
      return;
    }
    if (!retention) {
      this.notice('window', 'The server could not say where the window ends: the stream is not stopped at the end time.');
      this.endWindow();
      return;
    }
    setEnds(window.ranges, partitionsOf(retention, this.page.view().streams));
    const removed = this.store.remove((r) => {
      const range = window.ranges.get(partitionKey(r.topic, r.partition));
      return range !== undefined && typeof r.offset === 'number' && r.offset >= range.end;
    });
    if (removed > 0) {
      this.emit('view', 0);
    }
    this.checkWindow();
  }

  /** After each frame: every partition read to the end of the window stops the stream. */
  checkWindow() {
    if (this.window && this.live && allReached(this.window.ranges)) {
      this.finishWindow();
    }
  }

  finishWindow() {
    const { until, ranges } = this.window;
    this.startToken++;
    this.connection.close();
    this.mode = 'stopped';
    const n = rangesSize(ranges);
    this.setStatus({ state: 'idle', text: `Stopped at the end of the window (${formatFull(until)})` });
    this.notice('window', `The window ends at ${formatFull(until)}: the stream stopped after the last event at or before `
      + `that time in every partition (${n.toLocaleString('en')} ${n === 1 ? 'event' : 'events'} in the window).`);
    this.emit('mode', this.mode);
  }

  endWindow() {
    clearTimeout(this.windowTimer);
    this.window = null;
    this.ingest.gate = null;
    this.dismiss('window');
  }

  /** The field filters the connection sends: none while reading a window (they run in the page), so its end is seen. */
  requestFilters() {
    return this.window ? [] : serverFilters(this.page.view());
  }

  // ---- "Load older": the page of events before the oldest the list has, exactly ------------------------------------
  sayOlder(text, loading = false) {
    this.older = { loading, text };
    this.emit('older', this.older);
  }

  /**
   * Reads about OLDER_PAGE events (spread over the partitions that have older ones) that come right before the oldest
   * event the list has of each partition, and puts them before the list: no event twice, none skipped.
   */
  async loadOlder() {
    if (this.older.loading) {
      return;
    }
    const view = this.page.view();
    const room = this.store.max - this.store.all.length;
    if (room < 1) {
      this.sayOlder(`The list is full (${this.store.max.toLocaleString('en')} kept): raise the number kept to load older events.`);
      return;
    }
    this.sayOlder('Loading older events…', true);
    const retention = this.page.settings()?.upstream ? null : await this.loadRetention(view.streams);
    if (!retention) {
      this.sayOlder('The server cannot say how far back these streams go, so older events cannot be loaded.');
      return;
    }
    const partitions = partitionsOf(retention, view.streams);
    const ranges = olderRanges(partitions, this.ingest.floors, Math.min(OLDER_PAGE, room));
    if (!ranges) {
      this.sayOlder('Nothing older: the list starts at the oldest retained event.');
      return;
    }
    const messages = await this.readRanges(view, ranges);
    if (messages === null) {
      this.sayOlder('Could not load older events: the server did not send them in time. Try again.');
      return;
    }
    const records = this.ingest.older(messages).sort((a, b) => a.time - b.time || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0)
      || a.partition - b.partition || a.offset - b.offset);
    const added = this.store.prepend(records);
    for (const r of records) {
      r.parsed = undefined;
    }
    this.emit('view', -added);
    const rest = olderRanges(partitions, this.ingest.floors, 1) === null ? ': the list now starts at the oldest retained event' : '';
    this.sayOlder(`Loaded ${records.length.toLocaleString('en')} older ${records.length === 1 ? 'event' : 'events'}${rest}.`);
  }

  /** Reads `ranges` over a connection of its own; the events in them (with `event` parsed), or null when it fails. */
  readRanges(view, ranges) {
    return new Promise((resolve) => {
      const taken = [];
      let done = false;
      let connection = null;
      const finish = (result) => {
        if (!done) {
          done = true;
          clearTimeout(timer);
          connection.close();
          resolve(result);
        }
      };
      const timer = setTimeout(() => finish(null), OLDER_TIMEOUT_MS);
      connection = new this.transports[view.transport]({
        onEvents: (batch) => {
          for (const message of batch) {
            let event;
            try {
              event = JSON.parse(message.data);
            } catch {
              continue;
            }
            const meta = event?.meta ?? {};
            if (take(ranges, meta.topic, meta.partition, meta.offset)) {
              taken.push({ ...message, event });
            }
          }
          if (allReached(ranges)) {
            finish(taken);
          }
        },
        onStatus: (status) => {
          if (status.state === 'failed') {
            finish(null);
          }
        },
        settings: this.handlers.settings,
      });
      connection.open({ streams: view.streams, since: '', lastEventId: rangesId(ranges), filters: [] });
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
    this.connection.resume(this.requestFilters());
    this.emit('mode', this.mode);
  }

  stop() {
    this.startToken++;
    clearTimeout(this.windowTimer);
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
    if (this.window) {
      this.applyStart(); // the window of the new selection, from its start (what the list has is not repeated)
      return;
    }
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
    if (server && this.mode === 'live' && !this.window) {
      // Stop reading with the old filters at once, then reconnect from the last shown event with the new ones: events
      // the old filters held back since then are sent again and judged by the new filters, so loosening loses nothing.
      this.connection.close();
      this.status = { state: 'connecting', text: 'Applying the filters…' };
      clearTimeout(this.serverFilterTimer);
      this.serverFilterTimer = setTimeout(() => {
        if (this.mode === 'live') {
          this.connection.resume(this.requestFilters());
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
        this.connection.resume(this.requestFilters());
      }
    }
  }

  /**
   * A whole new view: stop and take its transport, kept-events cap and chart clock. The closed connection's status goes
   * with it: announced again before the new one connects, a stale "open" would tell the send panel the new stream is
   * already listening.
   */
  replace(view) {
    this.startToken++;
    this.endWindow();
    this.connection.close();
    this.mode = 'idle';
    this.status = { ...IDLE };
    this.connection = new this.transports[view.transport](this.handlers);
    this.ingest.chartBy = view.chart;
    this.store.setMax(view.max);
  }

  idle() {
    this.setStatus({ ...IDLE });
    this.emit('mode', this.mode);
  }
}
