import { defineConfig } from 'vite';

// Served by the server at /v2/ui; the build lands in the repo-root wwwroot/ui, which the server build copies to its bin folder.
// `npm run dev` proxies the API to a server started with `dotnet run --project src/EventStreams.Server` with `-- --urls http://127.0.0.1:8080` (the README's command).
const api = process.env.EVENTSTREAMS_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  // Relative asset URLs: the server may be mounted under a prefix (PathBase, a proxy at /eventstreams/); the server
  // redirects /v2/ui to ui/ so that they resolve.
  base: './',
  build: {
    outDir: '../../wwwroot/ui',
    emptyOutDir: true,
    target: 'es2022',
    // No inline scripts or module-preload polyfill: the page runs under `script-src 'self'`.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/v2/stream': { target: api, changeOrigin: true },
      '^/\\?spec': { target: api, changeOrigin: true },
      '/v2/ui/settings.json': { target: api, changeOrigin: true },
      '/v2/hub': { target: api, changeOrigin: true, ws: true },
    },
  },
});
