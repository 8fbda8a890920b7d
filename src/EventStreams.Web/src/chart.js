// Events per second per stream over the last five minutes, drawn once a second with uPlot.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const SECONDS = 300;
const HEIGHT = 130;
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const COLORS = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#ec4899', '#14b8a6', '#84cc16'];

export class RateChart {
  constructor(element) {
    this.element = element;
    this.counts = new Map(); // stream -> Float64Array(SECONDS), a ring indexed by epoch second
    this.streams = [];
    this.plot = null;
    new ResizeObserver(() => this.resize()).observe(element);
    setInterval(() => this.draw(), 1000);
  }

  setStreams(streams) {
    const same = streams.length === this.streams.length && streams.every((s, i) => s === this.streams[i]);
    if (same && this.plot) {
      return;
    }
    this.streams = [...streams];
    for (const s of streams) {
      if (!this.counts.has(s)) {
        this.counts.set(s, new Float64Array(SECONDS));
      }
    }
    this.rebuild();
  }

  /** Counts one received event (before any client-side filter). */
  count(stream, nowSeconds) {
    let ring = this.counts.get(stream);
    if (!ring) {
      ring = new Float64Array(SECONDS);
      this.counts.set(stream, ring);
    }
    this.touch(nowSeconds);
    ring[nowSeconds % SECONDS]++;
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
  restart() {
    this.since = Math.floor(Date.now() / 1000) - 1;
    this.draw();
  }

  data() {
    const now = Math.floor(Date.now() / 1000);
    this.touch(now);
    const from = Math.max(now - SECONDS + 1, Math.min(this.since ?? 0, now - 10));
    const points = now - from + 1;
    const xs = new Array(points);
    const series = this.streams.map(() => new Array(points));
    for (let i = 0; i < points; i++) {
      const t = from + i;
      xs[i] = t;
      this.streams.forEach((s, j) => {
        // The current second is still filling: leave it out rather than draw a dip.
        series[j][i] = t === now ? null : this.counts.get(s)[t % SECONDS];
      });
    }
    return [xs, ...series];
  }

  rebuild() {
    this.plot?.destroy();
    this.plot = null;
    if (this.streams.length === 0) {
      this.element.hidden = true;
      return;
    }
    this.element.hidden = false;
    const style = getComputedStyle(document.documentElement);
    const ink = style.getPropertyValue('--muted').trim() || '#888';
    const grid = style.getPropertyValue('--line').trim() || '#8884';
    const axis = { stroke: ink, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    this.plot = new uPlot({
      width: Math.max(200, this.element.clientWidth),
      height: HEIGHT,
      legend: { show: true, live: false },
      cursor: { show: true, drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [
        { ...axis, size: 28, values: (u, splits) => splits.map((t) => clock.format(t * 1000)) },
        { ...axis, size: 50, label: 'events/s', labelSize: 14 },
      ],
      series: [{}, ...this.streams.map((s, i) => ({ label: s, stroke: COLORS[i % COLORS.length], width: 1.5, points: { show: false } }))],
    }, this.data(), this.element);
  }

  resize() {
    if (this.plot && this.element.clientWidth > 0) {
      this.plot.setSize({ width: this.element.clientWidth, height: HEIGHT });
    }
  }

  draw() {
    if (this.plot && !document.hidden) {
      this.plot.setData(this.data());
    }
  }
}
