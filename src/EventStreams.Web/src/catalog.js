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
      streams.set(name, { name, aliasOf: null, description: '', schemaTitle: '', topics: [], errorValidation: isErrorStream(name) });
    }
  }
  return [...streams.values()].sort((a, b) => a.name.localeCompare(b.name));
}
