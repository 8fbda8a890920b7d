// The toolbar: Stream / Pause / Resume, Stop, Clear, downloads, Copy link, and the counters with the rate.
import { $ } from './dom.js';
import { copy } from '../detail.js';
import { downloadNdjson, downloadCsv } from '../download.js';
import { fileLabel } from '../environment.js';

const exportLabel = (controller) => (controller.settings ? fileLabel(controller.settings) : '');

export function mountToolbar(controller, { list }) {
  const { stats, store } = controller;

  const renderButtons = () => {
    const mode = controller.mode;
    const b = $('stream');
    b.textContent = mode === 'live' ? 'Pause' : mode === 'paused' ? 'Resume' : 'Stream';
    b.setAttribute('aria-pressed', String(mode === 'live'));
    $('stop').disabled = mode !== 'live' && mode !== 'paused';
  };
  controller.on('mode', renderButtons);

  // Counters for screen readers: politely, when streaming stops or pauses, and at most every 30 s while live.
  let announcedAt = 0;
  const announce = (prefix) => {
    announcedAt = performance.now();
    $('announce').textContent = `${prefix}${store.view.length.toLocaleString('en')} shown, ${store.all.length.toLocaleString('en')} kept `
      + `of at most ${store.max.toLocaleString('en')}, ${stats.received.toLocaleString('en')} received.`;
  };
  controller.on('mode', (mode) => {
    if (mode === 'paused' || mode === 'stopped') {
      announce(mode === 'paused' ? 'Paused. ' : 'Stopped. ');
    }
  });
  controller.on('cleared', () => announce('Cleared. '));
  setInterval(() => {
    if (controller.mode === 'live' && performance.now() - announcedAt > 30_000) {
      announce('');
    }
  }, 5000);

  $('stream').addEventListener('click', () => controller.toggle());
  $('stop').addEventListener('click', () => controller.stop());
  $('clear').addEventListener('click', () => controller.clear());
  $('download-ndjson').addEventListener('click', () => downloadNdjson(store.view, exportLabel(controller)));
  $('download-csv').addEventListener('click', () => downloadCsv(store.view, exportLabel(controller)));
  $('copy-link').addEventListener('click', () => copy(location.href, $('copy-link').parentElement));
  $('jump-newest').addEventListener('click', () => list.scrollToNewest());

  let countersAt = 0;
  let countersTimer = 0;
  const renderCounters = (force) => {
    const now = performance.now();
    if (!force && now - countersAt < 250) {
      // Text updates four times a second are plenty; make sure the last batch is counted all the same.
      countersTimer ||= setTimeout(() => {
        countersTimer = 0;
        renderCounters(true);
      }, 250);
      return;
    }
    countersAt = now;
    $('count-shown').textContent = store.view.length.toLocaleString('en');
    $('count-received').textContent = stats.received.toLocaleString('en');
    $('count-kept').textContent = store.all.length.toLocaleString('en');
    $('count-cap').textContent = store.max.toLocaleString('en');
    $('empty').hidden = store.view.length > 0;
    // An empty list says why: nothing came yet, or the filters hide every kept event.
    const hidden = store.all.length;
    $('empty').textContent = hidden === 0 ? 'No events yet.'
      : `No event passes the filters: ${hidden === 1 ? 'the 1 kept event is' : `all ${hidden.toLocaleString('en')} kept events are`} hidden by them.`;
    $('jump-newest').hidden = list.follow || store.view.length === 0;
  };
  controller.on('frame', () => renderCounters(false));
  controller.on('view', () => renderCounters(true));

  let rateFrom = { at: performance.now(), received: 0, shown: 0 };
  controller.on('cleared', () => {
    rateFrom = { at: performance.now(), received: 0, shown: stats.shown };
  });
  setInterval(() => {
    const now = performance.now();
    const seconds = (now - rateFrom.at) / 1000;
    const rate = (stats.received - rateFrom.received) / seconds;
    stats.receivedPerSecond = rate;
    stats.shownPerSecond = (stats.shown - rateFrom.shown) / seconds;
    rateFrom = { at: now, received: stats.received, shown: stats.shown };
    $('rate').textContent = rate >= 100 ? Math.round(rate).toLocaleString('en') : rate.toFixed(1);
    renderCounters(true);
  }, 1000);
}
