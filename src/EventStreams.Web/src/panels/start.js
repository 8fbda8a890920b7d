// The start position: now, the oldest retained event, a point in time (picker and quick choices), or an event id.
import { $ } from './dom.js';

function toLocalInput(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) {
    return '';
  }
  const local = new Date(d.getTime() - d.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 19);
}

export function mountStart(controller) {
  const render = () => {
    const state = controller.state;
    for (const radio of document.querySelectorAll('input[name=start]')) {
      radio.checked = radio.value === state.start;
    }
    $('start-time').hidden = state.start !== 'time';
    $('start-id').hidden = state.start !== 'id';
    $('since').value = state.since ? toLocalInput(state.since) : '';
    $('last-event-id').value = state.lastEventId;
  };
  controller.on('start', render);
  controller.on('replaced', render);

  for (const radio of document.querySelectorAll('input[name=start]')) {
    radio.addEventListener('change', () => controller.chooseStart(radio.value));
  }
  $('since').addEventListener('change', () => {
    const d = new Date($('since').value);
    controller.setStart({ since: Number.isNaN(d.getTime()) ? '' : d.toISOString() }, { quiet: true });
  });
  for (const quick of document.querySelectorAll('[data-ago]')) {
    quick.addEventListener('click', () => {
      controller.setStart({ start: 'time', since: new Date(Date.now() - Number(quick.dataset.ago) * 60_000).toISOString() });
    });
  }
  $('last-event-id').addEventListener('change', () => {
    controller.setStart({ lastEventId: $('last-event-id').value.trim() }, { quiet: true });
  });
}
