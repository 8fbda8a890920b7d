// Draws the per-stream rates (rates.js) once a second with uPlot.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatClock } from './time.js';

const HEIGHT = 130;
const LABEL_SPACE = 90;
const LABEL_OVERHANG = 32;
const COLORS = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#ec4899', '#14b8a6', '#84cc16'];

export class RateChart {
  /** @param {HTMLElement} element @param {import('./rates.js').RateCounts} rates */
  constructor(element, rates) {
    this.element = element;
    this.rates = rates;
    this.plot = null;
    new ResizeObserver(() => this.resize()).observe(element);
    setInterval(() => this.draw(), 1000);
  }

  /** The series changed (or were set again): rebuild the plot when they differ or there is none yet. */
  seriesChanged(changed) {
    if (changed || !this.plot) {
      this.rebuild();
    }
  }

  rebuild() {
    this.plot?.destroy();
    this.plot = null;
    const streams = this.rates.streams;
    if (streams.length === 0) {
      this.element.hidden = true;
      return;
    }
    this.element.hidden = false;
    const style = getComputedStyle(document.documentElement);
    const ink = style.getPropertyValue('--muted').trim() || '#888';
    const grid = style.getPropertyValue('--line').trim() || '#8884';
    const axis = { stroke: ink, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    this.plot = new uPlot({
      width: Math.max(200, this.width()),
      height: HEIGHT,
      // Room on the right for half of the newest time label, which is centred on the plot's right edge.
      padding: [null, LABEL_OVERHANG, null, null],
      legend: { show: true, live: false },
      cursor: { show: true, drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [
        // Room for a whole label and a gap between neighbours: "00:00:00" is about 55 px wide.
        { ...axis, size: 28, space: LABEL_SPACE, values: (u, splits) => splits.map((t) => formatClock(t * 1000)) },
        { ...axis, size: 50, label: 'events/s', labelSize: 14 },
      ],
      series: [{}, ...streams.map((s, i) => ({ label: s, stroke: COLORS[i % COLORS.length], width: 1.5, points: { show: false } }))],
    }, this.rates.data(Date.now()), this.element);
  }

  /** The width inside the element's padding (the canvas wider than that was cut off on the right). */
  width() {
    const style = getComputedStyle(this.element);
    return this.element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  }

  resize() {
    if (this.plot && this.element.clientWidth > 0) {
      this.plot.setSize({ width: this.width(), height: HEIGHT });
    }
  }

  /** The time labels as drawn: [{text, left, right}] in CSS px from the chart's left edge, for the tests (no two may overlap, none may be clipped). */
  labels() {
    const u = this.plot;
    const axis = u?.axes[0];
    if (!axis?._splits) {
      return [];
    }
    const context = document.createElement('canvas').getContext('2d');
    context.font = axis.font[0];
    // uPlot scales the axis font by the device pixel ratio.
    const plotLeft = u.over.offsetLeft;
    return axis._splits.map((t, i) => ({ t, text: axis._values[i] })).filter((l) => l.text != null).map(({ t, text }) => {
      const x = plotLeft + u.valToPos(t, 'x');
      const width = context.measureText(text).width / (devicePixelRatio || 1);
      return { text, left: x - width / 2, right: x + width / 2 };
    });
  }

  draw() {
    if (this.plot && !document.hidden) {
      this.plot.setData(this.rates.data(Date.now()));
    }
  }
}
