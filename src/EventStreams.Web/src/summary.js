// One line per event: what a person scanning the list wants to see first.

export function isErrorStream(stream) {
  return typeof stream === 'string' && stream.endsWith('.error.validation');
}

/**
 * The separate errors in a validation-error event's `message`: one per line, or joined by "; " before the next
 * error's field ('.a.b' or "data…"), as EventGate and ajv write them.
 */
export function errorMessages(message) {
  return String(message ?? '')
    .split(/\n|; (?=['"]?[.\/]|data\b|'')/)
    .map((m) => m.trim())
    .filter(Boolean);
}

function firstLine(text, max = 200) {
  const line = String(text ?? '').split('\n', 1)[0];
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** Columns for the list and the CSV: {wiki, title, user, type, text}. */
export function summarize(e, stream) {
  const wiki = e.server_name ?? e.meta?.domain ?? e.wiki ?? e.database ?? '';
  if (isErrorStream(stream) || (e.raw_event !== undefined && e.message !== undefined)) {
    const target = e.errored_stream_name ?? '';
    return { wiki, title: target, user: '', type: e.error_type ?? 'validation error', text: `${target ? `${target}: ` : ''}${firstLine(errorMessages(e.message).join('; '))}` };
  }
  if (e.type !== undefined && e.title !== undefined) {
    // recentchange
    const user = e.user ?? '';
    let type = e.type;
    if (type === 'log' && e.log_type) {
      type = `log/${e.log_type}${e.log_action ? `/${e.log_action}` : ''}`;
    }
    let size = '';
    if (e.length && typeof e.length.new === 'number') {
      const diff = e.length.new - (e.length.old ?? 0);
      size = ` (${diff >= 0 ? '+' : ''}${diff})`;
    }
    const flags = `${e.bot ? ' [bot]' : ''}${e.minor ? ' [minor]' : ''}`;
    return { wiki, title: e.title, user, type, text: `${type} · ${wiki} · ${e.title} · ${user}${size}${flags}` };
  }
  if (e.page_title !== undefined) {
    // revision-create, page-create and friends
    const user = e.performer?.user_text ?? e.rev_user_text ?? '';
    const type = e.rev_parent_id ? 'revision' : 'page';
    const size = typeof e.rev_len === 'number' ? ` (${e.rev_len} bytes)` : '';
    const comment = e.comment ? ` — ${firstLine(e.comment, 80)}` : '';
    return { wiki, title: e.page_title, user, type, text: `${wiki} · ${e.page_title} · ${user}${size}${comment}` };
  }
  const schema = e.$schema ?? '';
  const keys = Object.keys(e).filter((k) => k !== 'meta' && k !== '$schema').slice(0, 4);
  const fields = keys.map((k) => `${k}=${short(e[k])}`).join(' ');
  return { wiki, title: '', user: '', type: schema, text: `${wiki ? `${wiki} · ` : ''}${schema ? `${schema} · ` : ''}${fields}` };
}

function short(value) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** The event's time in epoch ms: meta.dt, else dt, else the Kafka timestamp the id carries, else when it arrived. */
export function eventTime(e, received) {
  const dt = e.meta?.dt ?? e.dt;
  if (typeof dt === 'string') {
    const t = Date.parse(dt);
    if (!Number.isNaN(t)) {
      return t;
    }
  }
  if (typeof e.timestamp === 'number') {
    return e.timestamp < 1e11 ? e.timestamp * 1000 : e.timestamp;
  }
  return received;
}

const QUOTED_PATH = /^'([^']*)'/;
const BARE_PATH = /^(data)?((?:[./][^\s'./]+)*)(?=\s)/;

function segments(path) {
  return path.replace(/^data(?=[./]|$)/, '').split(/[./]/).filter((s) => s !== '');
}

/**
 * The paths in the rejected event that a validation message names, as EventGate (ajv) writes them: `'.a.b' should …`,
 * `data/a/b must …`, `/a/b must …`. Returns [{path: ['a','b'], missing?: 'name'}]: `missing` when the message says a
 * required property is absent (then `path` is its parent), and an additional property is the path of that property.
 */
export function errorPaths(message) {
  const found = [];
  for (const line of errorMessages(message)) {
    const quoted = QUOTED_PATH.exec(line);
    const bare = quoted ? null : BARE_PATH.exec(line);
    if (!quoted && !(bare && (bare[1] || bare[2]))) {
      continue;
    }
    let path = segments(quoted ? quoted[1] : `${bare[1] ?? ''}${bare[2]}`);
    const required = /(?:should|must) have required property '([^']+)'/.exec(line);
    const extra = /additional propert(?:y|ies)[^']*'([^']+)'/i.exec(line);
    if (/is a required property/.test(line) && path.length > 0) {
      found.push({ path: path.slice(0, -1), missing: path.at(-1) });
    } else if (required) {
      found.push({ path, missing: required[1] });
    } else if (extra) {
      found.push({ path: [...path, extra[1]] });
    } else {
      found.push({ path });
    }
  }
  return found;
}

/**
 * Validation errors over the kept events: how many per errored stream and per message (most first).
 * `records` are list records; error records carry `errored` (the stream) and `messages`.
 */
export function errorCounts(records) {
  const byStream = new Map();
  const byMessage = new Map();
  let total = 0;
  for (const r of records) {
    if (r.messages === undefined) {
      continue;
    }
    total++;
    const stream = r.errored || '(unnamed)';
    byStream.set(stream, (byStream.get(stream) ?? 0) + 1);
    for (const m of r.messages.length > 0 ? r.messages : ['(no message)']) {
      const entry = byMessage.get(m) ?? { count: 0, streams: new Set() };
      entry.count++;
      entry.streams.add(stream);
      byMessage.set(m, entry);
    }
  }
  const desc = (a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0]));
  return {
    total,
    byStream: [...byStream].sort(desc),
    byMessage: [...byMessage].map(([m, e]) => [m, e.count, [...e.streams].sort()]).sort(desc),
  };
}

const LABEL_MAX = 24;

/**
 * Short, still distinct labels for the stream column: the dot-separated prefix all the names share is left out (the
 * full name is in the row's title), and a label longer than 24 characters keeps its start and its end.
 */
export function streamLabels(names) {
  const parts = names.map((n) => n.split('.'));
  let common = 0;
  if (names.length > 1) {
    const shortest = Math.min(...parts.map((p) => p.length));
    while (common < shortest - 1 && parts.every((p) => p[common] === parts[0][common])) {
      common++;
    }
  }
  const labels = new Map();
  names.forEach((name, i) => {
    const rest = parts[i].slice(common);
    let label = rest.join('.');
    if (label.length > LABEL_MAX) {
      // The end of a name tells streams apart (revision-create, error.validation): keep whole last segments.
      let tail = rest.at(-1);
      for (let k = rest.length - 2; k >= 0 && tail.length + rest[k].length + 2 <= LABEL_MAX; k--) {
        tail = `${rest[k]}.${tail}`;
      }
      label = tail.length < LABEL_MAX ? `…${tail}` : `${label.slice(0, 10)}…${label.slice(-(LABEL_MAX - 11))}`;
    }
    labels.set(name, label);
  });
  if (new Set(labels.values()).size < names.length) {
    return new Map(names.map((n) => [n, n])); // shortening made two alike: the full names, then
  }
  return labels;
}
