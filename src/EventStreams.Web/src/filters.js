// Field filters `path = value` / `path != value`, with the server's semantics (Streaming/EventFilter.cs):
// strings compare by value, other JSON by its text; a missing field equals nothing; every filter must hold.

const FILTER = /^\s*([^\s=!][^=!]*?)\s*(!=|=)\s*(.*?)\s*$/;

/** Parses "a.b = c" or "a.b=c" or "type != log"; returns null when the text is not a filter. */
export function parseFilter(text) {
  const match = FILTER.exec(text ?? '');
  if (!match || match[1].split('.').some((p) => p.trim() === '')) {
    return null;
  }
  const path = match[1].split('.').map((p) => p.trim());
  return { path, pathText: path.join('.'), negated: match[2] === '!=', value: match[3] };
}

/** The text of a filter for the URL, the server (`?filter=`) and display. */
export function filterText(filter) {
  return `${filter.pathText}${filter.negated ? '!=' : '='}${filter.value}`;
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

function equal(object, filter) {
  const value = valueAt(object, filter.path);
  if (value === undefined) {
    return false;
  }
  return typeof value === 'string' ? value === filter.value : JSON.stringify(value) === filter.value;
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
  const predicate = (raw, parsed) => {
    if (needle !== '' && !raw.toLowerCase().includes(needle)) {
      return false;
    }
    let event;
    for (const f of all) {
      event ??= parsed();
      if (equal(event, f) === f.negated) {
        return false;
      }
    }
    return true;
  };
  return predicate;
}
