// The header: the connection status in words (and Retry now), the transport, the theme, and ☰ on a narrow screen.
import { $ } from './dom.js';
import { timeZone, setTimeZone } from '../time.js';

export function mountHeader(controller, { onThemeChange }) {
  // The whole status is always readable: it wraps (on a narrow screen on a line of its own) and is the tooltip too.
  // While the connection backs off, "Retry now" tries at once.
  $('retry-now').addEventListener('click', () => controller.retryNow());
  const render = () => {
    const s = controller.status;
    $('status').dataset.state = s.state;
    $('status-text').textContent = s.text;
    $('status').title = s.text;
    $('retry-now').hidden = s.state !== 'retrying';
    const server = controller.serverFilters().length > 0;
    const pageOnly = controller.pageOnlyFilters();
    const parts = [];
    if (server && s.state === 'open') {
      parts.push(s.serverFilters
        ? 'Field filters run on the server: filtered-out events are not sent.'
        : 'This server does not filter: field filters run in the page.');
    }
    if (pageOnly.length > 0) {
      parts.push(`Run in the page only (the server cannot): ${pageOnly.join('; ')}.`);
    }
    $('server-filters').textContent = parts.join(' ');
  };
  controller.on('status', render);

  const transport = $('transport');
  transport.addEventListener('change', () => controller.setTransport(transport.value));
  const showTransport = () => {
    transport.value = controller.state.transport;
  };
  controller.on('transport', showTransport);
  controller.on('replaced', showTransport);

  const theme = $('theme');
  const applyTheme = (value) => {
    if (value === 'auto') {
      delete document.documentElement.dataset.theme;
    } else {
      document.documentElement.dataset.theme = value;
    }
    onThemeChange();
  };
  theme.value = localStorage.getItem('eventstreams.theme') ?? 'auto';
  theme.addEventListener('change', () => {
    localStorage.setItem('eventstreams.theme', theme.value);
    applyTheme(theme.value);
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => onThemeChange());
  applyTheme(theme.value);

  const zone = $('zone');
  zone.value = timeZone();
  zone.addEventListener('change', () => setTimeZone(zone.value));

  // On a narrow screen the header has no room: transport, theme and times move into the ☰ panel.
  const settings = $('settings');
  const narrow = matchMedia('(max-width: 760px)');
  const place = () => {
    if (narrow.matches) {
      $('controls').prepend(settings);
    } else {
      $('toggle-controls').parentElement.appendChild(settings);
    }
  };
  narrow.addEventListener('change', place);
  place();

  // The header's height (one line, or two when the status wraps) is where the fixed panels of a narrow screen begin.
  new ResizeObserver(([entry]) => {
    document.documentElement.style.setProperty('--header-height', `${Math.ceil(entry.target.getBoundingClientRect().height)}px`);
  }).observe(document.querySelector('.topbar'));

  $('toggle-controls').addEventListener('click', () => {
    const open = document.body.classList.toggle('controls-open');
    $('toggle-controls').setAttribute('aria-expanded', String(open));
  });
}
