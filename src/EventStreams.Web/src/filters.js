// Field filters. `path = value` / `path != value` have the server's semantics (Streaming/EventFilter.cs): strings
// compare by value, other JSON by its text; a missing field equals nothing; every filter must hold. They are sent to
// the server as `?filter=` and applied in the page too. The server does nothing else, so these run in the page only:
//   path in a,b,c        the field equals one of the values (OR)
//   path contains text   the field's text contains `text`
//   path ~ regex         the field's text matches the JavaScript regular expression
//   path > 5, >=, <, <=  numeric comparisons (a field that is not a number never matches)

const WORD = /^\s*([^\s=!<>~]+)\s+(in|contains)\s+(.*?)\s*$/i;
const SYMBOL = /^\s*([^\s=!<>~][^=!<>~]*?)\s*(!=|>=|<=|=|>|<|~)\s*(.*?)\s*$/;
const SERVER_OPS = new Set(['=', '!=']);

/**
 * Parses a filter's text ("a.b = c", "type!=log", "type in edit,new", "title contains Berlin", "title ~ ^A",
 * "length.new > 100"); returns null when the text is not a filter.
 */
export function parseFilter(text) {
  const word = WORD.exec(text ?? '');
  const match = word ?? SYMBOL.exec(text ?? '');
  if (!match || match[1].split('.').some((p) => p.trim() === '')) {
    return null;
  }
  const path = match[1].split('.').map((p) => p.trim());
  const op = match[2].toLowerCase();
  const value = match[3];
  const filter = { path, pathText: path.join('.'), op, negated: op === '!=', value, server: SERVER_OPS.has(op) };
  if (op === 'in') {
    filter.values = value.split(',').map((v) => v.trim()).filter((v) => v !== '');
    if (filter.values.length === 0) {
      return null;
    }
    filter.value = filter.values.join(',');
  } else if (op === '~') {
    try {
      filter.regex = new RegExp(value);
    } catch {
      return null;
    }
  } else if (op === '>' || op === '>=' || op === '<' || op === '<=') {
    filter.number = Number(value);
    if (value === '' || !Number.isFinite(filter.number)) {
      return null;
    }
  } else if (op === 'contains' && value === '') {
    return null;
  }
  return filter;
}

/** The text of a filter for the URL, the server (`?filter=`) and display. */
export function filterText(filter) {
  const words = filter.op === 'in' || filter.op === 'contains';
  return words ? `${filter.pathText} ${filter.op} ${filter.value}` : `${filter.pathText}${filter.op}${filter.value}`;
}

/** How a chip shows a filter: "meta.domain ≠ canary". */
export function filterLabel(filter) {
  const op = { '!=': '≠', '>=': '≥', '<=': '≤' }[filter.op] ?? filter.op;
  return `${filter.pathText} ${op} ${filter.value}`;
}

export const CANARY_FILTER = parseFilter('meta.domain!=canary');

function valueAt(object, path) {
  let value = object;
  for (const name of path) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, name)) {
      return undefined;
    }
    value = value[name];
  }
  return value;
}

function textOf(value) {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Whether the event passes one filter. */
export function passes(event, filter) {
  const value = valueAt(event, filter.path);
  switch (filter.op) {
    case '=':
      return value !== undefined && textOf(value) === filter.value;
    case '!=':
      return value === undefined || textOf(value) !== filter.value;
    case 'in':
      return value !== undefined && filter.values.includes(textOf(value));
    case 'contains':
      return value !== undefined && textOf(value).includes(filter.value);
    case '~':
      return value !== undefined && filter.regex.test(textOf(value));
    case '>':
      return typeof value === 'number' && value > filter.number;
    case '>=':
      return typeof value === 'number' && value >= filter.number;
    case '<':
      return typeof value === 'number' && value < filter.number;
    case '<=':
      return typeof value === 'number' && value <= filter.number;
    default:
      return false;
  }
}

/**
 * A predicate over an event: `matches(raw, parsed)`, where `parsed()` returns the parsed event. The text search runs on
 * the raw JSON first, the cheapest test, and only field filters ever need the event parsed.
 */
export function compileView({ text, filters, hideCanary }) {
  const all = hideCanary ? [...filters, CANARY_FILTER] : filters;
  const needle = (text ?? '').trim().toLowerCase();
  if (all.length === 0 && needle === '') {
    return null;
  }
  return (raw, parsed) => {
    if (needle !== '' && !raw.toLowerCase().includes(needle)) {
      return false;
    }
    let event;
    for (const f of all) {
      event ??= parsed();
      if (!passes(event, f)) {
        return false;
      }
    }
    return true;
  };
}
