// The wire protocol's ids, without the DOM: what the page sends as Last-Event-ID. An id is the server's JSON array of
// per-partition positions, `[{"topic","partition","offset"}]` (or `"timestamp"` in the timestamp form), and a bare
// topic name stands for "this topic from now".
import { DEFAULT_MAX } from './state.js';

/**
 * An id that starts right after this event. The server's timestamp-form id resumes at the event's own timestamp (it
 * repeats the events that share it, to lose none); for the event's own partition use the exact next offset instead.
 */
export function idAfter(record) {
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

/**
 * The id for a new selection of streams: the positions of the topics that stay, and a bare topic name (start now) for
 * each topic that is new. '' (start now everywhere) when the id is not an array or a topic is unknown.
 */
export function idForTopics(lastId, topics) {
  if (!lastId || topics === null) {
    return '';
  }
  try {
    const kept = JSON.parse(lastId).filter((e) => topics.has(typeof e === 'string' ? e : e.topic));
    const covered = new Set(kept.map((e) => (typeof e === 'string' ? e : e.topic)));
    return JSON.stringify([...kept, ...[...topics].filter((t) => !covered.has(t))]);
  } catch {
    return '';
  }
}

/** The topics of the selected streams from the catalogue, or null when any of them is unknown or has none listed. */
export function topicsOf(streams, catalog) {
  const topics = new Set();
  for (const name of streams) {
    const s = catalog.find((c) => c.name === name);
    if (!s || s.topics.length === 0) {
      return null;
    }
    s.topics.forEach((t) => topics.add(t));
  }
  return topics;
}

const MIN_MAX = 100;
const MAX_MAX = 200_000;

/** The number of events to keep, from what a person typed. */
export function clampMax(value) {
  return Math.max(MIN_MAX, Math.min(MAX_MAX, Math.floor(Number(value)) || DEFAULT_MAX));
}
