/**
 * Vite config: Svelte SPA, ES-module workers, ONNX Runtime / ffmpeg.wasm served from our own
 * origin, and a PWA whose precache holds the app shell, runtimes and the bundled demo packs
 * (generation, and the SAM and MatAnyone demo packs of the Matting page). The ffmpeg.wasm core
 * (~32 MB, only the fallback where WebCodecs cannot do the job) is not precached: it is cached
 * at runtime on first use, so it works offline once loaded. The CSP (header, meta tag,
 * dist/_headers) comes from tools/csp.ts.
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { cspPlugin } from './tools/csp';

export default defineConfig({
  plugins: [
    svelte(),
    cspPlugin(import.meta.dirname),
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: false,
      manifest: {
        name: 'WebGP — video generation on your own GPU',
        short_name: 'WebGP',
        description: 'Generate videos in the browser with WebGPU. Nothing is uploaded.',
        theme_color: '#111318',
        background_color: '#111318',
        display: 'standalone',
        icons: [{ src: 'icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
      },
      workbox: {
        // Runtimes (ORT ~25 MB) exceed Workbox's 2 MiB default.
        maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
        globPatterns: [
          '**/*.{js,css,html,wasm,svg,webmanifest}',
          'models/registry.json',
          'models/demo-t2v/*',
          'models/demo-sam/*',
          'models/demo-matanyone/*',
        ],
        // ffmpeg.wasm core: fetched only when the fallback first runs, then served from this cache.
        globIgnores: ['**/ffmpeg-core*'],
        runtimeCaching: [
          {
            urlPattern: /\/assets\/ffmpeg-core[^/]*\.(?:js|wasm)$/,
            handler: 'CacheFirst',
            options: { cacheName: 'webgp-ffmpeg-core', expiration: { maxEntries: 4 } },
          },
        ],
        clientsClaim: true,
        skipWaiting: true,
      },
    }),
  ],
  worker: { format: 'es' },
  build: {
    target: 'esnext',
    chunkSizeWarningLimit: 2048,
    rollupOptions: { input: { main: 'index.html', bench: 'bench.html' } },
  },
  optimizeDeps: { exclude: ['onnxruntime-web', '@ffmpeg/ffmpeg', '@ffmpeg/util'] },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  server: { host: '127.0.0.1', port: 5173 },
});
