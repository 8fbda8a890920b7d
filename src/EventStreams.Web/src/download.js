// Downloads of what the list shows: NDJSON of the events, or CSV of the summary columns.

export function downloadNdjson(records, label = '') {
  const text = records.map((r) => r.raw).join('\n');
  save(new Blob([text ? `${text}\n` : ''], { type: 'application/x-ndjson' }), fileName(label, 'ndjson'));
}

const COLUMNS = ['time', 'stream', 'type', 'wiki', 'title', 'user', 'summary', 'topic', 'partition', 'offset'];

export function toCsv(records) {
  const lines = [COLUMNS.join(',')];
  for (const r of records) {
    const s = r.summary;
    lines.push([new Date(r.time).toISOString(), r.stream, s.type, s.wiki, s.title, s.user, s.text, r.topic, r.partition, r.offset].map(cell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

export function downloadCsv(records, label = '') {
  save(new Blob([toCsv(records)], { type: 'text/csv' }), fileName(label, 'csv'));
}

function cell(value) {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

// The environment (environment.js fileLabel) is in every exported file's name: beta data never passes for production data.
export function fileName(label, extension, now = new Date()) {
  return `eventstreams-${label ? `${label}-` : ''}${stamp(now)}.${extension}`;
}

function stamp(now) {
  return now.toISOString().replaceAll(':', '').replace(/\.\d+Z$/, 'Z');
}

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
