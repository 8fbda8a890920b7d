// From the wire to the list. The network callback only queues the raw messages; each animation frame then parses and
// lays out as many as fit in a time budget, so a burst (a catch-up from the oldest event, a tab coming back) is spread
// over frames instead of freezing the page. Only the newest `max` can ever be retained, so older queued messages are
// counted and skipped unparsed.
import { summarize, eventTime, isErrorStream } from './summary.js';

const FRAME_BUDGET_MS = 10;
const STREAM_OF = /"stream":"([^"\\]+)"/;

export class EventIngest {
  /** `onFrame(added, dropped)` runs after each frame that took events, to update the list and the counters. */
  constructor({ store, rates, stats, onFrame }) {
    this.store = store;
    this.rates = rates;
    this.stats = stats;
    this.onFrame = onFrame;
    this.pending = [];
    this.frameRequested = false;
    this.reset({ streams: [], aliasOf: new Map() });
  }

  /** A new subscription: forget the positions seen (they drop the duplicates a resume may bring back). */
  reset({ streams, aliasOf }) {
    this.lastOffsets = new Map(); // "topic/partition" -> highest offset taken
    this.defaultStream = streams.length === 1 ? streams[0] : '?';
    this.aliasOf = aliasOf; // chart series are the selected names: count an alias's events under the alias
    this.pending = [];
  }

  /** Keeps the positions (a resume or a change of streams continues where it was). */
  setStreams({ streams, aliasOf }) {
    this.defaultStream = streams.length === 1 ? streams[0] : '?';
    this.aliasOf = aliasOf;
  }

  clear() {
    this.pending = [];
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
      // No animation frames in a hidden tab: keep draining (the browser runs these timers about once a second there).
      if (document.hidden) {
        setTimeout(() => this.flush(), 100);
      } else {
        requestAnimationFrame(() => this.flush());
      }
    }
  }

  skip(count) {
    const second = Math.floor(Date.now() / 1000);
    for (let i = 0; i < count; i++) {
      this.rates.count(this.chartName(STREAM_OF.exec(this.pending[i].data)?.[1]), second);
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
    if (typeof meta.offset === 'number') {
      const key = `${meta.topic}/${meta.partition}`;
      const last = this.lastOffsets.get(key);
      if (last !== undefined && meta.offset <= last) {
        this.stats.duplicates++;
        return null;
      }
      this.lastOffsets.set(key, meta.offset);
    }
    this.rates.count(this.chartName(stream), second);
    return {
      seq: 0,
      id: message.id,
      raw: message.data,
      parsed: event,
      stream,
      topic: meta.topic,
      partition: meta.partition,
      offset: meta.offset,
      time: eventTime(event, now),
      summary: summarize(event, stream),
      error: isErrorStream(stream),
      canary: meta.domain === 'canary',
    };
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
