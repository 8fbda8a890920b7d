// The events: the rate chart, the virtualised list and the detail pane of the selected event.
import { $ } from './dom.js';
import { VirtualList } from '../list.js';
import { DetailPane } from '../detail.js';
import { SchemaLinks } from '../schemas.js';
import { RateChart } from '../chart.js';
import { streamLabels } from '../summary.js';
import { onTimeZoneChange, zoneName } from '../time.js';
import { Disconnections } from '../disconnections.js';

export function mountEvents(controller) {
  const { store } = controller;
  const chart = new RateChart($('chart'), controller.rates);
  controller.on('series', (changed) => chart.seriesChanged(changed));
  controller.on('started', () => chart.draw());
  const chartBy = $('chart-by');
  chartBy.addEventListener('change', () => controller.setChartBy(chartBy.value));
  const showChartBy = () => {
    chartBy.value = controller.state.chart;
    chart.draw();
  };
  controller.on('chart', showChartBy);
  controller.on('replaced', showChartBy);

  const detail = new DetailPane($('detail'), {
    onClose: () => {
      list.selectedSeq = null;
      list.render();
      $('list').focus({ preventScroll: true });
    },
    onStartHere: (record) => controller.startAfter(record),
    onFilter: (path, value, negated) => controller.filterOn(path, value, negated),
    onErrors: (stream) => controller.showValidationErrors(stream),
    schemaLinks: new SchemaLinks(() => controller.settings),
  });
  const list = new VirtualList($('list'), $('list-spacer'), {
    onSelect: (record, open) => {
      if (!record.gap && (open || detail.isOpen)) {
        detail.show(record);
      }
    },
    onOpen: (record) => {
      if (!record.gap) {
        detail.show(record);
      }
    },
    stream: (name) => labels.get(name) ?? name,
  });

  // The stream column only when more than one stream is shown, as wide as its (shortened, still distinct) names.
  let labels = new Map();
  const showStreams = () => {
    const streams = controller.state.streams;
    labels = streamLabels(streams);
    const wrap = $('list').parentElement;
    wrap.classList.toggle('single', streams.length <= 1);
    const longest = Math.max(6, ...[...labels.values()].map((l) => l.length));
    wrap.style.setProperty('--stream-col', `${longest + 1}ch`);
    list.invalidate();
  };
  controller.on('streams', showStreams);
  controller.on('replaced', showStreams);

  // One time zone everywhere.
  const showZone = () => {
    $('time-head').textContent = `Time (${zoneName()})`;
    list.invalidate();
    chart.rebuild();
    if (detail.isOpen) {
      detail.render();
    }
  };
  onTimeZoneChange(showZone);
  $('time-head').textContent = `Time (${zoneName()})`;

  // The chart folds away (on a narrow screen it starts folded).
  const fold = $('fold-chart');
  const setFolded = (folded) => {
    $('chart').classList.toggle('folded', folded);
    fold.textContent = folded ? 'Show chart' : 'Hide chart';
    fold.setAttribute('aria-expanded', String(!folded));
    if (!folded) {
      chart.rebuild();
    }
  };
  fold.addEventListener('click', () => setFolded(!$('chart').classList.contains('folded')));
  if (matchMedia('(max-width: 760px)').matches) {
    setFolded(true);
  }

  // A mark in the list wherever the connection was lost (disconnections.js).
  const disconnections = new Disconnections();
  const showList = (dropped) => list.update(disconnections.merge(store.view), dropped);
  controller.on('status', (status) => {
    if (disconnections.status(status.state, Date.now(), store.nextSeq - 1)) {
      showList(0);
      list.invalidate();
    }
  });

  controller.on('frame', ({ added, dropped }) => {
    if (added > 0 || dropped > 0) {
      if (dropped > 0) {
        disconnections.trim(store.all[0]?.seq ?? store.nextSeq);
      }
      showList(dropped);
    }
  });
  controller.on('view', (dropped) => showList(dropped ?? 0));
  controller.on('cleared', () => {
    disconnections.clear();
    detail.element.hidden = true;
    list.selectedSeq = null;
    chart.draw();
  });

  return { list, detail, chart };
}
