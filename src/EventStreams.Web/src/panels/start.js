// The start position: now, the oldest retained event, the last N events (since=last:N; the offset id where the
// server counted the last N events back, asked at each start), a point in time (picker in the page's time zone, and quick
// relative choices that links and saved views keep relative: since=-15m), or an offset per partition (or a pasted id);
// and where to stop ("Stop at": the end of a window, until=).
import { $, el } from './dom.js';
import { isRelative, relativeText, resolveSince } from '../state.js';
import { toInput, fromInput, zoneName, onTimeZoneChange, formatDateTime } from '../time.js';
import { clampLastN, partitionsOf } from '../retention.js';
import { idOffsets, partitionKey } from '../window.js';

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
    $('until-on').checked = Boolean(state.until);
    $('until').disabled = !state.until;
    $('until').value = state.until ? toInput(state.until) : $('until').value;
    $('until').setAttribute('aria-label', `Stop at (${zoneName()})`);
    $('until-zone').textContent = zoneName();
    $('until-hint').textContent = state.until
      ? 'The stream stops after the last event at or before this time in every partition, and says so.'
      : '';
    renderPicker();
  };

  // One offset per partition of the selected streams (from the retention the page reads), in place of typing an id.
  const renderPicker = () => {
    const partitions = partitionsOf(controller.retention, controller.state.streams);
    $('offset-picker').hidden = partitions.length === 0;
    const offsets = idOffsets(controller.state.lastEventId);
    const rows = $('offset-rows');
    const focused = rows.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    rows.replaceChildren(...partitions.map((p) => {
      const key = partitionKey(p.topic, p.partition);
      const input = el('input');
      input.type = 'number';
      input.min = String(p.low);
      input.step = '1';
      input.dataset.key = key;
      input.dataset.topic = p.topic;
      input.dataset.partition = String(p.partition);
      input.value = offsets.has(key) ? String(offsets.get(key)) : '';
      input.placeholder = String(p.high);
      input.setAttribute('aria-label', `Offset of ${p.topic} partition ${p.partition}`);
      input.addEventListener('change', pickOffsets);
      const tr = el('tr');
      const offset = el('td');
      offset.append(input);
      tr.append(el('td', '', p.topic), el('td', '', String(p.partition)), offset, el('td', 'muted', `${p.low}–${p.high - 1}`));
      return tr;
    }));
    if (focused) {
      rows.querySelector(`input[data-key="${CSS.escape(focused)}"]`)?.focus();
    }
  };
  const pickOffsets = () => {
    const picked = [...$('offset-rows').querySelectorAll('input')].filter((i) => i.value.trim() !== '' && Number.isSafeInteger(Number(i.value)))
      .map((i) => ({ topic: i.dataset.topic, partition: Number(i.dataset.partition), offset: Math.max(0, Number(i.value)) }));
    const id = picked.length > 0 ? JSON.stringify(picked) : '';
    $('last-event-id').value = id;
    controller.setStart({ start: 'id', lastEventId: id }, { quiet: true });
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
  controller.on('retention', () => {
    renderRetention();
    renderPicker();
  });
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
    renderPicker();
  });
  const setUntil = () => {
    const until = $('until-on').checked ? fromInput($('until').value) : '';
    controller.setStart({ until }, { quiet: true });
    $('until').disabled = !$('until-on').checked;
  };
  $('until-on').addEventListener('change', () => {
    if ($('until-on').checked && !$('until').value) {
      $('until').value = toInput(new Date().toISOString());
    }
    setUntil();
    render();
  });
  $('until').addEventListener('change', setUntil);
}
