// Find: highlight the kept events that contain a text, and step through them with next / previous (Enter,
// Shift+Enter), without hiding the others (the filters hide).
import { $ } from './dom.js';

export function mountFind(controller, { list }) {
  const input = $('find');
  let needle = '';

  const matches = (item) => item.raw.toLowerCase().includes(needle);
  const count = () => {
    if (!needle) {
      $('find-count').textContent = '';
      return;
    }
    const items = list.items;
    let total = 0;
    let at = 0;
    for (const item of items) {
      if (matches(item)) {
        total++;
        if (item.seq === list.selectedSeq) {
          at = total;
        }
      }
    }
    $('find-count').textContent = total === 0 ? 'no match' : at > 0 ? `${at} of ${total}` : `${total} ${total === 1 ? 'match' : 'matches'}`;
  };

  const step = (forward) => {
    if (!needle) {
      return;
    }
    const items = list.items;
    const n = items.length;
    const current = list.indexOfSelected();
    for (let k = 1; k <= n; k++) {
      const i = ((current < 0 ? (forward ? -1 : n) : current) + (forward ? k : -k) + n) % n;
      if (matches(items[i])) {
        list.selectIndex(i);
        break;
      }
    }
    count();
  };

  let timer = 0;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      needle = input.value.trim().toLowerCase();
      list.found = needle ? matches : null;
      list.render();
      count();
    }, 120);
  });
  $('find-form').addEventListener('submit', (e) => {
    e.preventDefault();
    needle = input.value.trim().toLowerCase();
    list.found = needle ? matches : null;
    step(true);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && e.shiftKey) {
      e.preventDefault();
      step(false);
    }
  });
  $('find-prev').addEventListener('click', () => step(false));
  controller.on('view', count);
  setInterval(() => {
    if (needle) {
      count();
    }
  }, 1000);
}
