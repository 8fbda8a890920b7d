// From the wire to the list. The network callback only queues the raw messages; each animation frame then parses and
// lays out as many as fit in a time budget, so a burst (a catch-up from the oldest event, a tab coming back) is spread
// over frames instead of freezing the page. Only the newest `max` can ever be retained, so older queued messages are
// counted and skipped unparsed.
//
// Repeats: a resume from a timestamp-form id, or streaming again from an earlier start without Clear, brings back
// events the page already took. They are recognised by what identifies an event (identity.js), counted and reported,
// never dropped silently. Offsets that go back within one subscription (a recreated topic, another cluster behind the
// same URL after a restart) are reported too, and those events are shown: they are new events.
import { summarize, eventTime, isErrorStream, errorMessages } from './summary.js';
import { eventIdentity, SeenEvents } from './identity.js';

const FRAME_BUDGET_MS = 10;
const STREAM_OF = /"stream":"([^"\\]+)"/;

export class EventIngest {
  /**
   * `onFrame(added, dropped)` runs after each frame that took events, to update the list and the counters;
   * `onRewind({topic, partition, from, to})` when a partition's offsets go back within a subscription;
   * `onFirst(record)` with the first event of each new subscription; `schedule(flush)` runs `flush` when the page can
   * lay out (default: the next animation frame).
   */
  constructor({ store, rates, stats, onFrame, onRewind = () => {}, onFirst = () => {}, schedule = nextFrame }) {
    this.store = store;
    this.rates = rates;
    this.stats = stats;
    this.onFrame = onFrame;
    this.onRewind = onRewind;
    this.onFirst = onFirst;
    this.nextFrame = schedule;
    this.pending = [];
    this.frameRequested = false;
    this.seen = new SeenEvents(() => Math.max(this.store.max, 10_000));
    this.chartBy = 'event';
    this.gate = null; // (topic, partition, offset) => false for an event outside a window (not shown, counted)
    this.floors = new Map(); // "topic\0partition" -> the oldest offset taken since Clear (where "Load older" goes on)
    this.reset({ streams: [], aliasOf: new Map() });
  }

  /**
   * A new subscription (Stream, a new start): a new epoch of positions. The events already taken stay known, so
   * streaming again from an earlier start without Clear does not repeat them in the list.
   */
  reset({ streams, aliasOf }) {
    this.newEpoch();
    this.defaultStream = streams.length === 1 ? streams[0] : '?';
    this.aliasOf = aliasOf; // chart series are the selected names: count an alias's events under the alias
    this.pending = [];
  }

  /** Positions start over: offsets lower than before are expected from here on, not a rewind. */
  newEpoch() {
    this.lastOffsets = new Map(); // "topic/partition" -> last offset taken in this epoch
    this.firstPending = true;
  }

  /** Keeps the positions (a resume or a change of streams continues where it was). */
  setStreams({ streams, aliasOf }) {
    this.defaultStream = streams.length === 1 ? streams[0] : '?';
    this.aliasOf = aliasOf;
  }

  /** Clear: nothing is in the list any more, so nothing counts as a repeat. */
  clear() {
    this.pending = [];
    this.seen.clear();
    this.floors.clear();
  }

  /** Notes the oldest offset taken of each partition. */
  floor(meta) {
    if (typeof meta.offset === 'number') {
      const key = `${meta.topic}\u0000${meta.partition}`;
      if (!(this.floors.get(key) <= meta.offset)) {
        this.floors.set(key, meta.offset);
      }
    }
  }

  /**
   * Older events ("Load older", oldest first) as records to put before the list: known from now on (a live copy would
   * be a repeat), not counted in the chart (their seconds are long gone).
   */
  older(messages) {
    const now = Date.now();
    const records = [];
    for (const message of messages) {
      const event = message.event;
      if (!this.seen.add(eventIdentity(event), message.data)) {
        this.stats.duplicates++;
        continue;
      }
      this.floor(event.meta ?? {});
      records.push(this.record(message, event, event?.meta?.stream ?? this.defaultStream, now));
    }
    return records;
  }

