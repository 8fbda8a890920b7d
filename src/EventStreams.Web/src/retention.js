// How far back each stream's data goes, from GET v2/retention/<streams> (not served in upstream mode): per partition
// the low and high watermarks and the oldest retained event's time. Also the "last N events" start built from it.
import { appUrl } from './paths.js';

export const DEFAULT_LAST_N = 100;
export const MAX_LAST_N = 1_000_000;

/**
 * The retention of `streams` as a Map name -> {oldest (ms or null), partitions}, or null when the server cannot say.
 * With `at` (ms), each partition also has `at`: the offset `since=at` starts it at (the server's `at_offset`). With
 * `last`, the server also says where the last `last` events of all their partitions begin (the Map's `last`).
 */
export async function loadRetention(streams, { signal, at, last } = {}) {
  if (streams.length === 0) {
    return new Map();
  }
  try {
    const query = new URLSearchParams();
    if (at !== undefined) {
      query.set('at', String(Math.max(0, Math.floor(at))));
    }
    if (last) {
      query.set('last', String(last));
    }
    const q = query.toString();
    // Offsets at a time and the last N are as of now: never from the browser's cache.
    const fresh = at !== undefined || Boolean(last);
    const response = await fetch(appUrl(`v2/retention/${streams.map(encodeURIComponent).join(',')}${q ? `?${q}` : ''}`), { signal, cache: fresh ? 'no-store' : 'default' });
    if (!response.ok) {
      return null;
    }
    return parseRetention(await response.json());
  } catch {
    return null;
  }
}

export function parseRetention(json) {
  const result = new Map();
  for (const s of Array.isArray(json?.streams) ? json.streams : []) {
    if (typeof s?.stream !== 'string') {
      continue;
    }
    const partitions = (Array.isArray(s.partitions) ? s.partitions : []).filter((p) => typeof p?.topic === 'string'
      && Number.isInteger(p.partition) && Number.isSafeInteger(p.low) && Number.isSafeInteger(p.high))
      .map((p) => (Number.isSafeInteger(p.at_offset) ? { ...p, at: p.at_offset } : p));
    result.set(s.stream, { oldest: Number.isFinite(s.oldest_timestamp) ? s.oldest_timestamp : null, partitions });
  }
  if (Array.isArray(json?.last?.start) && json.last.start.length > 0) {
    result.last = { events: json.last.events, id: JSON.stringify(json.last.start) };
  }
  return result;
}

/** N from what a person typed (or a link held): a whole number from 1 to MAX_LAST_N, else the default. */
export function clampLastN(value) {
  const n = Math.floor(Number(value));
  return Number.isFinite(n) && n >= 1 ? Math.min(MAX_LAST_N, n) : DEFAULT_LAST_N;
}

/**
 * The Last-Event-ID that starts at the last N events, as the server counted them when asked with `last` (in events,
 * not offsets: transaction markers and skipped messages take offsets too); '' when it did not say.
 */
export function lastEventsId(retention) {
  return retention?.last?.id ?? '';
}

/** The partitions of `streams`, each once (two streams may share a topic). */
export function partitionsOf(retention, streams) {
  const partitions = new Map();
  for (const name of streams) {
    for (const p of retention.get(name)?.partitions ?? []) {
      partitions.set(`${p.topic}\u0000${p.partition}`, p);
    }
  }
  return [...partitions.values()];
}
