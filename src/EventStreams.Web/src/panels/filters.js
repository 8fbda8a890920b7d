// The filters panel: free text over the raw JSON, field filters (sent to the server and applied in the page), canary.
import { $, el } from './dom.js';
import { parseFilter, filterLabel } from '../filters.js';

export function mountFilters(controller) {
  let textTimer = 0; // a text filter typed but not yet taken (below)
  const render = () => {
    const state = controller.state;
    if (!textTimer && $('text-filter').value !== state.text) {
      $('text-filter').value = state.text;
    }
    $('hide-canary').checked = state.hideCanary;
    const container = $('field-filters');
    container.replaceChildren();
    for (const f of state.filters) {
      const parsed = parseFilter(f);
      const where = parsed?.server ? 'server' : 'page';
      const chip = el('button', `chip filter ${where}`, `${parsed ? filterLabel(parsed) : f} ✕`);
      chip.type = 'button';
      chip.title = parsed?.server ? 'Runs on the server (and in the page). Remove this filter' : 'Runs in the page only. Remove this filter';
      chip.setAttribute('aria-label', `Remove filter ${parsed ? filterLabel(parsed) : f} (${parsed?.server ? 'on the server' : 'in the page'})`);
      chip.dataset.filter = f;
      chip.addEventListener('click', () => controller.removeFilter(f));
      container.appendChild(chip);
    }
  };
  controller.on('filters', render);
  controller.on('replaced', () => {
    clearTimeout(textTimer); // a whole new view: what was being typed belonged to the old one
    textTimer = 0;
    render();
  });

  // The text filter waits 150 ms for more typing; any other filter change first takes what was typed, so a quick
  // change elsewhere never throws it away.
  const takeText = () => {
    if (textTimer) {
      clearTimeout(textTimer);
      textTimer = 0;
      controller.setText($('text-filter').value);
    }
  };
  $('text-filter').addEventListener('input', () => {
    clearTimeout(textTimer);
    textTimer = setTimeout(takeText, 150);
  });
  $('add-filter').addEventListener('submit', (e) => {
    e.preventDefault();
    const typed = $('new-filter').value;
    takeText();
    if (!controller.addFilter(typed)) {
      $('filter-error').textContent = 'Write a filter as path = value or path != value (run on the server), or path in a,b · path contains text · path ~ regex · path > number (run in the page), e.g. meta.domain = en.wikipedia.org';
      return;
    }
    $('filter-error').textContent = '';
    $('new-filter').value = '';
  });
  $('hide-canary').addEventListener('change', () => {
    const hide = $('hide-canary').checked; // read before takeText redraws the panel from the view
    takeText();
    controller.setHideCanary(hide);
  });
  $('field-filters').addEventListener('click', takeText, { capture: true });
}
