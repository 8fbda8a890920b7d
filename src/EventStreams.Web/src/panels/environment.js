// The environment badge in the header and the page title (environment.js), and the transport switch only where the
// server offers more than SSE (upstream mode has no SignalR hub), and "Send a test event" only where there is an intake.
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

  if (!settings.transports.includes('signalr')) {
    $('transport').closest('label').hidden = true;
    if (controller.state.transport !== 'sse') {
      controller.setTransport('sse');
    }
  }
}
