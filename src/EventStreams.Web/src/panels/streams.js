// The stream picker panel: search the catalogue, tick streams, Enter picks the only (or exact) match.
import { $ } from './dom.js';
import { renderPicker, pickOnEnter } from '../picker.js';

export function mountStreams(controller) {
  const render = () => renderPicker({
    container: $('stream-list'),
    message: $('catalog-message'),
    chips: $('selected-streams'),
    catalog: controller.catalog,
    query: $('stream-search').value,
    selected: controller.state.streams,
    onToggle: (name, on) => controller.toggleStream(name, on),
    onErrors: (name) => controller.showValidationErrors(name),
  });
  controller.on('streams', render);
  controller.on('replaced', render);
  controller.on('catalog', render);

  const search = $('stream-search');
  search.addEventListener('input', render);
  search.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') {
      return;
    }
    e.preventDefault();
    const typed = search.value.trim();
    const { pick, alias, matches } = pickOnEnter(controller.catalog, typed);
    if (pick) {
      controller.toggleStream(pick.name, true);
      if (alias) {
        $('catalog-message').textContent = `“${alias}” is an alias of ${pick.name}: picked ${pick.name}, the name its events `
          + 'and validation errors carry.';
      }
    } else if (typed && controller.catalog.length === 0) {
      controller.toggleStream(typed, true);
    } else if (matches > 1) {
      $('catalog-message').textContent = `${matches} streams match “${typed}”: Enter picks only an exact name or a single `
        + 'match. Tick one below, or type more.';
    }
  });
}
