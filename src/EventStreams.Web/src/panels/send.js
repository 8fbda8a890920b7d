// "Send a test event": pick a stream, start from its schema's example (GET /v2/schema/{stream}; a skeleton of its
// required fields when it has none), edit, send it to the intake (POST /v1/events); the answer is shown with the failing
// paths marked. The page tails the stream sent to, and when the intake rejected the event, the errors of that stream
// (its error stream filtered on errored_stream_name); the event or its validation error, when it arrives, is selected,
// scrolled to and opened, and "arrived" links to it.
import './send.css';
import { $, el } from './dom.js';
import { errorStreamFor, sendableStreams, exampleFor, hasExample, jsonLines, badLines, describeAnswer, uuid } from '../send.js';
import { realStream } from '../catalog.js';
import { appUrl } from '../paths.js';

const OPEN_TIMEOUT_MS = 10_000;
const ARRIVAL_TIMEOUT_MS = 15_000;

export function mountSend(controller, { list }) {
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
  const note = el('div', 'send-note muted small');
  note.id = 'send-note';
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
  section.append(heading, select, editor, actions, note, result, errors, marked, arrival);
  $('controls').appendChild(section);

  let watch = null; // { ids, stream, errorStream, sentAt, lastSeq, timer }
  const lastSeq = () => controller.store.nextSeq - 1;
  const startWatch = (ids, stream, errorStream, sentAt) => {
    clearTimeout(watch?.timer);
    watch = { ids, stream, errorStream, sentAt, lastSeq: lastSeq(), timer: 0 };
    watch.timer = setTimeout(() => seen('none', `Not seen on ${stream}${errorStream ? ` or ${errorStream}` : ''} within ${ARRIVAL_TIMEOUT_MS / 1000} s.`), ARRIVAL_TIMEOUT_MS);
  };

  // Only the latest load fills the editor: an earlier one answered late (the first load at start, then a pick) would
  // overwrite what was typed since.
  let loads = 0;
  const loadExample = async () => {
    const stream = select.value;
    if (!stream) {
      return;
    }
    const load = ++loads;
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
    if (load === loads && select.value === stream) {
      editor.value = JSON.stringify(exampleFor(stream, schema), null, 2);
      note.textContent = schema && !hasExample(schema)
        ? `The schema of ${stream} has no examples: this is a skeleton of its required fields, each a placeholder of its `
          + 'type ("", 0, false, []). Fill in real values.'
        : '';
    }
  };

  const renderStreams = () => {
    if (!controller.settings?.intake) {
      return; // no intake here (upstream mode): the panel is hidden and asks the server nothing
    }
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

  // The record that arrived is selected, scrolled to and opened; the words saying so link back to it.
  const reveal = (record) => {
    if (!list.reveal(record.seq)) {
      arrival.title = 'It is no longer in the list (dropped as the oldest, or hidden by the filters).';
    }
  };
  const seen = (kind, text, record) => {
    clearTimeout(watch?.timer);
    watch = null;
    arrival.dataset.seen = kind;
    arrival.title = '';
    if (!record) {
      arrival.textContent = text;
      return;
    }
    const link = el('button', 'link', text);
    link.type = 'button';
    link.id = 'send-arrived';
    link.addEventListener('click', () => reveal(record));
    arrival.replaceChildren(link);
    reveal(record);
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
        seen('event', `Arrived on ${r.stream} after ${ms} ms (offset ${r.offset}).`, r);
      } else if (r.stream === watch.errorStream) {
        seen('error', `Its validation error arrived on ${r.stream} after ${ms} ms.`, r);
      }
      return;
    }
    watch.lastSeq = lastSeq();
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
    const named = typeof events[0]?.meta?.stream === 'string' ? events[0].meta.stream : select.value;
    const stream = realStream(named, controller.catalog);
    const errorStream = errorStreamFor(stream, controller.catalog);
    send.disabled = true;
    result.textContent = 'Sending…';
    arrival.textContent = '';
    try {
      await tail(controller, stream);
      const sentAt = Date.now();
      const sentAtPerf = performance.now();
      startWatch(ids, stream, errorStream, sentAtPerf);
      const response = await fetch(appUrl('v1/events'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(event) });
      const text = await response.text();
      let body = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = null;
      }
      showAnswer(describeAnswer(response.status, response.statusText, body), event);
      const rejected = (Array.isArray(body?.invalid) ? body.invalid : []).map((f) => f?.event?.meta?.id).filter(Boolean).map(String);
      if (response.status >= 400 && !errorStream) {
        seen('none', 'No error stream is declared for this stream, so the error is only in the answer above.');
      } else if (response.status >= 413 || (response.status === 400 && body?.type)) {
        seen('none', ''); // refused as a whole: nothing will arrive
      } else if (rejected.length > 0 && errorStream) {
        // The validation errors go to the error stream: tail the errors of this stream there, from shortly before the
        // send (the answer may come after them; nothing is missed).
        startWatch(new Set(rejected), stream, errorStream, sentAtPerf);
        controller.showValidationErrors(stream, { since: new Date(sentAt - 30_000).toISOString() });
      }
    } catch (e) {
      showAnswer({ ok: false, summary: `Not sent: ${e.message}`, errors: [] }, null);
      seen('none', '');
    } finally {
      send.disabled = false;
    }
  });
}

/**
 * Makes sure `stream` is tailed live before the event is sent, so it cannot be missed: added to the view, or, when the
 * view has filters that could hide it (the errors view of an earlier send), on its own.
 */
async function tail(controller, stream) {
  const { state } = controller;
  const has = state.streams.includes(stream);
  if (has && controller.mode === 'live' && controller.status.state === 'open') {
    return;
  }
  // Only the connection started here counts: it says 'connecting' before it is open.
  const opened = new Promise((resolve) => {
    let connecting = false;
    const off = controller.on('status', (status) => {
      connecting ||= status.state === 'connecting';
      if (connecting && status.state === 'open') {
        off();
        resolve(true);
      }
    });
    setTimeout(() => {
      off();
      resolve(false);
    }, OPEN_TIMEOUT_MS);
  });
  if (!has && (state.filters.length > 0 || state.text)) {
    controller.showStream(stream);
  } else {
    controller.toggleStream(stream, true);
    if (controller.mode === 'paused') {
      controller.resume();
    } else if (controller.mode !== 'live') {
      controller.start();
    }
  }
  await opened;
}
