import './styles.css';
import { StreamConnection } from './connection.js';
import { HubStreamConnection } from './hub.js';
import { loadCatalog } from './catalog.js';
import { EventStore } from './store.js';
import { VirtualList } from './list.js';
import { DetailPane, copy } from './detail.js';
import { RateChart } from './chart.js';
import { renderPicker, pickOnEnter } from './picker.js';
import { EventIngest } from './ingest.js';
import { parseFilter, filterText, compileView } from './filters.js';
import { fromHash, toHash, sinceOf } from './state.js';
import { downloadNdjson, downloadCsv } from './download.js';
import { loadViews, saveView, deleteView } from './views.js';

const $ = (id) => document.getElementById(id);

// ---- state ----------------------------------------------------------------------------------------------------
let state = fromHash(location.hash);
let catalog = [];
let mode = 'idle'; // idle | live | paused | stopped
let connectionStatus = { state: 'idle', text: 'Idle: pick streams and press Stream', serverFilters: false };

// Figures for the rendering measurement (docs/UI.md): read by the browser tests through window.eventStreamsUi.
const stats = {
  received: 0, shown: 0, skipped: 0, duplicates: 0, invalid: 0, frames: 0, maxFrameMs: 0, maxBatch: 0,
  longFrames: 0, maxLongFrameMs: 0, longFrameLog: [], interactions: 0, maxInteractionMs: 0,
};

const store = new EventStore(state.max);
const chart = new RateChart($('chart'));
const detail = new DetailPane($('detail'), {
  onClose: () => {
    list.selectedSeq = null;
    list.render();
    $('list').focus({ preventScroll: true });
  },
  onStartHere: (record) => {
    state.start = 'id';
    state.lastEventId = idAfter(record);
    renderStart();
    stateChanged();
  },
});
const list = new VirtualList($('list'), $('list-spacer'), {
  onSelect: (record, open) => {
    if (open || detail.isOpen) {
      detail.show(record);
    }
  },
  onOpen: (record) => detail.show(record),
  stream: (name) => name,
});

const connectionHandlers = {
  onEvents: (batch) => ingest.receive(batch),
  onStatus: (status) => {
    connectionStatus = status;
    renderStatus();
  },
};
const transports = { sse: StreamConnection, signalr: HubStreamConnection };
let connection = new transports[state.transport](connectionHandlers);

/**
 * An id that starts right after this event. The server's timestamp-form id resumes at the event's own timestamp (it
 * repeats the events that share it, to lose none); for the event's own partition use the exact next offset instead.
 */
function idAfter(record) {
  try {
    const elements = JSON.parse(record.id);
    if (Array.isArray(elements) && typeof record.offset === 'number') {
      const after = { topic: record.topic, partition: record.partition, offset: record.offset + 1 };
      return JSON.stringify(elements.map((e) => (e?.topic === record.topic && e?.partition === record.partition ? after : e)));
    }
  } catch {
    // not JSON: hand it back as it came
  }
  return record.id ?? '';
}

// ---- receiving and rendering ------------------------------------------------------------------------------------
const ingest = new EventIngest({
  store,
  chart,
  stats,
  onFrame: (added, dropped) => {
    if (added > 0 || dropped > 0) {
      list.update(store.view, dropped);
    }
    renderCounters();
  },
});

let countersAt = 0;
let countersTimer = 0;
function renderCounters(force) {
  const now = performance.now();
  if (!force && now - countersAt < 250) {
    // Text updates four times a second are plenty; make sure the last batch is counted all the same.
    countersTimer ||= setTimeout(() => {
      countersTimer = 0;
      renderCounters(true);
    }, 250);
    return;
  }
  countersAt = now;
  $('count-shown').textContent = store.view.length.toLocaleString('en');
  $('count-received').textContent = stats.received.toLocaleString('en');
  $('empty').hidden = store.view.length > 0;
  $('jump-newest').hidden = list.follow || store.view.length === 0;
}

