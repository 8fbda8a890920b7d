// The filters panel: free text over the raw JSON, field filters (sent to the server and applied in the page), canary.
import { $, el } from './dom.js';
import { parseFilter, filterLabel } from '../filters.js';

export function mountFilters(controller) {
  const render = () => {
    const state = controller.state;
    if ($('text-filter').value !== state.text) {
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
  controller.on('replaced', render);

  let textTimer = 0;
  $('text-filter').addEventListener('input', () => {
    clearTimeout(textTimer);
    textTimer = setTimeout(() => controller.setText($('text-filter').value), 150);
  });
  $('add-filter').addEventListener('submit', (e) => {
    e.preventDefault();
    if (!controller.addFilter($('new-filter').value)) {
      $('filter-error').textContent = 'Write a filter as path = value or path != value (run on the server), or path in a,b · path contains text · path ~ regex · path > number (run in the page), e.g. meta.domain = en.wikipedia.org';
      return;
    }
    $('filter-error').textContent = '';
    $('new-filter').value = '';
  });
  $('hide-canary').addEventListener('change', () => controller.setHideCanary($('hide-canary').checked));
}
