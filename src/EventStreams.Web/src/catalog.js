// The stream catalogue from the server's OpenAPI document (GET /?spec): one documentation path per stream whose GET
// carries `x-eventstreams`, and the enum of the `{streams}` parameter as a fallback.
import { isErrorStream } from './summary.js';
import { appUrl } from './paths.js';

export async function loadCatalog() {
  const response = await fetch(appUrl('?spec'), { headers: { Accept: 'application/json' }, cache: 'no-store' });
  if (!response.ok) {
    throw new Error(`GET /?spec answered ${response.status}`);
  }
  return parseSpec(await response.json());
}

export function parseSpec(spec) {
  const streams = new Map();
  const names = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    const x = item?.get?.['x-eventstreams'];
    if (x && typeof x.stream === 'string') {
      streams.set(x.stream, {
        name: x.stream,
        aliasOf: x.alias_of ?? null,
        description: x.description ?? item.get.description ?? '',
        schemaTitle: x.schema_title ?? '',
        topics: Array.isArray(x.topics) ? x.topics : [],
        errorValidation: x.error_validation === true || isErrorStream(x.stream),
        destinationEventService: typeof x.destination_event_service === 'string' ? x.destination_event_service : null,
      });
    }
    if (path === '/v2/stream/{streams}') {
      for (const p of item?.get?.parameters ?? []) {
        const schema = p.schema ?? {};
        const values = schema.enum ?? schema.items?.enum ?? [];
        if (p.name === 'streams') {
          names.push(...values);
        }
      }
    }
  }
  for (const name of names) {
    if (typeof name === 'string' && !streams.has(name)) {
      streams.set(name, { name, aliasOf: null, description: '', schemaTitle: '', topics: [], errorValidation: isErrorStream(name), destinationEventService: null });
    }
  }
  return [...streams.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The error streams where a stream's rejected events go: `{destination_event_service}.error.validation` when the
 * catalogue has it; otherwise every error-validation stream in the catalogue (filtered on errored_stream_name anyway).
 */
export function validationStreamsFor(name, catalog) {
  const service = catalog.find((c) => c.name === realStream(name, catalog))?.destinationEventService;
  const named = service ? `${service}.error.validation` : null;
  if (named && catalog.some((c) => c.name === named)) {
    return [named];
  }
  return catalog.filter((c) => c.errorValidation).map((c) => c.name);
}

/**
 * The declared stream behind a name: an alias's target (when the catalogue has it), else the name itself. Events and
 * their validation errors name the real stream (`meta.stream`, `errored_stream_name`), never the alias.
 */
export function realStream(name, catalog) {
  const target = catalog.find((c) => c.name === name)?.aliasOf;
  return target && catalog.some((c) => c.name === target) ? target : name;
}
