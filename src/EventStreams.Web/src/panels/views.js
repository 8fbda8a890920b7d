// Saved views (named URL hashes in localStorage), the number of events to keep, and the URL that holds the view.
import { $, el } from './dom.js';
import { fromHash } from '../state.js';
import { loadViews, saveView, deleteView } from '../views.js';

export function mountViews(controller) {
  const renderViews = (views = loadViews()) => {
    const ul = $('views');
    ul.replaceChildren();
    for (const v of views) {
      const li = document.createElement('li');
      const open = el('a', '', v.name);
      open.href = v.hash;
      const remove = el('button', 'icon-button', '✕');
      remove.type = 'button';
      remove.setAttribute('aria-label', `Delete view ${v.name}`);
      remove.addEventListener('click', () => renderViews(deleteView(v.name)));
      li.append(open, remove);
      ul.appendChild(li);
    }
  };
  $('save-view').addEventListener('submit', (e) => {
    e.preventDefault();
    const name = $('view-name').value.trim();
    if (name) {
      renderViews(saveView(name, controller.hash));
      $('view-name').value = '';
    }
  });
  renderViews();

  const max = $('max-events');
  max.addEventListener('change', () => {
    max.value = String(controller.setMax(max.value));
  });
  controller.on('replaced', (state) => {
    max.value = String(state.max);
  });

  // The whole view lives in the URL: write it on every change, and open a link pasted or navigated to.
  let writtenHash = '';
  controller.on('state', () => {
    writtenHash = controller.hash;
    if (location.hash !== writtenHash) {
      history.replaceState(null, '', writtenHash);
    }
  });
  window.addEventListener('hashchange', () => {
    if (location.hash !== writtenHash) {
      controller.replace(fromHash(location.hash), { autostart: true });
    }
  });
}
