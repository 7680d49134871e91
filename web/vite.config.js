import { defineConfig } from 'vite';

// The dashboard is served by agentsudo-server from one directory under a
// strict CSP (default-src 'self'): no inline script or style may be emitted.
export default defineConfig({
  base: '/',
  build: {
    outDir: process.env.AGENTSUDO_WEB_OUT || 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // The polyfill would be an inline script; every browser we support has
    // modulepreload natively.
    modulePreload: { polyfill: false },
    // Never inline assets as data: URLs (CSP default-src 'self').
    assetsInlineLimit: 0,
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080', '/ingest-event': 'http://127.0.0.1:8080' },
  },
});
