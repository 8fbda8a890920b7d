// The start position: now, the oldest retained event, a point in time (picker in the page's time zone, and quick
// relative choices that links and saved views keep relative: since=-15m), or an event id.
import { $ } from './dom.js';
import { isRelative, relativeText, resolveSince } from '../state.js';
import { toInput, fromInput, zoneName, onTimeZoneChange } from '../time.js';

const AGO = { 5: '-5m', 15: '-15m', 60: '-1h', 1440: '-24h' };

export function mountStart(controller) {
  const render = () => {
    const state = controller.state;
    for (const radio of document.querySelectorAll('input[name=start]')) {
      radio.checked = radio.value === state.start;
    }
    $('start-time').hidden = state.start !== 'time';
    $('start-id').hidden = state.start !== 'id';
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
  $('last-event-id').addEventListener('change', () => {
    controller.setStart({ lastEventId: $('last-event-id').value.trim() }, { quiet: true });
  });
}