let rateFrom = { at: performance.now(), received: 0, shown: 0 };
setInterval(() => {
  const now = performance.now();
  const seconds = (now - rateFrom.at) / 1000;
  const rate = (stats.received - rateFrom.received) / seconds;
  stats.receivedPerSecond = rate;
  stats.shownPerSecond = (stats.shown - rateFrom.shown) / seconds;
  rateFrom = { at: now, received: stats.received, shown: stats.shown };
  $('rate').textContent = rate >= 100 ? Math.round(rate).toLocaleString('en') : rate.toFixed(1);
  renderCounters(true);
}, 1000);

// Responsiveness, as the browser itself measures it: animation frames that took over 50 ms (long-animation-frame), and
// the time from an input (click, key) to the next paint that shows its result (event timing, the basis of INP).
function observe(type, options, onEntry) {
  if (PerformanceObserver.supportedEntryTypes?.includes(type)) {
    new PerformanceObserver((entries) => entries.getEntries().forEach(onEntry)).observe({ type, ...options });
  }
}
observe('long-animation-frame', {}, (entry) => {
  if (entry.duration > 50) {
    stats.longFrames++;
    stats.maxLongFrameMs = Math.max(stats.maxLongFrameMs, entry.duration);
    if (stats.longFrameLog.length < 50) {
      stats.longFrameLog.push({ at: Math.round(entry.startTime), ms: Math.round(entry.duration) });
    }
  }
});
observe('event', { durationThreshold: 16 }, (entry) => {
  if (entry.interactionId) {
    stats.interactions++;
    stats.maxInteractionMs = Math.max(stats.maxInteractionMs, entry.duration);
  }
});

// ---- streaming controls ---------------------------------------------------------------------------------------
function serverFilters() {
  const filters = [...state.filters];
  if (state.hideCanary) {
    filters.push('meta.domain!=canary');
  }
  return filters.filter((f) => parseFilter(f) !== null);
}

function start() {
  if (state.streams.length === 0) {
    connectionStatus = { state: 'failed', text: 'Pick at least one stream first' };
    renderStatus();
    return;
  }
  mode = 'live';
  ingest.reset({ streams: state.streams, aliasOf: setChartStreams() });
  chart.restart();
  connection.open({
    streams: state.streams,
    since: sinceOf(state),
    lastEventId: state.start === 'id' ? state.lastEventId : '',
    filters: serverFilters(),
  });
  renderButtons();
}

/** Chart series for the selected streams; returns stream -> the selected alias to count its events under. */
function setChartStreams() {
  const aliasOf = new Map();
  for (const name of state.streams) {
    const target = catalog.find((c) => c.name === name)?.aliasOf;
    if (target && !state.streams.includes(target)) {
      aliasOf.set(target, name);
    }
  }
  chart.setStreams(state.streams);
  return aliasOf;
}

function pause() {
  connection.holdStart();
  connection.close();
  mode = 'paused';
  connectionStatus = { state: 'paused', text: connection.lastId ? 'Paused: Resume continues from the last event' : 'Paused' };
  renderStatus();
  renderButtons();
}

function resume() {
  mode = 'live';
  connection.resume(serverFilters());
  renderButtons();
}

function stop() {
  connection.close();
  mode = 'stopped';
  connectionStatus = { state: 'idle', text: 'Stopped' };
  renderStatus();
  renderButtons();
}

