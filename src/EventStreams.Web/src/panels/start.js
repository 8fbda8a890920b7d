// The start position: now, the oldest retained event, the last N events (since=last:N; the offset id where the
// server counted the last N events back, asked at each start), a point in time (picker in the page's time zone, and quick
// relative choices that links and saved views keep relative: since=-15m), or an event id.
import { $ } from './dom.js';
import { isRelative, relativeText, resolveSince } from '../state.js';
import { toInput, fromInput, zoneName, onTimeZoneChange, formatDateTime } from '../time.js';
import { clampLastN } from '../retention.js';

const AGO = { 5: '-5m', 15: '-15m', 60: '-1h', 1440: '-24h' };

export function mountStart(controller) {
  const render = () => {
    const state = controller.state;
    for (const radio of document.querySelectorAll('input[name=start]')) {
      radio.checked = radio.value === state.start;
    }
    $('start-time').hidden = state.start !== 'time';
    $('start-id').hidden = state.start !== 'id';
    $('start-last').hidden = state.start !== 'last';
    $('last-n').value = String(state.lastN);
    $('since').value = state.since ? toInput(resolveSince(state.since)) : '';
    $('since').setAttribute('aria-label', `Start at (${zoneName()})`);
    $('since-zone').textContent = zoneName();
    $('since-relative').textContent = isRelative(state.since)
      ? `Relative: ${relativeText(state.since)} before each start (kept so in the link and saved views).`
      : '';
    $('last-event-id').value = state.lastEventId;
  };
  controller.on('start', render);
  controller.on('replaced', render);
  onTimeZoneChange(render);

  // How far back the selected streams go: "data from <time>" each (asked again when the selection changes).
  const renderRetention = () => {
    const lines = controller.state.streams.filter((name) => controller.retention.has(name)).map((name) => {
      const { oldest } = controller.retention.get(name);
      const text = oldest === null ? 'no data retained' : `data from ${formatDateTime(oldest)} ${zoneName(oldest)}`;
      return controller.state.streams.length > 1 ? `${name}: ${text}` : text;
    });
    $('retention').hidden = Boolean(controller.settings?.upstream);
    $('retention').textContent = lines.join(' · ');
    $('retention').title = lines.length > 0 ? `The oldest retained event of each selected stream, from the server:\n${lines.join('\n')}` : '';
  };
  const askRetention = () => {
    renderRetention();
    if (controller.settings && controller.state.streams.length > 0) {
      controller.refreshRetention();
    }
  };
  controller.on('retention', renderRetention);
  controller.on('streams', askRetention);
  controller.on('replaced', askRetention);
  controller.on('catalog', askRetention);
  onTimeZoneChange(renderRetention);

  for (const radio of document.querySelectorAll('input[name=start]')) {
    radio.addEventListener('change', () => controller.chooseStart(radio.value));
  }
  $('since').addEventListener('change', () => {
    controller.setStart({ since: fromInput($('since').value) }, { quiet: true });
    $('since-relative').textContent = '';
  });
  for (const quick of document.querySelectorAll('[data-ago]')) {
    quick.addEventListener('click', () => controller.setStart({ start: 'time', since: AGO[quick.dataset.ago] }));
  }
  $('last-n').addEventListener('change', () => {
    controller.setStart({ start: 'last', lastN: clampLastN($('last-n').value) });
  });
  $('last-event-id').addEventListener('change', () => {
    controller.setStart({ lastEventId: $('last-event-id').value.trim() }, { quiet: true });
  });
}
