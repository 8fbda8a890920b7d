// One live subscription to /v2/stream/{streams}. Read with a plain EventSource wherever the request allows it, so the
// browser's DevTools list the connection and its messages (Network → EventStream); with fetch() and a small SSE parser
// only where the page needs headers: an id too long for a URL (sent as the Last-Event-ID header), and field filters on
// a server that may ignore them (upstream mode: the page must read X-EventStreams-Filters). A connection that fails
// before it opens with an answer that is not a stream is asked once more with fetch() to read the refusal's status and
// problem body, which EventSource hides.

import { appUrl } from './paths.js';
import { ReconnectingConnection } from './reconnecting.js';

// The server sends a heartbeat comment every 15 s: silence for much longer means a dead connection (a proxy that
// dropped it without closing, a sleeping laptop), which fetch alone would never notice. (EventSource hides comments:
// there the page reconnects from the last id when it comes back after being hidden this long.)
const SILENCE_MS = 45_000;
// Longer URLs (an id naming many partitions) go by fetch() with the id as a header: servers limit request lines (8 KB).
export const MAX_URL_LENGTH = 4000;

/** Whether a request can be read with EventSource: `upstream` from settings.json (null: not known). */
export function eventSourceFits(url, { filters, settings }) {
  return typeof EventSource !== 'undefined' && url.length <= MAX_URL_LENGTH
    && ((filters ?? []).length === 0 || (settings !== null && settings !== undefined && !settings.upstream));
}

export class StreamConnection extends ReconnectingConnection {
  constructor(handlers) {
    super(handlers);
    this.abort = null;
    this.source = null;
    this.hiddenAt = 0;
    this.onVisibility = () => {
      if (document.hidden) {
        this.hiddenAt = Date.now();
      } else if (this.source && Date.now() - this.hiddenAt > SILENCE_MS) {
        this.retry(`hidden for over ${SILENCE_MS / 1000} s`); // a sleeping laptop's connection may be dead: go on from the last id
      }
    };
  }

  /** How the current connection reads: 'eventsource' or 'fetch' (tests, docs/UI.md). */
  get reader() {
    return this.source ? 'eventsource' : 'fetch';
  }

  close() {
    this.generation++;
    clearTimeout(this.retryTimer);
    this.retrying = false;
    this.abort?.abort();
    this.abort = null;
    this.closeSource();
  }

  closeSource() {
    this.source?.close();
    this.source = null;
    document.removeEventListener('visibilitychange', this.onVisibility);
  }

  /** The stream's URL; `withId` puts the last id in the query (`last_event_id`), for EventSource. */
  url(withId = false) {
    const { streams, since, filters } = this.request;
    const query = new URLSearchParams();
    // With an id the server ignores `since` for every partition the id names; without one, since is the start.
    if (!this.lastId && since != null && since !== '') {
      query.set('since', since);
    }
    for (const f of filters ?? []) {
      query.append('filter', f);
    }
    if (withId && this.lastId) {
      query.set('last_event_id', this.lastId);
    }
    const q = query.toString();
    return `${appUrl('v2/stream/')}${streams.map(encodeURIComponent).join(',')}${q ? `?${q}` : ''}`;
  }

  connect() {
    const url = this.url(true);
    if (eventSourceFits(url, { filters: this.request.filters, settings: this.handlers.settings?.() })) {
      this.connectEventSource(url);
    } else {
      this.connectFetch();
    }
  }

  connectEventSource(url) {
    const generation = this.generation;
    this.status('connecting', this.attempt > 0 ? `Reconnecting (attempt ${this.attempt + 1})…` : 'Connecting…');
    const source = new EventSource(url);
    this.source = source;
    let opened = false;
    source.onopen = () => {
      if (generation !== this.generation) {
        return;
      }
      opened = true;
      this.serverFilters = (this.request.filters ?? []).length > 0; // this server runs them (eventSourceFits)
      this.status('open', this.attempt > 0 ? `Streaming (reconnected after ${this.attempt} ${this.attempt === 1 ? 'retry' : 'retries'})` : 'Streaming');
      this.connectedAt = Date.now();
    };
    source.onmessage = (e) => {
      if (generation === this.generation) {
        this.flush([{ id: e.lastEventId, data: e.data }]);
      }
    };
    source.addEventListener('error', (e) => {
      if (generation !== this.generation) {
        return;
      }
      // EventSource would reconnect by itself (CONNECTING) after a network error or the end of the stream, and gives
      // up (CLOSED) on an answer that is not a stream: the page closes it and goes on from the last id itself.
      const refused = source.readyState === EventSource.CLOSED;
      this.closeSource();
      if (typeof e.data === 'string') {
        this.retry(`server error: ${describeServerError(e.data)}`); // the server's `event: error`
      } else if (refused && !opened) {
        this.diagnose(url, generation);
      } else {
        this.retry(opened ? 'the stream ended or the connection was lost' : 'network error: the connection failed');
      }
    });
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  /** EventSource was refused and says nothing more: ask once with fetch() what the server answers (status, problem). */
  async diagnose(url, generation) {
    const abort = new AbortController();
    this.abort = abort;
    let response;
    try {
      response = await fetch(url, { headers: { Accept: 'text/event-stream' }, signal: abort.signal, cache: 'no-store' });
    } catch (e) {
      if (generation === this.generation) {
        this.retry(`network error: ${e.message}`);
      }
      return;
    }
    if (response.ok) {
      abort.abort(); // it would have worked now: read it again the usual way
    }
    if (generation === this.generation) {
      await this.refused(response, 'the connection failed');
    }
  }

  /** A response that is not a stream: retry (5xx, 429, or `otherwise` when it was fine) or stop with the problem. */
  async refused(response, otherwise) {
    if (response.ok) {
      this.retry(otherwise);
      return;
    }
    const problem = await readProblem(response);
    if (response.status >= 500 || response.status === 429) {
      this.retry(`${response.status} ${problem}`);
    } else {
      this.status('failed', `Refused (${response.status}): ${problem}`);
    }
  }

  async connectFetch() {
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
      await this.refused(response);
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
    this.closeSource();
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
