// The whole view in the URL: `#/?streams=a,b&since=…&filter=…&q=…&canary=hide&max=…` (the reference UI's
// `#/?streams=a,b` deep links keep working). `since=0` is the oldest retained event, `since=last:100` the last 100
// events (resolved from the server's retention at each start), `last_event_id` an exact position, `until` the end of a
// window (an ISO date-time: the stream stops there).
import { DEFAULT_LAST_N, clampLastN } from './retention.js';

export const DEFAULT_MAX = 10_000;

export function emptyState() {
  return { streams: [], start: 'now', since: '', until: '', lastEventId: '', lastN: DEFAULT_LAST_N, text: '', filters: [], hideCanary: false, max: DEFAULT_MAX, transport: 'sse', chart: 'event' };
}

export function toHash(state) {
  const q = new URLSearchParams();
  if (state.streams.length > 0) {
    q.set('streams', state.streams.join(','));
  }
  if (state.start === 'oldest') {
    q.set('since', '0');
  } else if (state.start === 'last') {
    q.set('since', `last:${state.lastN}`);
  } else if (state.start === 'time' && state.since) {
    q.set('since', state.since);
  } else if (state.start === 'id' && state.lastEventId) {
    q.set('last_event_id', state.lastEventId);
  }
  if (state.until) {
    q.set('until', state.until);
  }
  if (state.text) {
    q.set('q', state.text);
  }
  for (const f of state.filters) {
    q.append('filter', f);
  }
  if (state.hideCanary) {
    q.set('canary', 'hide');
  }
  if (state.max !== DEFAULT_MAX) {
    q.set('max', String(state.max));
  }
  if (state.transport === 'signalr') {
    q.set('transport', 'signalr');
  }
  if (state.chart === 'arrival') {
    q.set('chart', 'arrival');
  }
  // Commas read better than %2C in a stream list.
  return `#/?${q.toString().replaceAll('%2C', ',')}`;
}

export function fromHash(hash) {
  const state = emptyState();
  const at = hash.indexOf('?');
  if (at < 0) {
    return state;
  }
  const q = new URLSearchParams(hash.slice(at + 1));
  state.streams = (q.get('streams') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const since = q.get('since');
  const id = q.get('last_event_id');
  if (id) {
    state.start = 'id';
    state.lastEventId = id;
  } else if (since === '0') {
    state.start = 'oldest';
  } else if (since?.startsWith('last:')) {
    state.start = 'last';
    state.lastN = clampLastN(since.slice(5));
  } else if (since) {
    state.start = 'time';
    state.since = since;
  }
  const until = q.get('until') ?? '';
  state.until = Number.isNaN(Date.parse(until)) ? '' : until;
  state.text = q.get('q') ?? '';
  state.filters = q.getAll('filter').filter(Boolean);
  state.hideCanary = q.get('canary') === 'hide';
  state.transport = q.get('transport') === 'signalr' ? 'signalr' : 'sse';
  state.chart = q.get('chart') === 'arrival' ? 'arrival' : 'event';
  const max = Number(q.get('max'));
  if (Number.isFinite(max) && max >= 100) {
    state.max = Math.min(200_000, Math.floor(max));
  }
  return state;
}

const RELATIVE = /^-(\d{1,6})([smhd])$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Whether `since` is relative to the moment of starting ("-15m", "-2h", "-1d"), as links and saved views keep it. */
export function isRelative(since) {
  return RELATIVE.test(since ?? '');
}

/** An ISO date-time for `since` (relative ones resolved at `now`); '' when it is neither. */
export function resolveSince(since, now = Date.now()) {
  const relative = RELATIVE.exec(since ?? '');
  if (relative) {
    return new Date(now - Number(relative[1]) * UNIT_MS[relative[2]]).toISOString();
  }
  const t = Date.parse(since ?? '');
  return Number.isNaN(t) ? '' : since;
}

/** "15 min", "2 h", "1 day": a relative start in words. */
export function relativeText(since) {
  const relative = RELATIVE.exec(since ?? '');
  if (!relative) {
    return '';
  }
  const n = Number(relative[1]);
  const unit = { s: 's', m: 'min', h: 'h', d: n === 1 ? 'day' : 'days' }[relative[2]];
  return `${n} ${unit}`;
}

/** The `since` the server gets: epoch 0 for the oldest, an ISO date-time for a point in time (relative: from now). */
export function sinceOf(state, now = Date.now()) {
  if (state.start === 'oldest') {
    return '0';
  }
  if (state.start === 'time' && state.since) {
    return resolveSince(state.since, now);
  }
  return '';
}
