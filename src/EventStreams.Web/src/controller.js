// The page's one source of truth, in two parts: the view (view.js: what the URL holds, a frozen object changed only by
// the commands below) and the streaming session (session.js: mode, connection, status, kept events, rates, notices,
// retention), plus what the server told the page (catalogue, settings). Panels (panels/*.js) read it through the
// getters, change it through the commands, and subscribe to the topics listed in topics.js.
import { Topics } from './topics.js';
import { Session } from './session.js';
import { loadCatalog } from './catalog.js';
import { loadRetention } from './retention.js';
import { toHash } from './state.js';
import { idAfter } from './protocol.js';
import {
  frozenView, withStream, startPosition, startChoice, withFilter, withoutFilter, withMax, pageOnlyFilters,
  validationView, streamView,
} from './view.js';

export class Controller {
  /**
   * @param {object} state the view to start with (state.js)
   * @param {object} options
   * @param {Record<string, Function>} options.transports connection classes by name ({sse, signalr})
   * @param {() => Promise<object[]>} [options.catalog] the catalogue (default: GET /?spec)
   * @param {(streams: string[]) => Promise<Map|null>} [options.retention] v2/retention
   * @param {(flush: () => void) => void} [options.schedule] when to lay out queued events (default: next frame)
   */
  constructor(state, { transports, catalog = loadCatalog, retention = loadRetention, schedule } = {}) {
    this.topics = new Topics();
    this.view = frozenView(state);
    this.catalogList = [];
    this.serverSettings = null;
    this.transports = transports;
    this.fetchCatalog = catalog;
    this.session = new Session({
      topics: this.topics,
      page: { view: () => this.view, catalog: () => this.catalogList, settings: () => this.serverSettings },
      transports,
      loadRetention: retention,
      schedule,
    });
  }

  // ---- reading: panels read through these, and change things only through the commands below -----------------
  /** The view (frozen: change it with the commands). */
  get state() { return this.view; }
  get catalog() { return this.catalogList; }
  /** The server's settings.json (environment, upstream, transports, intake); null until it arrived. */
  get settings() { return this.serverSettings; }
  get mode() { return this.session.mode; }
  get status() { return this.session.status; }
  get notices() { return this.session.notices; }
  get retention() { return this.session.retention; }
  get store() { return this.session.store; }
  get rates() { return this.session.rates; }
  get stats() { return this.session.stats; }
  /** "Load older": {loading, text}. */
  get older() { return this.session.older; }
  get hash() { return toHash(this.view); }
  /** The field filters the server runs (none while a window is read: then they run in the page). */
  serverFilters() { return this.session.requestFilters(); }
  pageOnlyFilters() { return pageOnlyFilters(this.view); }

  /** Calls `listener(payload)` whenever `topic` (topics.js) happens; returns a function that unsubscribes. */
  on(topic, listener) {
    return this.topics.on(topic, listener);
  }

  /** The view changed: tell who shows it, then the URL. */
  change(next, topic) {
    this.view = next;
    if (topic) {
      this.topics.emit(topic, next);
    }
    this.topics.emit('state', next);
  }

  // ---- what the server told the page ------------------------------------------------------------------------
  async loadCatalog() {
    try {
      this.catalogList = await this.fetchCatalog();
    } catch (e) {
      this.catalogList = [];
      console.warn('No catalogue', e);
    }
    this.topics.emit('catalog', this.catalogList);
  }

  setSettings(settings) {
    this.serverSettings = settings;
    this.topics.emit('settings', settings);
  }

  // ---- the session's commands -------------------------------------------------------------------------------
  toggle() { this.session.toggle(); }
  start() { this.session.start(); }
  pause() { this.session.pause(); }
  resume() { this.session.resume(); }
  stop() { this.session.stop(); }
  retryNow() { this.session.retryNow(); }
  clear() { this.session.clear(); }
  dismiss(key) { this.session.dismiss(key); }
  notice(key, text) { this.session.notice(key, text); }
  refreshRetention(streams) { return this.session.refreshRetention(streams); }
  loadOlder() { return this.session.loadOlder(); }

