// Notices: what the page must say rather than do silently (repeats not shown again, offsets going back, a start time
// outside the retained data), each with a ✕ to dismiss it. Announced politely.
import { $, el } from './dom.js';

export function mountNotices(controller) {
  const box = $('notices');
  const render = () => {
    box.replaceChildren();
    for (const [key, text] of controller.notices) {
      const p = el('p', 'notice');
      p.dataset.key = key;
      const close = el('button', 'icon-button', '✕');
      close.type = 'button';
      close.setAttribute('aria-label', 'Dismiss');
      close.addEventListener('click', () => controller.dismiss(key));
      p.append(el('span', '', text), close);
      box.appendChild(p);
    }
    box.hidden = controller.notices.size === 0;
  };
  controller.on('notices', render);
  render();
}
