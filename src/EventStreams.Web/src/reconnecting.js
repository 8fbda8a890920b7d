// What both transports (SSE over fetch, SignalR) share: the request being served, the last id, and reconnecting with
// exponential backoff from that id. A subclass provides connect(), close() and dropCurrent().

const MAX_BACKOFF_MS = 30_000;

export class ReconnectingConnection {
  /**
   * @param {{ onEvents: (batch: {id: string, data: string}[]) => void, onStatus: (status: object) => void,
   *   settings?: () => object|null }} handlers (settings: the server's settings.json, null until it arrived)
   */
  constructor(handlers) {
    this.handlers = handlers;
    this.lastId = null;
    this.serverFilters = false;
    this.attempt = 0;
    this.retryTimer = 0;
    this.retrying = false; // backing off: a retry is due (retryNow can bring it forward)
    this.generation = 0;
  }

  /** Starts (or restarts) reading. `request` = {streams, since, lastEventId, filters}. */
  open(request) {
    this.prepare(request);
    this.connect();
  }

  /** Sets what the next connect (e.g. a resume) asks for, without connecting. */
  prepare(request) {
    this.close();
    this.request = request;
    this.lastId = request.lastEventId || null;
    this.attempt = 0;
  }

  /** Reconnects from the last id, e.g. after resume or a change of server-side filters. */
  resume(filters) {
    this.close();
    if (filters) {
      this.request = { ...this.request, filters };
    }
    this.attempt = 0;
    this.connect();
  }

  /**
   * Before any event (so without an id), a reconnect should start where this connection started listening, not at a
   * new "now" that would skip what was produced in between. A second of overlap covers clock skew.
   */
  holdStart() {
    if (!this.lastId && !this.request.since && this.connectedAt) {
      this.request = { ...this.request, since: new Date(this.connectedAt - 1000).toISOString() };
    }
  }

  /** Gives up the current connection and tries again later, from the last id. */
  retry(reason) {
    this.holdStart();
    this.dropCurrent();
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(this.attempt, 5));
    this.attempt++;
    this.retrying = true;
    this.status('retrying', `Disconnected (${reason}); reconnecting in ${Math.round(delay / 1000)} s${this.lastId ? ' from the last event' : ''}`);
    const generation = this.generation;
    this.retryTimer = setTimeout(() => {
      if (generation === this.generation) {
        this.retryNow();
      }
    }, delay);
  }

  /** Waiting to reconnect (backing off): try at once instead. */
  retryNow() {
    if (!this.retrying) {
      return;
    }
    clearTimeout(this.retryTimer);
    this.retrying = false;
    this.connect();
  }

  status(state, text) {
    if (state !== 'retrying') {
      this.retrying = false;
    }
    this.handlers.onStatus({ state, text, serverFilters: this.serverFilters, attempt: this.attempt });
  }
}
