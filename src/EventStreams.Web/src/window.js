// Exact stretches of history, without the DOM: per partition a range of offsets [start, end). A time window
// ("from … to …") and a page of older events ("Load older") are both read as such ranges, starting with an offset-form
// id, so what is shown is exactly the events at those offsets: none twice, none missing at a boundary. Times become
// offsets on the server (`GET v2/retention/…?at=`, the same lookup as `since`).

/** The key of a partition in the maps below. */
export const partitionKey = (topic, partition) => `${topic}\u0000${partition}`;

/** The offsets an offset-form id names: Map key -> offset (timestamp elements and topic names are left out). */
export function idOffsets(id) {
  const offsets = new Map();
  try {
    for (const e of JSON.parse(id)) {
      if (typeof e?.topic === 'string' && Number.isInteger(e.partition) && Number.isSafeInteger(e.offset)) {
        offsets.set(partitionKey(e.topic, e.partition), e.offset);
      }
    }
  } catch {
    // not an offset-form id: nothing fixed
  }
  return offsets;
}

/**
 * The ranges of a window: each partition starts where `starts` (an id's offsets) says, else at its `at` offset (the
 * retention was asked `at` the start time), else at its high watermark (now). The end is not known yet (null).
 */
export function windowRanges(partitions, starts = new Map()) {
  return new Map(partitions.map((p) => {
    const key = partitionKey(p.topic, p.partition);
    return [key, { topic: p.topic, partition: p.partition, start: starts.get(key) ?? p.at ?? p.high, end: null, last: null, reached: false }];
  }));
}

/** The ends of a window: each partition's `at` offset (the retention asked at the end time + 1 ms). */
export function setEnds(ranges, partitions) {
  for (const p of partitions) {
    const r = ranges.get(partitionKey(p.topic, p.partition));
    if (r) {
      r.end = Math.max(r.start, p.at ?? p.high);
      r.reached ||= r.start >= r.end || (r.last !== null && r.last >= r.end - 1);
    }
  }
}

/**
 * A page of older events before `floors` (Map key -> the oldest offset the list has of each partition; a partition
 * without one pages back from its high watermark): about `size` events over the partitions that have older ones,
 * never before the low watermark. Null when no partition has anything older.
 */
export function olderRanges(partitions, floors, size) {
  const older = partitions.map((p) => ({ p, end: Math.min(floors.get(partitionKey(p.topic, p.partition)) ?? p.high, p.high) }));
  const open = older.filter(({ p, end }) => end > p.low);
  if (open.length === 0 || size < 1) {
    return null;
  }
  const each = Math.ceil(size / open.length);
  return new Map(older.map(({ p, end }) => [partitionKey(p.topic, p.partition), {
    topic: p.topic, partition: p.partition, start: Math.max(p.low, end - each), end, last: null, reached: end <= p.low,
  }]));
}

/**
 * The offset-form id that starts every range at its start. Empty ranges are left out: the server starts those
 * partitions now, and what comes from them is not taken.
 */
export function rangesId(ranges) {
  return JSON.stringify([...ranges.values()].filter((r) => r.end === null || r.start < r.end)
    .map((r) => ({ topic: r.topic, partition: r.partition, offset: r.start })));
}

/**
 * Takes note of an event at `offset` in `topic`/`partition`; true when it belongs to the ranges (at or after its
 * partition's start and before its end, or the end is not known yet). An event of a partition not in the ranges does not.
 */
export function take(ranges, topic, partition, offset) {
  const r = ranges.get(partitionKey(topic, partition));
  if (!r || typeof offset !== 'number') {
    return false;
  }
  r.last = Math.max(r.last ?? offset, offset);
  if (r.end !== null && offset >= r.end - 1) {
    r.reached = true;
  }
  return offset >= r.start && (r.end === null || offset < r.end);
}

/** Every range read to its end (each end known). */
export function allReached(ranges) {
  return [...ranges.values()].every((r) => r.end !== null && r.reached);
}

/** Events the ranges hold in all: the sum of end − start (ends known). */
export function rangesSize(ranges) {
  return [...ranges.values()].reduce((n, r) => n + Math.max(0, (r.end ?? r.start) - r.start), 0);
}
