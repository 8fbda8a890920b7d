// A collapsible JSON tree from <details> elements: keyboard- and screen-reader-friendly for free.

const OPEN_DEPTH = 2;

export function jsonTree(value) {
  const root = document.createElement('div');
  root.className = 'tree';
  root.appendChild(node(null, value, 0));
  return root;
}

function node(name, value, depth) {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    const details = document.createElement('details');
    details.open = depth < OPEN_DEPTH;
    const summary = document.createElement('summary');
    if (name !== null) {
      summary.appendChild(label(name));
    }
    const hint = document.createElement('span');
    hint.className = 'hint';
    hint.textContent = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
    summary.appendChild(hint);
    details.appendChild(summary);
    const children = document.createElement('div');
    children.className = 'children';
    for (const [k, v] of entries) {
      children.appendChild(node(k, v, depth + 1));
    }
    details.appendChild(children);
    return details;
  }
  const leaf = document.createElement('div');
  leaf.className = 'leaf';
  if (name !== null) {
    leaf.appendChild(label(name));
  }
  const text = document.createElement('span');
  text.className = `v-${value === null ? 'null' : typeof value}`;
  text.textContent = typeof value === 'string' ? JSON.stringify(value) : String(value);
  leaf.appendChild(text);
  return leaf;
}

function label(name) {
  const k = document.createElement('span');
  k.className = 'key';
  k.textContent = typeof name === 'number' ? `${name}: ` : `${name}: `;
  return k;
}
