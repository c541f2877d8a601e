import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

/**
 * The console is served by the gateway at /console (gateway/src/console-route.ts) under a strict
 * CSP (script-src 'self'; style-src 'self'): everything is an external, content-hashed file, no
 * inline script or style, no module preload polyfill (an inline script), nothing from a CDN.
 */
export default defineConfig({
  base: '/console/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // Small images stay files: a data: URL would need img-src data: for CSS too (allowed, but files are simpler to cache).
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
    sourcemap: false,
    target: 'es2022',
  },
});
