// One live subscription to /v2/stream/{streams}, read with fetch() so that the page can send Last-Event-ID as a header,
// read the error body of a refused request, and see whether the server applies filters (X-EventStreams-Filters).
// The wire format is plain SSE, exactly what EventSource reads.

import { appUrl } from './paths.js';
import { ReconnectingConnection } from './reconnecting.js';

// The server sends a heartbeat comment every 15 s: silence for much longer means a dead connection (a proxy that
// dropped it without closing, a sleeping laptop), which fetch alone would never notice.
const SILENCE_MS = 45_000;

export class StreamConnection extends ReconnectingConnection {
  constructor(handlers) {
    super(handlers);
    this.abort = null;
  }

  close() {
    this.generation++;
    clearTimeout(this.retryTimer);
    this.retrying = false;
    this.abort?.abort();
    this.abort = null;
  }

  url() {
    const { streams, since, filters } = this.request;
    const query = new URLSearchParams();
    // With an id the server ignores `since` for every partition the id names; without one, since is the start.
    if (!this.lastId && since != null && since !== '') {
      query.set('since', since);
    }
    for (const f of filters ?? []) {
      query.append('filter', f);
    }
    const q = query.toString();
    return `${appUrl('v2/stream/')}${streams.map(encodeURIComponent).join(',')}${q ? `?${q}` : ''}`;
  }

  async connect() {
    const generation = this.generation;
    const abort = new AbortController();
    this.abort = abort;
    const headers = { Accept: 'text/event-stream' };
    if (this.lastId) {
      headers['Last-Event-ID'] = this.lastId;
    }
    this.status('connecting', this.attempt > 0 ? `Reconnecting (attempt ${this.attempt + 1})…` : 'Connecting…');
    let response;
    try {
      response = await fetch(this.url(), { headers, signal: abort.signal, cache: 'no-store' });
    } catch (e) {
      if (generation === this.generation) {
        this.retry(`network error: ${e.message}`);
      }
      return;
    }
    if (generation !== this.generation) {
      return;
    }
    if (!response.ok) {
      const problem = await readProblem(response);
      if (response.status >= 500 || response.status === 429) {
        this.retry(`${response.status} ${problem}`);
      } else {
        this.status('failed', `Refused (${response.status}): ${problem}`);
      }
      return;
    }
    this.serverFilters = response.headers.get('X-EventStreams-Filters') === '1';
    this.status('open', this.attempt > 0 ? `Streaming (reconnected after ${this.attempt} ${this.attempt === 1 ? 'retry' : 'retries'})` : 'Streaming');
    this.connectedAt = Date.now();
    this.heardAt = Date.now();
    let silent = false;
    const watchdog = setInterval(() => {
      if (Date.now() - this.heardAt > SILENCE_MS) {
        silent = true;
        abort.abort();
      }
    }, 5000);
    let failure = 'the server closed the stream';
    try {
      await this.read(response.body, generation);
    } catch (e) {
      if (generation !== this.generation) {
        return;
      }
      failure = silent ? `nothing heard for ${SILENCE_MS / 1000} s` : e.serverError ?? `connection lost: ${e.message}`;
    } finally {
      clearInterval(watchdog);
    }
    if (generation === this.generation) {
      this.retry(failure);
    }
  }

  async read(body, generation) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let id = null;
    let event = null;
    let data = null;
    for (;;) {
      const { value, done } = await reader.read();
      if (done || generation !== this.generation) {
        return;
      }
      this.heardAt = Date.now();
      buffer += value;
      const batch = [];
      let start = 0;
      for (;;) {
        const end = buffer.indexOf('\n', start);
        if (end < 0) {
          break;
        }
        let line = buffer.slice(start, end);
        start = end + 1;
        if (line.endsWith('\r')) {
          line = line.slice(0, -1);
        }
        if (line === '') {
          if (data !== null) {
            if (event === null || event === 'message') {
              batch.push({ id, data });
            } else if (event === 'error') {
              this.flush(batch);
              const error = new Error('server error');
              error.serverError = `server error: ${describeServerError(data)}`;
              throw error;
            }
          }
          event = null;
          data = null;
          continue;
        }
        if (line.charCodeAt(0) === 58) {
          continue; // ":ok" and heartbeats
        }
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let text = colon < 0 ? '' : line.slice(colon + 1);
        if (text.charCodeAt(0) === 32) {
          text = text.slice(1);
        }
        if (field === 'data') {
          data = data === null ? text : `${data}\n${text}`;
        } else if (field === 'id') {
          id = text;
        } else if (field === 'event') {
          event = text;
        }
      }
      buffer = buffer.slice(start);
      this.flush(batch);
    }
  }

  flush(batch) {
    if (batch.length > 0) {
      this.lastId = batch[batch.length - 1].id ?? this.lastId;
      this.attempt = 0;
      this.handlers.onEvents(batch);
    }
  }

  dropCurrent() {
    this.abort?.abort();
  }
}

async function readProblem(response) {
  try {
    const text = await response.text();
    try {
      const problem = JSON.parse(text);
      return [problem.title, problem.detail].filter(Boolean).join(': ') || text;
    } catch {
      return text.slice(0, 300) || response.statusText;
    }
  } catch {
    return response.statusText;
  }
}

function describeServerError(data) {
  try {
    const error = JSON.parse(data);
    return [error.name, error.message].filter(Boolean).join(': ');
  } catch {
    return data;
  }
}
