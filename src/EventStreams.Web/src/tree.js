// A collapsible JSON tree from <details> elements: keyboard- and screen-reader-friendly for free.
// Options: `failing` — paths a validation error names ([{path, missing?}]): those nodes are marked and opened;
// `onFilter(pathText, value, negated)` — offers "= this" / "≠ this" on each value reachable by a dotted path;
// `schema` — {stream, href, title}: the top-level `$schema` value is a link to the stream's schema (href null: not yet
// known; `linkSchemas` makes it one later).

const OPEN_DEPTH = 2;
const SEP = '\u0000';

export function jsonTree(value, { failing = [], onFilter = null, schema = null } = {}) {
  const marks = new Map(); // path key -> missing names ([] when the node itself fails)
  const open = new Set(); // path keys of the ancestors of a failing node
  for (const f of failing) {
    const key = f.path.join(SEP);
    if (!marks.has(key)) {
      marks.set(key, []);
    }
    if (f.missing) {
      marks.get(key).push(f.missing);
    }
    for (let i = 0; i <= f.path.length; i++) {
      open.add(f.path.slice(0, i).join(SEP));
    }
  }
  const root = document.createElement('div');
  root.className = 'tree';
  root.appendChild(node(null, value, [], true, { marks, open, onFilter, schema }));
  return root;
}

function node(name, value, path, filterable, context) {
  const key = path.join(SEP);
  const mark = context.marks.get(key);
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    const details = document.createElement('details');
    details.open = path.length < OPEN_DEPTH || context.open.has(key);
    const summary = document.createElement('summary');
    if (name !== null) {
      summary.appendChild(label(name));
    }
    const hint = document.createElement('span');
    hint.className = 'hint';
    hint.textContent = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
    summary.appendChild(hint);
    if (mark) {
      failing(summary, mark);
    }
    details.appendChild(summary);
    const children = document.createElement('div');
    children.className = 'children';
    for (const [k, v] of entries) {
      const childFilterable = filterable && !Array.isArray(value) && !String(k).includes('.');
      children.appendChild(node(k, v, [...path, String(k)], childFilterable, context));
    }
    details.appendChild(children);
    return details;
  }
  const leaf = document.createElement('div');
  leaf.className = 'leaf';
  if (name !== null) {
    leaf.appendChild(label(name));
  }
  let text = document.createElement('span');
  text.className = `v-${value === null ? 'null' : typeof value}`;
  text.textContent = typeof value === 'string' ? JSON.stringify(value) : String(value);
  if (context.schema && path.length === 1 && path[0] === '$schema' && typeof value === 'string') {
    text.dataset.schemaStream = context.schema.stream;
    if (context.schema.href) {
      text = schemaLink(text, context.schema);
    }
  }
  leaf.appendChild(text);
  if (mark) {
    failing(leaf, mark);
  }
  if (context.onFilter && filterable && path.length > 0) {
    const pathText = path.join('.');
    const valueText = typeof value === 'string' ? value : JSON.stringify(value);
    leaf.append(filterButton('=', `Filter: ${pathText} = ${valueText}`, () => context.onFilter(pathText, valueText, false)),
      filterButton('≠', `Filter: ${pathText} ≠ ${valueText}`, () => context.onFilter(pathText, valueText, true)));
  }
  return leaf;
}

/** Turns the `$schema` values of `stream` under `root` into links to `schema.href`. */
export function linkSchemas(root, stream, schema) {
  for (const span of root.querySelectorAll('span[data-schema-stream]')) {
    if (span.dataset.schemaStream === stream) {
      span.replaceWith(schemaLink(span, schema));
    }
  }
}

function schemaLink(span, { href, title }) {
  const a = document.createElement('a');
  a.className = `${span.className} schema-link`;
  a.textContent = span.textContent;
  a.href = href;
  a.target = '_blank';
  a.rel = 'noopener';
  a.title = title;
  return a;
}

function failing(element, missing) {
  element.classList.add('failing');
  const note = document.createElement('span');
  note.className = 'failing-note';
  note.textContent = missing.length > 0 ? `✖ missing: ${missing.join(', ')}` : '✖ fails validation';
  element.appendChild(note);
}

function filterButton(text, title, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'filter-from';
  b.textContent = text;
  b.title = title;
  b.setAttribute('aria-label', title);
  b.addEventListener('click', onClick);
  return b;
}

function label(name) {
  const k = document.createElement('span');
  k.className = 'key';
  k.textContent = `${name}: `;
  return k;
}
