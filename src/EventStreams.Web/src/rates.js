// Events per second per stream over the last five minutes: a ring of counts per stream, indexed by epoch second.
// Counted by event time (the default: a catch-up spreads over the seconds its events were made in, a pause is no drop)
// or by arrival. No DOM here; the chart (chart.js) draws what data() returns.

export const SECONDS = 300;

export class RateCounts {
  constructor() {
    this.counts = new Map(); // stream -> Float64Array(SECONDS)
    this.streams = [];
    this.last = undefined;
    this.since = undefined;
    this.earliest = undefined;
    this.outside = 0; // events older than the window (not plotted)
  }

  /** The series to draw; returns whether they changed. */
  setStreams(streams) {
    const same = streams.length === this.streams.length && streams.every((s, i) => s === this.streams[i]);
    if (same) {
      return false;
    }
    this.streams = [...streams];
    for (const s of streams) {
      if (!this.counts.has(s)) {
        this.counts.set(s, new Float64Array(SECONDS));
      }
    }
    return true;
  }

  /** Counts one received event (before any client-side filter) now. */
  count(stream, nowSeconds) {
    this.countAt(stream, nowSeconds, nowSeconds);
  }

  /**
   * Counts one event at second `at` (its event time), seen at `nowSeconds`: a time ahead of now (clock skew) counts
   * now; one older than the window is not plotted (counted in `outside`).
   */
  countAt(stream, at, nowSeconds) {
    let ring = this.counts.get(stream);
    if (!ring) {
      ring = new Float64Array(SECONDS);
      this.counts.set(stream, ring);
    }
    this.touch(nowSeconds);
    const t = Math.min(at, this.last);
    if (!(t > this.last - SECONDS)) {
      this.outside++;
      return;
    }
    this.earliest = Math.min(this.earliest ?? t, t);
    ring[t % SECONDS]++;
  }

  /** Clear: no counts, and the axis starts over from now. */
  clear(nowMs) {
    for (const ring of this.counts.values()) {
      ring.fill(0);
    }
    this.earliest = undefined;
    this.outside = 0;
    this.restart(nowMs);
  }

  /** The events plotted, over every stream. */
  total() {
    let sum = 0;
    for (const s of this.streams) {
      for (const n of this.counts.get(s)) {
        sum += n;
      }
    }
    return sum;
  }

  // Zero the slots of the seconds that passed without events, so a ring slot never shows last lap's count.
  touch(now) {
    if (this.last === undefined || now - this.last >= SECONDS) {
      for (const ring of this.counts.values()) {
        ring.fill(0);
      }
    } else {
      for (let t = this.last + 1; t <= now; t++) {
        for (const ring of this.counts.values()) {
          ring[t % SECONDS] = 0;
        }
      }
    }
    this.last = Math.max(this.last ?? now, now);
  }

  /** Streaming (re)started: the time axis grows from now until it spans five minutes. */
  restart(nowMs) {
    this.since = Math.floor(nowMs / 1000) - 1;
    this.earliest = undefined;
  }

  /** [xs, ...one series per stream] for uPlot, up to `nowMs`; the current second (still filling) is left out. */
  data(nowMs) {
    const now = Math.floor(nowMs / 1000);
    this.touch(now);
    const from = Math.max(now - SECONDS + 1, Math.min(this.since ?? 0, this.earliest ?? Infinity, now - 10));
    const points = now - from + 1;
    const xs = new Array(points);
    const series = this.streams.map(() => new Array(points));
    for (let i = 0; i < points; i++) {
      const t = from + i;
      xs[i] = t;
      this.streams.forEach((s, j) => {
        series[j][i] = t === now ? null : this.counts.get(s)[t % SECONDS];
      });
    }
    return [xs, ...series];
  }
}
