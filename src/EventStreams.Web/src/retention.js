// How far back each stream's data goes, from GET v2/retention/<streams> (not served in upstream mode): per partition
// the low and high watermarks and the oldest retained event's time. Also the "last N events" start built from it.
import { appUrl } from './paths.js';

export const DEFAULT_LAST_N = 100;
export const MAX_LAST_N = 1_000_000;

/**
 * The retention of `streams` as a Map name -> {oldest (ms or null), partitions}, or null when the server cannot say.
 * With `at` (ms), each partition also has `at`: the offset `since=at` starts it at (the server's `at_offset`).
 */
export async function loadRetention(streams, { signal, at } = {}) {
  if (streams.length === 0) {
    return new Map();
  }
  try {
    const query = at === undefined ? '' : `?at=${Math.max(0, Math.floor(at))}`;
    const response = await fetch(appUrl(`v2/retention/${streams.map(encodeURIComponent).join(',')}${query}`), { signal, cache: at === undefined ? 'default' : 'no-store' });
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
  return result;
}

/** N from what a person typed (or a link held): a whole number from 1 to MAX_LAST_N, else the default. */
export function clampLastN(value) {
  const n = Math.floor(Number(value));
  return Number.isFinite(n) && n >= 1 ? Math.min(MAX_LAST_N, n) : DEFAULT_LAST_N;
}

/**
 * The offset-form Last-Event-ID that starts about `n` events back: each of the streams' partitions (each counted once)
 * starts ceil(n / partitions) before its high watermark, never before its low one. '' when there are no partitions.
 */
export function lastEventsId(retention, streams, n) {
  const partitions = partitionsOf(retention, streams);
  if (partitions.length === 0) {
    return '';
  }
  const each = Math.ceil(n / partitions.length);
  return JSON.stringify(partitions.map((p) => ({ topic: p.topic, partition: p.partition, offset: Math.max(p.low, p.high - each) })));
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
