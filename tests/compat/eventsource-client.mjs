// Connects npm's `eventsource` (a real EventSource implementation we did not write) to a URL and
// prints what it sees, one JSON object per line on stdout:
//   {"open":true}                    each time a connection opens (the first, and every reconnect)
//   {"id":"...","data":"..."}       each message event, in the order received
// Exits after N message events. Errors (which the client answers by reconnecting) go to stderr.
// Usage: node eventsource-client.mjs <url> <n> [timeout-seconds]
import { EventSource } from 'eventsource';

const [url, countArg, timeoutArg] = process.argv.slice(2);
const wanted = Number.parseInt(countArg ?? '', 10);
if (!url || !(wanted > 0)) {
  console.error('usage: node eventsource-client.mjs <url> <n> [timeout-seconds]');
  process.exit(64);
}

// Never outlive a test that forgot us.
const timeout = setTimeout(() => {
  console.error(`timed out after ${timeoutArg ?? 120} s`);
  process.exit(2);
}, 1000 * Number(timeoutArg ?? 120));

let received = 0;
const source = new EventSource(url);
source.addEventListener('open', () => console.log(JSON.stringify({ open: true })));
source.addEventListener('error', (event) => console.error(`error (readyState ${source.readyState}): ${event.message ?? ''}`));
source.addEventListener('message', (event) => {
  console.log(JSON.stringify({ id: event.lastEventId, data: event.data }));
  if (++received >= wanted) {
    source.close();
    clearTimeout(timeout);
  }
});
