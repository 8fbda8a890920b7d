// The environment badge in the header and the page title (environment.js), and the transport switch only where the
// server offers more than SSE (upstream mode has no SignalR hub), "Send a test event" only where there is an intake, and
// "The last events" only where the server has the retention route (not upstream).
import { $, el } from './dom.js';
import { environmentColor, environmentText, pageTitle } from '../environment.js';

export function mountEnvironment(controller, settings) {
  controller.setSettings(settings);
  const text = environmentText(settings);
  document.title = pageTitle(settings);
  if (text) {
    const badge = el('span', 'environment', text);
    badge.id = 'environment';
    badge.title = settings.upstream ? `Events of ${settings.upstream}` : 'The environment these events come from';
    const color = environmentColor(settings.environment);
    if (color) {
      document.documentElement.style.setProperty('--environment', color);
      document.body.classList.add('has-environment');
    }
    document.querySelector('.topbar h1').after(badge);
  }

  const send = document.getElementById('send');
  if (send && !settings.intake) {
    send.hidden = true;
  }

  // No retention route upstream: nobody can say where the last N events begin, so that start is not offered.
  if (settings.upstream) {
    document.querySelector('input[name=start][value=last]').closest('label').hidden = true;
  }

  if (!settings.transports.includes('signalr')) {
    $('transport').closest('label').hidden = true;
    if (controller.state.transport !== 'sse') {
      controller.setTransport('sse');
    }
  }
}
