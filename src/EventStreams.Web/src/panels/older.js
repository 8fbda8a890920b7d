// "Load older" above the list: the events right before the oldest the list has, read exactly from the server's retained
// data (session.js), and what it did in words.
import { $ } from './dom.js';

export function mountOlder(controller) {
  const button = $('load-older');
  button.addEventListener('click', () => controller.loadOlder());
  const render = () => {
    const { loading, text } = controller.older;
    button.disabled = loading || controller.state.streams.length === 0;
    $('older-status').textContent = text;
  };
  controller.on('older', render);
  controller.on('streams', render);
  controller.on('replaced', render);
  render();
}
