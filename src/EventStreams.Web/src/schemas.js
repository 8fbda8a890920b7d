// Where a stream's schema can be read: GET v2/schema/<stream> (the intake's route; none in upstream mode, and 404 for
// a stream without one). Each stream is asked about once, with a HEAD request; until the answer there is no link.
import { appUrl } from './paths.js';

export class SchemaLinks {
  /** @param {() => ({upstream: string|null}|undefined)} settings the server's UI settings, once loaded */
  constructor(settings) {
    this.settings = settings;
    this.known = new Map(); // stream -> true | false | 'checking'
  }

  /** The schema URL of `stream` when the server has it; else null, and `onKnown(url)` once it turns out to. */
  href(stream, onKnown) {
    const settings = this.settings();
    if (!stream || !settings || settings.upstream) {
      return null;
    }
    const url = appUrl(`v2/schema/${encodeURIComponent(stream)}`);
    const known = this.known.get(stream);
    if (known === undefined) {
      this.known.set(stream, 'checking');
      fetch(url, { method: 'HEAD' })
        .then((response) => response.ok, () => false)
        .then((ok) => {
          this.known.set(stream, ok);
          if (ok) {
            onKnown(url);
          }
        });
    }
    return known === true ? url : null;
  }
}
