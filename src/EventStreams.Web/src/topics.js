// What the controller tells the panels, and the one place the topics are listed: subscribing to or emitting a topic
// not listed here throws, so the list cannot fall behind the code.

export const TOPICS = Object.freeze({
  // the view (view.js; the URL follows 'state')
  streams: 'the selected streams changed',
  start: 'the start position changed',
  filters: 'the text, field filters or canary changed',
  max: 'the number of kept events changed',
  transport: 'SSE / SignalR',
  chart: 'the chart plots by event time or by arrival',
  state: 'any of the above (the URL follows it)',
  replaced: 'a whole new view (a link, a saved view)',
  // what the server told the page
  catalog: 'the catalogue arrived',
  settings: 'the server settings arrived (environment, upstream, transports, intake)',
  retention: 'how far back the selected streams go (v2/retention) arrived',
  // the streaming session (session.js)
  mode: 'idle | live | paused | stopped',
  status: "the connection's status in words",
  started: 'a new subscription began',
  series: "changed: the chart's streams were set",
  frame: '{added, dropped}: events joined the list',
  view: 'the list was rebuilt (filter, clear, max)',
  cleared: 'Clear was pressed',
  notices: 'the notices changed (things the page must say)',
  older: '"Load older": {loading, text}: what it is doing or did',
});

export class Topics {
  constructor() {
    this.listeners = new Map();
  }

  /** Calls `listener(payload)` whenever `topic` happens; returns a function that unsubscribes. */
  on(topic, listener) {
    known(topic);
    if (!this.listeners.has(topic)) {
      this.listeners.set(topic, new Set());
    }
    this.listeners.get(topic).add(listener);
    return () => this.listeners.get(topic).delete(listener);
  }

  emit(topic, payload) {
    known(topic);
    for (const listener of this.listeners.get(topic) ?? []) {
      listener(payload);
    }
  }
}

function known(topic) {
  if (!Object.hasOwn(TOPICS, topic)) {
    throw new Error(`Unknown topic '${topic}': list it in topics.js`);
  }
}