/** The selection changed while streaming: keep the position of the streams that stay, start the new ones now. */
function restartForSelection() {
  if (mode !== 'live' && mode !== 'paused') {
    return;
  }
  if (state.streams.length === 0) {
    stop();
    return;
  }
  ingest.setStreams({ streams: state.streams, aliasOf: setChartStreams() });
  const topics = new Set();
  let known = true;
  for (const name of state.streams) {
    const s = catalog.find((c) => c.name === name);
    if (!s || s.topics.length === 0) {
      known = false;
    }
    s?.topics.forEach((t) => topics.add(t));
  }
  let lastEventId = '';
  if (known && connection.lastId) {
    try {
      const kept = JSON.parse(connection.lastId).filter((e) => topics.has(typeof e === 'string' ? e : e.topic));
      const covered = new Set(kept.map((e) => (typeof e === 'string' ? e : e.topic)));
      lastEventId = JSON.stringify([...kept, ...[...topics].filter((t) => !covered.has(t))]);
    } catch {
      lastEventId = '';
    }
  }
  const request = { streams: state.streams, since: '', lastEventId, filters: serverFilters() };
  if (mode === 'paused') {
    connection.prepare(request);
  } else {
    connection.open(request);
  }
}

function renderButtons() {
  const b = $('stream');
  b.textContent = mode === 'live' ? 'Pause' : mode === 'paused' ? 'Resume' : 'Stream';
  b.setAttribute('aria-pressed', String(mode === 'live'));
  $('stop').disabled = mode !== 'live' && mode !== 'paused';
}

function renderStatus() {
  const s = connectionStatus;
  $('status').dataset.state = s.state;
  $('status-text').textContent = s.text;
  const filters = serverFilters().length > 0;
  $('server-filters').textContent = !filters || s.state !== 'open'
    ? ''
    : s.serverFilters
      ? 'Field filters run on the server: filtered-out events are not sent.'
      : 'This server does not filter: field filters run in the page.';
}

$('stream').addEventListener('click', () => {
  if (mode === 'live') {
    pause();
  } else if (mode === 'paused') {
    resume();
  } else {
    start();
  }
});
$('stop').addEventListener('click', stop);
$('clear').addEventListener('click', () => {
  store.clear();
  ingest.clear();
  stats.received = 0;
  rateFrom = { at: performance.now(), received: 0, shown: stats.shown };
  detail.element.hidden = true;
  list.selectedSeq = null;
  list.update(store.view);
  renderCounters(true);
});
$('download-ndjson').addEventListener('click', () => downloadNdjson(store.view));
$('download-csv').addEventListener('click', () => downloadCsv(store.view));
$('copy-link').addEventListener('click', () => copy(location.href, $('copy-link').parentElement));
$('jump-newest').addEventListener('click', () => list.scrollToNewest());

// ---- the stream picker ----------------------------------------------------------------------------------------
function renderStreams() {
  renderPicker({
    container: $('stream-list'),
    message: $('catalog-message'),
    chips: $('selected-streams'),
    catalog,
    query: $('stream-search').value,
    selected: state.streams,
    onToggle: toggleStream,
  });
}

function toggleStream(name, on) {
  const had = state.streams.includes(name);
  if (on && !had) {
    state.streams = [...state.streams, name];
  } else if (!on && had) {
    state.streams = state.streams.filter((s) => s !== name);
  } else {
    return;
  }
  renderStreams();
  stateChanged();
  restartForSelection();
}

$('stream-search').addEventListener('input', renderStreams);
$('stream-search').addEventListener('keydown', (e) => {
  if (e.key !== 'Enter') {
    return;
  }
  e.preventDefault();
  const typed = $('stream-search').value.trim();
  const pick = pickOnEnter(catalog, typed);
  if (pick) {
    toggleStream(pick.name, true);
  } else if (typed && catalog.length === 0) {
    toggleStream(typed, true);
  }
});

// ---- start position ----------------------------------------------------------------------------------------------
function toLocalInput(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) {
    return '';
  }
  const local = new Date(d.getTime() - d.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 19);
}

function renderStart() {
  for (const radio of document.querySelectorAll('input[name=start]')) {
    radio.checked = radio.value === state.start;
  }
  $('start-time').hidden = state.start !== 'time';
  $('start-id').hidden = state.start !== 'id';
  $('since').value = state.since ? toLocalInput(state.since) : '';
  $('last-event-id').value = state.lastEventId;
}

