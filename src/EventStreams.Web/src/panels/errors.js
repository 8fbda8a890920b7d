// Validation-error counts over the kept events: per errored stream and per message. Shown when the list has rejected
// events; refreshed once a second while open.
import { $, el } from './dom.js';
import { errorCounts } from '../summary.js';

export function mountErrorCounts(controller) {
  const box = $('error-counts');
  let shownTotal = -1;
  const render = () => {
    const counts = errorCounts(controller.store.view);
    if (box.hidden !== (counts.total === 0)) {
      box.hidden = counts.total === 0;
    }
    const summary = `Validation errors: ${counts.total.toLocaleString('en')} rejected `
      + `${counts.total === 1 ? 'event' : 'events'} in ${counts.byStream.length} ${counts.byStream.length === 1 ? 'stream' : 'streams'} `
      + `(${counts.byMessage.length} different ${counts.byMessage.length === 1 ? 'message' : 'messages'})`;
    if ($('error-counts-summary').textContent !== summary) {
      $('error-counts-summary').textContent = summary; // unchanged text is not set again: no layout for nothing
    }
    if (!box.open || counts.total === shownTotal) {
      return;
    }
    shownTotal = counts.total;
    $('errors-by-stream').replaceChildren(...counts.byStream.map(([stream, n]) => row([stream, n.toLocaleString('en')])));
    $('errors-by-message').replaceChildren(...counts.byMessage.map(([m, n, streams]) => row([m, n.toLocaleString('en'), streams.join(', ')])));
  };
  box.addEventListener('toggle', () => {
    shownTotal = -1;
    render();
  });
  controller.on('view', render);
  setInterval(render, 1000);
}

function row(cells) {
  const tr = el('tr');
  for (const c of cells) {
    tr.appendChild(el('td', '', String(c)));
  }
  return tr;
}