  // ---- the view's commands ----------------------------------------------------------------------------------
  toggleStream(name, on) {
    const next = withStream(this.view, name, on);
    if (next === this.view) {
      return;
    }
    this.change(next, 'streams');
    this.session.restartForSelection();
  }

  /**
   * Sets some of {start, since, until, lastEventId, lastN}. `quiet` for a change typed into the start panel itself: only the
   * URL follows, the panel is not redrawn under the typing.
   */
  setStart(change, { quiet = false } = {}) {
    const before = startPosition(this.view);
    this.change(frozenView(this.view, change), quiet ? null : 'start');
    if (startPosition(this.view) !== before || change.start !== undefined) {
      this.session.applyStart();
    }
  }

  /** A start choice (now, oldest, last, time, id); a point in time starts 15 minutes ago until one is picked. */
  chooseStart(start) {
    this.setStart(startChoice(this.view, start));
  }

  /** "Start after this event". */
  startAfter(record) {
    this.setStart({ start: 'id', lastEventId: idAfter(record) });
  }

  /** Plot the chart by event time ('event') or by arrival ('arrival'); the counts so far start over. */
  setChartBy(by) {
    const chart = by === 'arrival' ? 'arrival' : 'event';
    this.session.setChartBy(chart);
    this.change(frozenView(this.view, { chart }), 'chart');
  }

  setText(text) {
    this.change(frozenView(this.view, { text }), 'filters');
    this.session.applyFilters({ server: false });
  }

  /** Adds a field filter from its text; returns false when it is not a filter. */
  addFilter(text) {
    const next = withFilter(this.view, text);
    if (!next) {
      return false;
    }
    this.change(next, 'filters');
    this.session.applyFilters({ server: true });
    return true;
  }

  /** "= this" / "≠ this" on a field of an event. */
  filterOn(pathText, value, negated) {
    return this.addFilter(`${pathText}${negated ? '!=' : '='}${value}`);
  }

  removeFilter(text) {
    this.change(withoutFilter(this.view, text), 'filters');
    this.session.applyFilters({ server: true });
  }

  setHideCanary(hideCanary) {
    this.change(frozenView(this.view, { hideCanary }), 'filters');
    this.session.applyFilters({ server: true });
  }

  /** The number of events to keep, from what was typed; returns the number taken. */
  setMax(value) {
    const next = withMax(this.view, value);
    this.view = next;
    this.session.setMax(next.max);
    this.change(next, 'max');
    return next.max;
  }

  /** Switch between SSE and SignalR; a live or paused view carries on from its last event over the new transport. */
  setTransport(name) {
    if (!this.transports[name] || name === this.view.transport) {
      return;
    }
    this.view = frozenView(this.view, { transport: name });
    this.session.setTransport(name);
    this.change(this.view, 'transport');
  }

  /**
   * "Validation errors for this stream" (view.js), from an hour ago or `since`: opened and streaming, or a notice when
   * there is no error stream.
   */
  showValidationErrors(name, { since } = {}) {
    const next = validationView(this.view, name, this.catalogList, since);
    if (!next) {
      this.session.notice('validation', `The catalogue has no validation-error stream, so there are no rejected events of ${name} to show.`);
      return;
    }
    this.replace(next, { autostart: true });
  }

  /** `stream` alone, streaming from now (view.js streamView). */
  showStream(stream) {
    this.replace(streamView(this.view, stream), { autostart: true });
  }

  /** A whole new view (the URL changed, a saved view opened): stop, show it, and stream it when asked. */
  replace(next, { autostart }) {
    this.view = frozenView(next);
    this.session.replace(this.view);
    this.topics.emit('replaced', this.view);
    this.session.applyFilters({ server: false });
    this.topics.emit('state', this.view);
    if (autostart && this.view.streams.length > 0) {
      this.session.start();
    } else {
      this.session.idle();
    }
  }
}
