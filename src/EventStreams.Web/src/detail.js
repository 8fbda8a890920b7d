// The detail pane of one event: position, validation errors (for *.error.validation), tree / JSON / YAML, copy.
import { jsonTree, linkSchemas } from './tree.js';
import { toYaml } from './yaml.js';
import { isErrorStream, errorMessages, errorPaths } from './summary.js';
import { idAfter } from './protocol.js';
import { formatFull } from './time.js';

const TABS = ['Tree', 'JSON', 'YAML'];

export class DetailPane {
  constructor(element, { onClose, onStartHere, onFilter, onErrors, schemaLinks = null }) {
    this.schemaLinks = schemaLinks;
    this.onErrors = onErrors;
    this.element = element;
    this.onClose = onClose;
    this.onStartHere = onStartHere;
    this.onFilter = onFilter;
    this.tab = 'Tree';
    this.record = null;
  }

  get isOpen() {
    return !this.element.hidden;
  }

  show(record) {
    this.record = record;
    this.element.hidden = false;
    this.render();
  }

  close() {
    this.element.hidden = true;
    this.record = null;
    this.onClose();
  }

  render() {
    const r = this.record;
    const event = JSON.parse(r.raw);
    const el = this.element;
    el.replaceChildren();

    const head = h('div', 'detail-head');
    const title = h('h2', '', r.summary.text || r.stream);
    title.title = r.summary.text;
    const close = button('✕', () => this.close(), 'Close the detail (Esc)');
    close.classList.add('icon-button');
    close.setAttribute('aria-label', 'Close detail');
    head.append(title, close);
    el.appendChild(head);

    const facts = h('dl', 'facts');
    fact(facts, 'Stream', r.stream);
    fact(facts, 'Time', formatFull(r.time));
    fact(facts, 'Topic', r.topic ?? '—');
    fact(facts, 'Partition', r.partition ?? '—');
    fact(facts, 'Offset', r.offset ?? '—');
    el.appendChild(facts);
    facts.dataset.testid = 'position';

    // A link once the server says it has the schema (asked the first time a stream is seen; then linked in place).
    const schemaOf = (stream) => {
      if (!this.schemaLinks) {
        return null;
      }
      const title = `The latest schema of ${stream}, from this server (v2/schema/${stream})`;
      const href = this.schemaLinks.href(stream, (known) => {
        if (this.record === r) {
          linkSchemas(this.element, stream, { href: known, title });
        }
      });
      return { stream, href, title };
    };
    if (isErrorStream(r.stream) || (event.raw_event !== undefined && event.message !== undefined)) {
      el.appendChild(validationError(event, schemaOf));
    }

    const actions = h('div', 'detail-actions');
    actions.append(
      button('Copy JSON', () => copy(JSON.stringify(event, null, 2), actions)),
      button('Copy YAML', () => copy(toYaml(event), actions)),
      button('Copy id', () => copy(idAfter(r), actions), 'An id that starts right after this event: paste it as the start (An event id) to get the events that follow'),
      button('Start after this event', () => this.onStartHere(r), 'Use this event\'s id as the start position'),
    );
    if (this.onErrors && !r.error && r.messages === undefined) {
      actions.appendChild(button('Validation errors for this stream', () => this.onErrors(r.stream), `The rejected events of ${r.stream}, from an hour ago`));
    }
    el.appendChild(actions);

    const tabs = h('div', 'tabs');
    tabs.setAttribute('role', 'tablist');
    for (const name of TABS) {
      const tab = button(name, () => {
        this.tab = name;
        this.render();
      });
      tab.setAttribute('role', 'tab');
      tab.setAttribute('aria-selected', String(name === this.tab));
      tabs.appendChild(tab);
    }
    el.appendChild(tabs);

    const body = h('div', 'detail-body');
    body.setAttribute('role', 'tabpanel');
    if (this.tab === 'Tree') {
      body.appendChild(jsonTree(event, { onFilter: this.onFilter, schema: schemaOf(r.stream) }));
    } else {
      body.appendChild(this.tab === 'JSON' ? h('pre', 'code', JSON.stringify(event, null, 2)) : yamlBlock(event));
    }
    el.appendChild(body);
  }
}

/**
 * YAML with hanging indents: a long value wraps under its own key (two columns in), never back to column 0, so the
 * nesting still reads right. The leading spaces stay in the text, so a selection copies as valid YAML.
 */
function yamlBlock(event) {
  const pre = h('pre', 'code yaml');
  for (const line of toYaml(event).trimEnd().split('\n')) {
    const span = h('span', 'yaml-line', line);
    const hang = line.length - line.trimStart().length + (line.trimStart().startsWith('- ') ? 4 : 2);
    span.style.paddingLeft = `${hang}ch`;
    span.style.textIndent = `-${hang}ch`;
    pre.append(span, '\n');
  }
  return pre;
}

function validationError(event, schemaOf) {
  const box = h('section', 'validation');
  box.setAttribute('aria-label', 'Validation errors');
  box.appendChild(h('h3', '', `Rejected${event.errored_stream_name ? ` event for ${event.errored_stream_name}` : ' event'}`));
  const list = h('ul', 'messages');
  for (const message of errorMessages(event.message)) {
    list.appendChild(h('li', '', message));
  }
  box.appendChild(list);
  const facts = h('dl', 'facts');
  for (const k of ['error_type', 'errored_schema_uri', 'emitter_id']) {
    if (event[k] !== undefined) {
      fact(facts, k, event[k]);
    }
  }
  box.appendChild(facts);
  const head = h('div', 'rejected-head');
  head.appendChild(h('h3', '', 'The rejected event'));
  box.appendChild(head);
  let rejected = event.raw_event;
  if (typeof rejected === 'string') {
    try {
      rejected = JSON.parse(rejected);
    } catch {
      head.appendChild(button('Copy rejected event', () => copy(event.raw_event, head), 'Copy the rejected event alone, as it was sent'));
      box.appendChild(h('pre', 'code', rejected));
      return box;
    }
  }
  if (rejected !== undefined) {
    head.appendChild(button('Copy rejected event', () => copy(JSON.stringify(rejected, null, 2), head), 'Copy the rejected event alone, as JSON'));
    const failing = errorPaths(event.message);
    if (failing.length > 0) {
      box.appendChild(h('p', 'muted small', 'Marked ✖: the fields the errors name.'));
    }
    box.appendChild(jsonTree(rejected, { failing, schema: typeof event.errored_stream_name === 'string' ? schemaOf(event.errored_stream_name) : null }));
  }
  return box;
}

function h(tag, className, text) {
  const el = document.createElement(tag);
  if (className) {
    el.className = className;
  }
  if (text !== undefined) {
    el.textContent = text;
  }
  return el;
}

function button(text, onClick, title) {
  const b = h('button', '', text);
  b.type = 'button';
  if (title) {
    b.title = title;
  }
  b.addEventListener('click', onClick);
  return b;
}

function fact(dl, name, value) {
  dl.append(h('dt', '', name), h('dd', '', String(value)));
}

export async function copy(text, near) {
  let ok = true;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    document.body.appendChild(area);
    area.select();
    ok = document.execCommand('copy');
    area.remove();
  }
  if (near) {
    const note = near.querySelector('.copied') ?? near.appendChild(h('span', 'copied'));
    note.setAttribute('role', 'status');
    note.textContent = ok ? 'Copied' : 'Copy failed';
    clearTimeout(note.timer);
    note.timer = setTimeout(() => note.remove(), 1500);
  }
  return ok;
}