  receive(batch) {
    this.stats.received += batch.length;
    this.stats.maxBatch = Math.max(this.stats.maxBatch, batch.length);
    for (const message of batch) {
      this.pending.push(message);
    }
    if (this.pending.length > this.store.max) {
      this.skip(this.pending.length - this.store.max);
    }
    this.schedule();
  }

  schedule() {
    if (!this.frameRequested && this.pending.length > 0) {
      this.frameRequested = true;
      this.nextFrame(() => this.flush());
    }
  }

  skip(count) {
    const second = Math.floor(Date.now() / 1000);
    for (let i = 0; i < count; i++) {
      this.rates.countAt(this.chartName(STREAM_OF.exec(this.pending[i].data)?.[1]), second, second);
    }
    this.pending.splice(0, count);
    this.stats.skipped += count;
  }

  chartName(stream) {
    return this.aliasOf.get(stream) ?? stream ?? '?';
  }

  parse(message, now, second) {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      this.stats.invalid++;
      return null;
    }
    const meta = event?.meta ?? {};
    const stream = meta.stream ?? this.defaultStream;
    if (this.gate !== null && !this.gate(meta.topic, meta.partition, meta.offset)) {
      this.stats.outside++;
      return null;
    }
    if (!this.seen.add(eventIdentity(event), message.data)) {
      this.stats.duplicates++;
      return null;
    }
    if (typeof meta.offset === 'number') {
      const key = `${meta.topic}/${meta.partition}`;
      const last = this.lastOffsets.get(key);
      if (last !== undefined && meta.offset <= last) {
        this.stats.rewinds++;
        this.onRewind({ topic: meta.topic, partition: meta.partition, from: last, to: meta.offset });
      }
      this.lastOffsets.set(key, meta.offset);
    }
    this.floor(meta);
    const record = this.record(message, event, stream, now);
    this.rates.countAt(this.chartName(stream), this.chartBy === 'event' ? Math.floor(record.time / 1000) : second, second);
    if (this.firstPending) {
      this.firstPending = false;
      this.onFirst(record);
    }
    return record;
  }

  record(message, event, stream, now) {
    const meta = event?.meta ?? {};
    const time = eventTime(event, now);
    const record = {
      seq: 0,
      id: message.id,
      raw: message.data,
      parsed: event,
      stream,
      topic: meta.topic,
      partition: meta.partition,
      offset: meta.offset,
      time,
      summary: summarize(event, stream),
      error: isErrorStream(stream),
      canary: meta.domain === 'canary',
    };
    if (record.error || (event.raw_event !== undefined && event.message !== undefined)) {
      record.errored = typeof event.errored_stream_name === 'string' ? event.errored_stream_name : '';
      record.messages = errorMessages(event.message);
    }
    return record;
  }

  // All DOM work for new events happens here, once per animation frame, however many events arrived since the last.
  flush() {
    this.frameRequested = false;
    const started = performance.now();
    const now = Date.now();
    const second = Math.floor(now / 1000);
    const records = [];
    let taken = 0;
    while (taken < this.pending.length) {
      const record = this.parse(this.pending[taken++], now, second);
      if (record) {
        records.push(record);
      }
      if ((taken & 63) === 0 && performance.now() - started > FRAME_BUDGET_MS) {
        break;
      }
    }
    this.pending.splice(0, taken);
    const { added, dropped } = this.store.add(records, (r) => r.parsed);
    for (const r of records) {
      r.parsed = undefined; // the raw text is kept; the parsed object would double the memory
    }
    this.stats.shown += added;
    this.stats.frames++;
    this.onFrame(added, dropped);
    this.stats.maxFrameMs = Math.max(this.stats.maxFrameMs, performance.now() - started);
    this.schedule();
  }
}

function nextFrame(flush) {
  // No animation frames in a hidden tab: keep draining (the browser runs these timers about once a second there).
  if (document.hidden) {
    setTimeout(flush, 100);
  } else {
    requestAnimationFrame(flush);
  }
}
