// "Send a test event": the pure parts (no DOM), unit-tested in test/send.test.js.

/** The intake puts validation errors of a stream's events on `<destination_event_service>.error.validation`. */
export const FALLBACK_EVENT_SERVICE = 'eventgate-analytics-external';

/** The error stream an invalid event for `stream` lands on, if the catalogue has it. */
export function errorStreamFor(stream, catalog) {
  const entry = catalog.find((c) => c.name === stream);
  const service = entry?.destinationEventService || FALLBACK_EVENT_SERVICE;
  const name = `${service}.error.validation`;
  return catalog.some((c) => c.name === name) ? name : null;
}

/** Streams one can send to: real ones (not aliases), not the error streams the intake writes itself. */
export function sendableStreams(catalog) {
  return catalog.filter((c) => !c.aliasOf && !c.errorValidation).map((c) => c.name);
}

/** Whether the schema has an example to start from. */
export function hasExample(schema) {
  return Array.isArray(schema?.examples) && isObject(schema.examples[0]);
}

/**
 * The event to start from: the schema's first example (else a skeleton of its required fields, see skeleton), for
 * this stream, without meta.id and meta.dt (the intake fills them in when missing), and with an event time (`dt`) of
 * now when the example has one.
 */
export function exampleFor(stream, schema, now = new Date()) {
  const example = hasExample(schema) ? structuredClone(schema.examples[0]) : skeleton(schema, now) ?? {};
  const event = { $schema: '', ...example };
  event.$schema = typeof example.$schema === 'string' && example.$schema ? example.$schema : schema?.$id ?? '';
  const meta = isObject(event.meta) ? { ...event.meta } : {};
  delete meta.id;
  delete meta.dt;
  event.meta = { ...meta, stream };
  if (typeof event.dt === 'string') {
    event.dt = now.toISOString();
  }
  return event;
}

/**
 * A placeholder for what a schema describes, from its `required` fields only, each a value of its type: a `const`, the
 * first of an `enum`, a `default`; else "" (a date-time: now), the `minimum` or 0 for numbers, false, [], and for an
 * object its own required fields. Null when the schema says nothing usable.
 */
export function skeleton(schema, now = new Date()) {
  if (!isObject(schema)) {
    return null;
  }
  if ('const' in schema) {
    return structuredClone(schema.const);
  }
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    return structuredClone(schema.enum[0]);
  }
  if ('default' in schema) {
    return structuredClone(schema.default);
  }
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? (isObject(schema.properties) ? 'object' : null)];
  switch (types.find((t) => t !== 'null') ?? types[0]) {
    case 'object': {
      const object = {};
      for (const name of Array.isArray(schema.required) ? schema.required : []) {
        object[name] = skeleton(schema.properties?.[name], now);
      }
      return object;
    }
    case 'array':
      return [];
    case 'string':
      return schema.format === 'date-time' ? now.toISOString() : '';
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    case 'boolean':
      return false;
    default:
      return null;
  }
}

/**
 * Pretty-printed JSON as lines, each with the JSON Pointer of the value it starts (the root is ''), so that the
 * lines of failing paths can be marked.
 */
export function jsonLines(value) {
  const lines = [];
  const write = (v, path, indent, prefix, comma) => {
    const pad = '  '.repeat(indent);
    if (Array.isArray(v) && v.length > 0) {
      lines.push({ path, text: `${pad}${prefix}[` });
      v.forEach((item, i) => write(item, `${path}/${i}`, indent + 1, '', i < v.length - 1));
      lines.push({ path, text: `${pad}]${comma ? ',' : ''}` });
    } else if (isObject(v) && Object.keys(v).length > 0) {
      lines.push({ path, text: `${pad}${prefix}{` });
      const keys = Object.keys(v);
      keys.forEach((k, i) => write(v[k], `${path}/${escapePointer(k)}`, indent + 1, `${JSON.stringify(k)}: `, i < keys.length - 1));
      lines.push({ path, text: `${pad}}${comma ? ',' : ''}` });
    } else {
      lines.push({ path, text: `${pad}${prefix}${JSON.stringify(v)}${comma ? ',' : ''}` });
    }
  };
  write(value, '', 0, '', false);
  return lines;
}

/**
 * The indexes of the lines to mark for these failing instance paths: the line of the path itself, or, for a path
 * that is not there (a missing required property), the line of its nearest existing parent.
 */
export function badLines(lines, paths) {
  const marked = new Set();
  for (const path of paths) {
    let p = path;
    for (;;) {
      const index = lines.findIndex((l) => l.path === p);
      if (index >= 0) {
        marked.add(index);
        break;
      }
      if (p === '') {
        break;
      }
      p = p.slice(0, p.lastIndexOf('/'));
    }
  }
  return marked;
}

/** The intake's answer in words: EventGate's status message, and each failure's messages with their paths. */
export function describeAnswer(status, statusText, body) {
  const failures = [...(body?.invalid ?? []), ...(body?.error ?? [])];
  const errors = failures.flatMap((f) => (f?.context?.errors?.length ? f.context.errors : [{ instancePath: '', dataPath: '', message: f?.context?.message ?? '' }]));
  const problem = body && typeof body.detail === 'string' ? body.detail : '';
  return {
    ok: status === 204 || status === 202,
    summary: `${status} ${statusText || ''}`.trim() + (problem ? `: ${problem}` : ''),
    errors: errors.map((e) => ({ path: e.instancePath ?? '', where: e.dataPath || '(the event)', message: e.message ?? '' })),
  };
}

/** A random UUID, also where crypto.randomUUID is missing (pages not in a secure context). */
export function uuid() {
  if (globalThis.crypto?.randomUUID) {
    return crypto.randomUUID();
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function escapePointer(key) {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
