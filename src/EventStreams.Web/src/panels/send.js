// "Send a test event": pick a stream, start from its schema's example (GET /v2/schema/{stream}), edit, send it to the
// intake (POST /v1/events); the answer is shown with the failing paths marked, and then the event arriving on its
// stream in the live list, or its validation error on the error stream. The page tails both streams for it.
import './send.css';
import { $, el } from './dom.js';
import { errorStreamFor, sendableStreams, exampleFor, jsonLines, badLines, describeAnswer, uuid } from '../send.js';
import { appUrl } from '../paths.js';

const OPEN_TIMEOUT_MS = 10_000;
const ARRIVAL_TIMEOUT_MS = 15_000;

export function mountSend(controller) {
  const section = el('section', 'send');
  section.id = 'send';
  section.setAttribute('aria-labelledby', 'h-send');
  const heading = el('h2', '', 'Send a test event');
  heading.id = 'h-send';
  const select = el('select');
  select.id = 'send-stream';
  select.setAttribute('aria-label', 'Stream to send the test event to');
  const editor = el('textarea');
  editor.id = 'send-json';
  editor.rows = 12;
  editor.spellcheck = false;
  editor.setAttribute('aria-label', 'The test event (JSON)');
  const example = el('button', '', 'Example');
  example.type = 'button';
  example.id = 'send-example';
  example.title = "Start again from the schema's example";
  const send = el('button', 'primary', 'Send');
  send.type = 'button';
  send.id = 'send-go';
  const actions = el('div', 'send-actions');
  actions.append(example, send);
  const result = el('div', 'send-result small');
  result.id = 'send-result';
  result.setAttribute('role', 'status');
  const errors = el('ul', 'send-errors small');
  errors.id = 'send-errors';
  const marked = el('pre', 'send-marked');
  marked.id = 'send-marked';
  marked.hidden = true;
  marked.setAttribute('aria-label', 'The event sent, failing fields marked');
  const arrival = el('div', 'send-arrival small');
  arrival.id = 'send-arrival';
  arrival.setAttribute('role', 'status');
  section.append(heading, select, editor, actions, result, errors, marked, arrival);
  $('controls').appendChild(section);

  let watch = null; // { ids, stream, errorStream, sentAt, lastSeq, timer }

  const loadExample = async () => {
    const stream = select.value;
    if (!stream) {
      return;
    }
    let schema = null;
    try {
      const response = await fetch(appUrl(`v2/schema/${encodeURIComponent(stream)}`), { headers: { Accept: 'application/json' } });
      const body = await response.json();
      if (response.ok) {
        schema = body;
        result.textContent = '';
      } else {
        result.textContent = `No example: ${body.detail ?? response.status}`;
      }
    } catch (e) {
      result.textContent = `No example: ${e.message}`;
    }
    if (select.value === stream) {
      editor.value = JSON.stringify(exampleFor(stream, schema), null, 2);
    }
  };

  const renderStreams = () => {
    const streams = sendableStreams(controller.catalog);
    const keep = select.value || controller.state.streams.find((s) => streams.includes(s)) || streams[0] || '';
    select.replaceChildren(...streams.map((name) => {
      const option = el('option', '', name);
      option.value = name;
      return option;
    }));
    select.value = streams.includes(keep) ? keep : streams[0] ?? '';
    if (!editor.value) {
      loadExample();
    }
  };
  controller.on('catalog', renderStreams);
  select.addEventListener('change', loadExample);
  example.addEventListener('click', loadExample);

  const showAnswer = (answer, event) => {
    result.textContent = answer.summary;
    result.dataset.ok = String(answer.ok);
    errors.replaceChildren(...answer.errors.map((e) => {
      const li = el('li');
      li.append(el('code', '', e.where), document.createTextNode(` ${e.message}`));
      return li;
    }));
    const single = event !== null && typeof event === 'object' && !Array.isArray(event);
    marked.hidden = answer.ok || !single || answer.errors.length === 0;
    if (!marked.hidden) {
      const lines = jsonLines(event);
      const bad = badLines(lines, answer.errors.map((e) => e.path));
      marked.replaceChildren(...lines.map((line, i) => el('span', bad.has(i) ? 'bad' : '', line.text)));
    }
  };

  const seen = (kind, text) => {
    clearTimeout(watch?.timer);
    watch = null;
    arrival.dataset.seen = kind;
    arrival.textContent = text;
  };

  // Each frame: did one of the new records carry the sent event's meta.id (the event, or the raw_event of its error)?
  controller.on('frame', () => {
    if (!watch) {
      return;
    }
    const all = controller.store.all;
    for (let i = all.length - 1; i >= 0 && all[i].seq > watch.lastSeq; i--) {
      const r = all[i];
      if (![...watch.ids].some((id) => r.raw.includes(id))) {
        continue;
      }
      const ms = Math.round(performance.now() - watch.sentAt);
      if (r.stream === watch.stream) {
        seen('event', `Arrived on ${r.stream} after ${ms} ms (offset ${r.offset}).`);
      } else if (r.stream === watch.errorStream) {
        seen('error', `Its validation error arrived on ${r.stream} after ${ms} ms.`);
      }
      return;
    }
    watch.lastSeq = all.length > 0 ? all[all.length - 1].seq : watch.lastSeq;
  });

  send.addEventListener('click', async () => {
    let event;
    try {
      event = JSON.parse(editor.value);
    } catch (e) {
      showAnswer({ ok: false, summary: `Not JSON: ${e.message}`, errors: [] }, null);
      return;
    }
    const events = Array.isArray(event) ? event : [event];
    const ids = new Set();
    for (const e of events) {
      if (e && typeof e === 'object' && !Array.isArray(e)) {
        e.meta = e.meta && typeof e.meta === 'object' ? e.meta : {};
        e.meta.id ??= uuid();
        ids.add(String(e.meta.id));
      }
    }
    const stream = typeof events[0]?.meta?.stream === 'string' ? events[0].meta.stream : select.value;
    const errorStream = errorStreamFor(stream, controller.catalog);
    send.disabled = true;
    result.textContent = 'Sending…';
    arrival.textContent = '';
    try {
      await tail(controller, [stream, errorStream].filter((s) => s && controller.catalog.some((c) => c.name === s)));
      const all = controller.store.all;
      watch = { ids, stream, errorStream, sentAt: performance.now(), lastSeq: all.length > 0 ? all[all.length - 1].seq : 0, timer: 0 };
      watch.timer = setTimeout(() => seen('none', `Not seen on ${stream}${errorStream ? ` or ${errorStream}` : ''} within ${ARRIVAL_TIMEOUT_MS / 1000} s.`), ARRIVAL_TIMEOUT_MS);
      const response = await fetch(appUrl('v1/events'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(event) });
      const text = await response.text();
      let body = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = null;
      }
      showAnswer(describeAnswer(response.status, response.statusText, body), event);
      if (response.status >= 400 && !errorStream) {
        seen('none', 'No error stream is declared for this stream, so the error is only in the answer above.');
      } else if (response.status >= 413 || (response.status === 400 && body?.type)) {
        seen('none', ''); // refused as a whole: nothing will arrive
      }
    } catch (e) {
      showAnswer({ ok: false, summary: `Not sent: ${e.message}`, errors: [] }, null);
      seen('none', '');
    } finally {
      send.disabled = false;
    }
  });
}

/** Makes sure `streams` are tailed live (adding them to the selection) before the event is sent, so it cannot be missed. */
async function tail(controller, streams) {
  const missing = streams.filter((s) => !controller.state.streams.includes(s));
  if (missing.length === 0 && controller.mode === 'live' && controller.status.state === 'open') {
    return;
  }
  const opened = new Promise((resolve) => {
    const off = controller.on('status', (status) => {
      if (status.state === 'open') {
        off();
        resolve(true);
      }
    });
    setTimeout(() => {
      off();
      resolve(false);
    }, OPEN_TIMEOUT_MS);
  });
  for (const s of missing) {
    controller.toggleStream(s, true);
  }
  if (controller.mode === 'paused') {
    controller.resume();
  } else if (controller.mode !== 'live') {
    controller.start();
  }
  await opened;
}
