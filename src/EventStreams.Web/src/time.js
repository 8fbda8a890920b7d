// One time zone for every time the page shows (list, detail, chart, picker, notices): UTC or the browser's local zone,
// chosen in the header and kept in this browser. Times are always labelled with their zone somewhere in sight.

const KEY = 'eventstreams.zone';
const listeners = new Set();
let zone = readZone();

function readZone() {
  try {
    return localStorage.getItem(KEY) === 'local' ? 'local' : 'utc';
  } catch {
    return 'utc';
  }
}

/** 'utc' or 'local'. */
export function timeZone() {
  return zone;
}

export function setTimeZone(next) {
  zone = next === 'local' ? 'local' : 'utc';
  try {
    localStorage.setItem(KEY, zone);
  } catch {
    // private mode: the choice lasts for this page only
  }
  formats.clear();
  listeners.forEach((l) => l(zone));
}

export function onTimeZoneChange(listener) {
  listeners.add(listener);
}

/** The zone's short name for labels: "UTC", or the local zone's (e.g. "CET", "GMT+2"). */
export function zoneName(at = Date.now()) {
  if (zone === 'utc') {
    return 'UTC';
  }
  const part = new Intl.DateTimeFormat('en', { timeZoneName: 'short' }).formatToParts(at).find((p) => p.type === 'timeZoneName');
  return part?.value ?? 'local';
}

const formats = new Map();
function format(kind) {
  let f = formats.get(kind);
  if (!f) {
    const options = { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' };
    if (kind === 'date') {
      Object.assign(options, { year: 'numeric', month: '2-digit', day: '2-digit' });
    } else if (kind === 'ms') {
      Object.assign(options, { year: 'numeric', month: '2-digit', day: '2-digit', fractionalSecondDigits: 3 });
    }
    if (zone === 'utc') {
      options.timeZone = 'UTC';
    }
    f = new Intl.DateTimeFormat('sv-SE', options); // ISO-like: 2026-11-30 03:04:05
    formats.set(kind, f);
  }
  return f;
}

/** "03:04:05" in the chosen zone. */
export function formatClock(ms) {
  return format('clock').format(ms);
}

/** "2026-11-30 03:04:05" in the chosen zone. */
export function formatDateTime(ms) {
  return format('date').format(ms);
}

/** "2026-11-30 03:04:05.678 UTC": a full time with its zone, for the detail pane and notices. */
export function formatFull(ms) {
  return `${format('ms').format(ms).replace(',', '.')} ${zoneName(ms)}`;
}

/** The start of today in the chosen zone, in epoch ms. */
export function startOfToday(now = Date.now()) {
  if (zone === 'utc') {
    return now - (now % 86_400_000);
  }
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** The value of a datetime-local input for an ISO time, in the chosen zone. */
export function toInput(iso) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) {
    return '';
  }
  const offset = zone === 'utc' ? 0 : new Date(t).getTimezoneOffset();
  return new Date(t - offset * 60_000).toISOString().slice(0, 19);
}

/** The ISO time of a datetime-local input's value, read in the chosen zone; '' when it is not a time. */
export function fromInput(value) {
  if (!value) {
    return '';
  }
  const t = zone === 'utc' ? Date.parse(`${value}Z`) : new Date(value).getTime();
  return Number.isNaN(t) ? '' : new Date(t).toISOString();
}
