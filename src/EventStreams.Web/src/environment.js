// Which events these are: the server's environment (Info:Environment) and, in upstream mode, the upstream it forwards to,
// from GET v2/ui/settings.json. Shown in the header and title in a colour of its own, and in exported file names, so that
// beta events are never taken for production ones.
import { appUrl } from './paths.js';

const DEFAULTS = { environment: null, upstream: null, transports: ['sse', 'signalr'], intake: true };

// Fixed colours for the names people use most: production red, pre-production amber, local green. Others get a hue of
// their own from their name, always the same for the same name.
const NAMED = [
  [/^(prod|production|live)$/i, '#b42318'],
  [/beta|staging|stage|test|canary|pre-?prod/i, '#b45309'],
  [/local|demo|dev/i, '#16803c'],
];

export async function loadSettings() {
  try {
    const response = await fetch(appUrl('v2/ui/settings.json'), { cache: 'no-store' });
    if (!response.ok) {
      return { ...DEFAULTS };
    }
    const json = await response.json();
    return {
      environment: typeof json.environment === 'string' && json.environment ? json.environment : null,
      upstream: typeof json.upstream === 'string' && json.upstream ? json.upstream : null,
      transports: Array.isArray(json.transports) && json.transports.length > 0 ? json.transports : DEFAULTS.transports,
      intake: json.intake !== false,
    };
  } catch {
    return { ...DEFAULTS };
  }
}

export function environmentColor(name) {
  if (!name) {
    return null;
  }
  for (const [pattern, color] of NAMED) {
    if (pattern.test(name)) {
      return color;
    }
  }
  let hash = 0;
  for (const c of name) {
    hash = (hash * 31 + c.codePointAt(0)) >>> 0;
  }
  return `hsl(${hash % 360} 65% 36%)`;
}

/** What the header shows: "beta · via https://host", "production", or "via https://host". */
export function environmentText({ environment, upstream }) {
  const via = upstream ? `via ${upstream}` : '';
  return [environment, via].filter(Boolean).join(' · ');
}

/** The page title: the environment first, so that it shows in a narrow browser tab. */
export function pageTitle({ environment, upstream }) {
  const host = upstream ? hostOf(upstream) : '';
  const label = environment ?? host;
  return label ? `[${label}] EventStreams${environment && host ? ` (${host})` : ''}` : 'EventStreams';
}

/** A file-name-safe label for exports ("beta", "production-stream.wikimedia.org"), empty when nothing is known. */
export function fileLabel({ environment, upstream }) {
  const parts = [environment, upstream ? hostOf(upstream) : null].filter(Boolean).join('-');
  return parts.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80);
}

function hostOf(url) {
  try {
    return new URL(url.split(' ')[0]).host;
  } catch {
    return url;
  }
}
