// The view: what the URL holds (state.js) — the streams, the start position, the filters, how many events to keep, the
// transport and the chart's clock. A view is a frozen object; every change makes a new one (pure functions, no DOM, no
// network), so nothing outside the controller can change it behind the page's back.
import { emptyState, sinceOf } from './state.js';
import { parseFilter, filterText, compileView } from './filters.js';
import { clampMax } from './protocol.js';
import { validationStreamsFor, realStream } from './catalog.js';

/** `state` (or a change to it) as a frozen view. */
export function frozenView(state, change = {}) {
  const next = { ...state, ...change };
  Object.freeze(next.streams);
  Object.freeze(next.filters);
  return Object.freeze(next);
}

/** The view with `name` selected (`on`) or not; the same view when nothing changes. */
export function withStream(view, name, on) {
  const had = view.streams.includes(name);
  if (on === had) {
    return view;
  }
  return frozenView(view, { streams: on ? [...view.streams, name] : view.streams.filter((s) => s !== name) });
}

/** What decides where a stream starts (and ends): a change of it (or of the start choice) opens the stream again. */
export function startPosition(view) {
  return sinceOf(view) + (view.start === 'id' ? view.lastEventId : '') + (view.start === 'last' ? `last:${view.lastN}` : '')
    + (view.until ? `until:${view.until}` : '');
}

/** The change for a start choice (now, oldest, last, time, id): a point in time starts 15 minutes ago until one is picked. */
export function startChoice(view, start, now = Date.now()) {
  return start === 'time' && !view.since ? { start, since: new Date(now - 15 * 60_000).toISOString() } : { start };
}

/** The view with one more field filter (normalised, once), or null when `text` is not a filter. */
export function withFilter(view, text) {
  const parsed = parseFilter(text);
  if (!parsed) {
    return null;
  }
  const normal = filterText(parsed);
  return view.filters.includes(normal) ? view : frozenView(view, { filters: [...view.filters, normal] });
}

export function withoutFilter(view, text) {
  return frozenView(view, { filters: view.filters.filter((f) => f !== text) });
}

export function withMax(view, value) {
  return frozenView(view, { max: clampMax(value) });
}

/** The field filters sent to the server (`?filter=`), canary included. */
export function serverFilters(view) {
  const filters = [...view.filters];
  if (view.hideCanary) {
    filters.push('meta.domain!=canary');
  }
  return filters.filter((f) => parseFilter(f)?.server === true);
}

/** The field filters only the page can run (IN, contains, regex, numeric comparisons). */
export function pageOnlyFilters(view) {
  return view.filters.filter((f) => parseFilter(f)?.server === false);
}

/** The predicate of the kept events shown: free text, field filters, canary. */
export function viewPredicate(view) {
  return compileView({ text: view.text, filters: view.filters.map(parseFilter).filter(Boolean), hideCanary: view.hideCanary });
}

/** What the start position asks the server for; `lastNId` is what the "last N events" start resolved to. */
export function startRequest(view, lastNId = '', now = Date.now()) {
  return {
    streams: view.streams,
    since: sinceOf(view, now),
    lastEventId: view.start === 'id' ? view.lastEventId : view.start === 'last' ? lastNId : '',
    filters: serverFilters(view),
  };
}

/** Stream -> the selected alias to count its events under (an alias whose target is not selected itself). */
export function aliasesOf(streams, catalog) {
  const aliasOf = new Map();
  for (const name of streams) {
    const target = catalog.find((c) => c.name === name)?.aliasOf;
    if (target && !streams.includes(target)) {
      aliasOf.set(target, name);
    }
  }
  return aliasOf;
}

/**
 * "Validation errors for this stream": its error stream (from the catalogue's destination_event_service, else every
 * error stream) filtered on errored_stream_name (of the real stream: an alias's errors name its target), from an hour
 * ago (or `since`); null when the catalogue has no error stream.
 */
export function validationView(view, name, catalog, since = '-1h') {
  const streams = validationStreamsFor(name, catalog);
  if (streams.length === 0) {
    return null;
  }
  return frozenView(emptyState(), {
    streams,
    start: 'time',
    since,
    // Errors name the real stream, never an alias.
    filters: [`errored_stream_name=${realStream(name, catalog)}`],
    max: view.max,
    transport: view.transport,
    chart: view.chart,
  });
}

/** `stream` alone, live from now (what the send panel tails when the view's filters could hide the event sent). */
export function streamView(view, stream) {
  return frozenView(emptyState(), { streams: [stream], max: view.max, transport: view.transport, chart: view.chart });
}
