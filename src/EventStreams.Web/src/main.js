// The page: one controller (controller.js: the view and the streaming session) holds the URL's view, the connection
// and the kept events; each panel renders its part of the page from it and calls its commands. A new panel is one more
// mount call here.
import './styles.css';
import { Controller } from './controller.js';
import { StreamConnection } from './connection.js';
import { HubStreamConnection } from './hub.js';
import { fromHash } from './state.js';
import { observeResponsiveness } from './perf.js';
import { $ } from './panels/dom.js';
import { mountHeader } from './panels/header.js';
import { mountEvents } from './panels/events.js';
import { mountToolbar } from './panels/toolbar.js';
import { mountStreams } from './panels/streams.js';
import { mountStart } from './panels/start.js';
import { mountFilters } from './panels/filters.js';
import { mountViews } from './panels/views.js';
import { mountNotices } from './panels/notices.js';
import { mountFind } from './panels/find.js';
import { mountErrorCounts } from './panels/errors.js';
import { mountSend } from './panels/send.js';
import { mountOlder } from './panels/older.js';
import { mountEnvironment } from './panels/environment.js';
import { loadSettings } from './environment.js';

const controller = new Controller(fromHash(location.hash), { transports: { sse: StreamConnection, signalr: HubStreamConnection } });
observeResponsiveness(controller.stats);

// The events panel first: the list takes each frame's events before the toolbar counts them.
const { list, detail, chart } = mountEvents(controller);
mountHeader(controller, { onThemeChange: () => chart.rebuild() });
mountToolbar(controller, { list });
mountStreams(controller);
mountStart(controller);
mountFilters(controller);
mountViews(controller);
mountNotices(controller);
mountFind(controller, { list });
mountErrorCounts(controller);
mountSend(controller, { list });
mountOlder(controller);

document.addEventListener('keydown', (e) => {
  const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement;
  if (e.key === 'Escape' && detail.isOpen) {
    detail.close();
  } else if (e.key === '/' && !typing) {
    // "/" jumps to the stream search (on a narrow screen the controls open first).
    e.preventDefault();
    if (!document.body.classList.contains('controls-open') && getComputedStyle($('toggle-controls')).display !== 'none') {
      $('toggle-controls').click();
    }
    $('stream-search').focus();
  }
});

window.eventStreamsUi = {
  stats: controller.stats,
  state: () => structuredClone(controller.state),
  mode: () => controller.mode,
  shown: () => controller.store.view.map((r) => r.raw),
  controller,
  chart: () => ({ labels: chart.labels(), plotted: controller.rates.total(), data: controller.rates.data(Date.now()) }),
};

controller.replace(controller.state, { autostart: false });
$('catalog-message').textContent = 'Loading the catalogue…';
// The settings first: a link that asks for SignalR must not start on a server that has no hub.
loadSettings().then((settings) => {
  mountEnvironment(controller, settings);
  return controller.loadCatalog();
}).then(() => {
  // A shared link opens live, like the reference UI's.
  if (controller.state.streams.length > 0) {
    controller.start();
  }
});