for (const radio of document.querySelectorAll('input[name=start]')) {
  radio.addEventListener('change', () => {
    state.start = radio.value;
    if (state.start === 'time' && !state.since) {
      state.since = new Date(Date.now() - 15 * 60_000).toISOString();
    }
    renderStart();
    stateChanged();
  });
}
$('since').addEventListener('change', () => {
  const d = new Date($('since').value);
  state.since = Number.isNaN(d.getTime()) ? '' : d.toISOString();
  stateChanged();
});
for (const quick of document.querySelectorAll('[data-ago]')) {
  quick.addEventListener('click', () => {
    state.start = 'time';
    state.since = new Date(Date.now() - Number(quick.dataset.ago) * 60_000).toISOString();
    renderStart();
    stateChanged();
  });
}
$('last-event-id').addEventListener('change', () => {
  state.lastEventId = $('last-event-id').value.trim();
  stateChanged();
});

// ---- filters ---------------------------------------------------------------------------------------------------
let serverFilterTimer = 0;
function applyFilters({ server }) {
  const predicate = compileView({ text: state.text, filters: state.filters.map(parseFilter).filter(Boolean), hideCanary: state.hideCanary });
  store.setPredicate(predicate);
  list.update(store.view);
  renderCounters(true);
  if (server && mode === 'live') {
    // Stop reading with the old filters at once, then reconnect from the last shown event with the new ones: events the
    // old filters held back since then are sent again and judged by the new filters, so loosening a filter loses nothing.
    connection.close();
    connectionStatus = { state: 'connecting', text: 'Applying the filters…' };
    clearTimeout(serverFilterTimer);
    serverFilterTimer = setTimeout(() => {
      if (mode === 'live') {
        connection.resume(serverFilters());
      }
    }, 300);
  }
  renderStatus();
}

function renderFilters() {
  $('text-filter').value = state.text;
  $('hide-canary').checked = state.hideCanary;
  const container = $('field-filters');
  container.replaceChildren();
  for (const f of state.filters) {
    const chip = document.createElement('button');
    chip.type = 'button';
    chip.className = 'chip filter';
    const parsed = parseFilter(f);
    chip.textContent = `${parsed ? `${parsed.pathText} ${parsed.negated ? '≠' : '='} ${parsed.value}` : f} ✕`;
    chip.title = 'Remove this filter';
    chip.dataset.filter = f;
    chip.addEventListener('click', () => {
      state.filters = state.filters.filter((x) => x !== f);
      renderFilters();
      stateChanged();
      applyFilters({ server: true });
    });
    container.appendChild(chip);
  }
}

let textTimer = 0;
$('text-filter').addEventListener('input', () => {
  clearTimeout(textTimer);
  textTimer = setTimeout(() => {
    state.text = $('text-filter').value;
    stateChanged();
    applyFilters({ server: false });
  }, 150);
});
$('add-filter').addEventListener('submit', (e) => {
  e.preventDefault();
  const parsed = parseFilter($('new-filter').value);
  if (!parsed) {
    $('filter-error').textContent = 'Write a filter as path = value or path != value, e.g. meta.domain = en.wikipedia.org';
    return;
  }
  $('filter-error').textContent = '';
  const text = filterText(parsed);
  if (!state.filters.includes(text)) {
    state.filters = [...state.filters, text];
  }
  $('new-filter').value = '';
  renderFilters();
  stateChanged();
  applyFilters({ server: true });
});
$('hide-canary').addEventListener('change', () => {
  state.hideCanary = $('hide-canary').checked;
  stateChanged();
  applyFilters({ server: true });
});
$('max-events').addEventListener('change', () => {
  const max = Math.max(100, Math.min(200_000, Math.floor(Number($('max-events').value)) || 10_000));
  $('max-events').value = String(max);
  state.max = max;
  list.update(store.view, store.setMax(max));
  renderCounters(true);
  stateChanged();
});

// ---- URL, saved views ------------------------------------------------------------------------------------------
let writtenHash = '';
function stateChanged() {
  writtenHash = toHash(state);
  if (location.hash !== writtenHash) {
    history.replaceState(null, '', writtenHash);
  }
}

