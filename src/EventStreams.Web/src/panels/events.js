// The events: the rate chart, the virtualised list and the detail pane of the selected event.
import { $ } from './dom.js';
import { VirtualList } from '../list.js';
import { DetailPane } from '../detail.js';
import { RateChart } from '../chart.js';

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
  });
  const list = new VirtualList($('list'), $('list-spacer'), {
    onSelect: (record, open) => {
      if (open || detail.isOpen) {
        detail.show(record);
      }
    },
    onOpen: (record) => detail.show(record),
    stream: (name) => name,
  });

  controller.on('frame', ({ added, dropped }) => {
    if (added > 0 || dropped > 0) {
      list.update(store.view, dropped);
    }
  });
  controller.on('view', (dropped) => list.update(store.view, dropped ?? 0));
  controller.on('cleared', () => {
    detail.element.hidden = true;
    list.selectedSeq = null;
    chart.draw();
  });

  return { list, detail, chart };
}
