// The same subscription over SignalR (/v2/hub, `Stream(streams, since, lastEventId, filters)`), with the interface of
// StreamConnection so that the page can use either transport. The hub yields the same ids and JSON as /v2/stream.
import { HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import { ReconnectingConnection } from './reconnecting.js';
import { appUrl } from './paths.js';

// Problems that a retry cannot fix (the problem types of /v2/stream, carried in the HubException's message).
const REFUSED = /HubException: (not_found|invalid_\w+|topic_not_available|too_many_requests): (.*)$/s;

export class HubStreamConnection extends ReconnectingConnection {
  constructor(handlers) {
    super(handlers);
    this.serverFilters = true;
  }

  close() {
    this.generation++;
    clearTimeout(this.retryTimer);
    this.retrying = false;
    this.subscription?.dispose();
    this.subscription = null;
    const hub = this.hub;
    this.hub = null;
    hub?.stop().catch(() => {});
  }

  async connect() {
    const generation = this.generation;
    this.status('connecting', this.attempt > 0 ? `Reconnecting over SignalR (attempt ${this.attempt + 1})…` : 'Connecting over SignalR…');
    const hub = new HubConnectionBuilder().withUrl(appUrl('v2/hub')).configureLogging(LogLevel.None).build();
    this.hub = hub;
    try {
      await hub.start();
    } catch (e) {
      if (generation === this.generation) {
        this.retry(`network error: ${e.message}`);
      }
      return;
    }
    if (generation !== this.generation) {
      hub.stop().catch(() => {});
      return;
    }
    hub.onclose((e) => {
      if (generation === this.generation) {
        this.retry(e ? `connection lost: ${e.message}` : 'the server closed the connection');
      }
    });
    const { streams, since, filters } = this.request;
    this.status('connecting', 'Subscribing over SignalR…');
    this.subscription = hub.stream('Stream', streams.join(','), this.lastId ? null : since || null, this.lastId, filters ?? []).subscribe({
      next: (e) => {
        if (generation !== this.generation) {
          return;
        }
        this.lastId = e.id;
        if (e.data === null) {
          // The start marker: the server has subscribed, and its id resumes from here even before any event.
          this.connectedAt = Date.now();
          this.status('open', this.attempt > 0 ? `Streaming over SignalR (reconnected after ${this.attempt} ${this.attempt === 1 ? 'retry' : 'retries'})` : 'Streaming over SignalR');
          return;
        }
        this.attempt = 0;
        this.handlers.onEvents([{ id: e.id, data: e.data }]);
      },
      error: (e) => {
        if (generation !== this.generation) {
          return;
        }
        const refused = REFUSED.exec(e?.message ?? '');
        if (refused) {
          this.close();
          this.status('failed', `Refused: ${refused[1]}: ${refused[2]}`);
        } else {
          this.retry(`server error: ${e?.message ?? e}`);
        }
      },
      complete: () => {
        if (generation === this.generation) {
          this.retry('the server ended the stream');
        }
      },
    });
  }

  dropCurrent() {
    this.close();
  }
}
