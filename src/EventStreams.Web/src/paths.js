// Where the API is, relative to the page: the UI lives at <root>v2/ui/, so the root is whatever comes before it. A server
// mounted under a prefix (PathBase, or a proxy at /eventstreams/) then works without the UI knowing the prefix.

const UI_PATH = '/v2/ui';

/** The server's root path as seen by this page, ending in '/': '/' normally, '/eventstreams/' under a prefix. */
export function appRoot(pathname = location.pathname) {
  const at = pathname.lastIndexOf(UI_PATH);
  return at < 0 ? '/' : pathname.slice(0, at + 1);
}

/** A server path ('?spec', 'v2/stream/a', 'v2/hub') as a URL path under the page's root. */
export function appUrl(path, pathname = location.pathname) {
  return appRoot(pathname) + path;
}