function applyState(next, { autostart }) {
  connection.close();
  mode = 'idle';
  state = next;
  connection = new transports[state.transport](connectionHandlers);
  $('transport').value = state.transport;
  store.setMax(state.max);
  $('max-events').value = String(state.max);
  renderStreams();
  renderStart();
  renderFilters();
  applyFilters({ server: false });
  stateChanged();
  if (autostart && state.streams.length > 0) {
    start();
  } else {
    connectionStatus = { state: 'idle', text: 'Idle: pick streams and press Stream' };
    renderStatus();
    renderButtons();
  }
}

window.addEventListener('hashchange', () => {
  if (location.hash !== writtenHash) {
    applyState(fromHash(location.hash), { autostart: true });
  }
});

function renderViews(views = loadViews()) {
  const ul = $('views');
  ul.replaceChildren();
  for (const v of views) {
    const li = document.createElement('li');
    const open = document.createElement('a');
    open.href = v.hash;
    open.textContent = v.name;
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'icon-button';
    remove.textContent = '✕';
    remove.setAttribute('aria-label', `Delete view ${v.name}`);
    remove.addEventListener('click', () => renderViews(deleteView(v.name)));
    li.append(open, remove);
    ul.appendChild(li);
  }
}
$('save-view').addEventListener('submit', (e) => {
  e.preventDefault();
  const name = $('view-name').value.trim();
  if (name) {
    renderViews(saveView(name, toHash(state)));
    $('view-name').value = '';
  }
});

// ---- transport -------------------------------------------------------------------------------------------------
/** Switch between SSE and SignalR; a live or paused view carries on from its last event over the new transport. */
function setTransport(name) {
  if (!transports[name] || name === state.transport) {
    return;
  }
  const old = connection;
  old.close();
  state.transport = name;
  connection = new transports[name](connectionHandlers);
  if (old.request) {
    connection.prepare({ ...old.request, lastEventId: old.lastId ?? old.request.lastEventId ?? '' });
    if (mode === 'live') {
      connection.resume(serverFilters());
    }
  }
  $('transport').value = name;
  stateChanged();
}
$('transport').addEventListener('change', () => setTransport($('transport').value));

// ---- theme, layout, keyboard -----------------------------------------------------------------------------------
function applyTheme(theme) {
  if (theme === 'auto') {
    delete document.documentElement.dataset.theme;
  } else {
    document.documentElement.dataset.theme = theme;
  }
  chart.rebuild();
}
$('theme').value = localStorage.getItem('eventstreams.theme') ?? 'auto';
$('theme').addEventListener('change', () => {
  localStorage.setItem('eventstreams.theme', $('theme').value);
  applyTheme($('theme').value);
});
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => chart.rebuild());

$('toggle-controls').addEventListener('click', () => {
  const open = document.body.classList.toggle('controls-open');
  $('toggle-controls').setAttribute('aria-expanded', String(open));
});

document.addEventListener('keydown', (e) => {
  const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement;
  if (e.key === 'Escape' && detail.isOpen) {
    detail.close();
  } else if (e.key === '/' && !typing) {
    e.preventDefault();
    $('text-filter').focus();
  }
});

// ---- start-up ------------------------------------------------------------------------------------------------
window.eventStreamsUi = {
  stats,
  state: () => structuredClone(state),
  mode: () => mode,
  shown: () => store.view.map((r) => r.raw),
};

applyTheme($('theme').value);
renderViews();
applyState(state, { autostart: false });
$('catalog-message').textContent = 'Loading the catalogue…';
loadCatalog()
  .then((streams) => {
    catalog = streams;
  })
  .catch((e) => {
    catalog = [];
    console.warn('No catalogue', e);
  })
  .finally(() => {
    renderStreams();
    // A shared link opens live, like the reference UI's.
    if (state.streams.length > 0) {
      start();
    }
  });
