/**
 * Vite config: Svelte SPA, ES-module workers, ONNX Runtime / ffmpeg.wasm served from our own
 * origin, and a PWA whose precache holds the app shell, runtimes and the bundled demo packs
 * (generation, and the SAM and MatAnyone demo packs of the Matting page). Of the ONNX Runtime
 * builds (src/engine/ort-build.ts) only the default's wasm is precached; another build's is
 * cached when it is first loaded, so it works offline from then on. The ffmpeg.wasm core
 * (~32 MB, only the fallback where WebCodecs cannot do the job) is not precached either: it is
 * cached at runtime on first use. The CSP (header, meta tag, dist/_headers) comes from tools/csp.ts.
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { cspPlugin } from './tools/csp';
import { DEFAULT_ORT_BUILD, ORT_BUILD_WASM, ORT_BUILDS } from './src/engine/ort-build';

/** The ONNX Runtime builds other than the default: their wasm is cached on first use, not precached. */
const otherOrtWasm = ORT_BUILDS.filter((b) => b !== DEFAULT_ORT_BUILD).map((b) => ORT_BUILD_WASM[b]);

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
        // ffmpeg.wasm core and the other ONNX Runtime builds: fetched on first need, then served from a cache.
        globIgnores: ['**/ffmpeg-core*', ...otherOrtWasm.map((name) => `**/${name}-*.wasm`)],
        runtimeCaching: [
          {
            urlPattern: /\/assets\/ffmpeg-core[^/]*\.(?:js|wasm)$/,
            handler: 'CacheFirst',
            options: { cacheName: 'webgp-ffmpeg-core', expiration: { maxEntries: 4 } },
          },
          {
            // A RegExp, not a function: generateSW writes the pattern into the service worker's source.
            urlPattern: new RegExp(
              `/(${otherOrtWasm.map((n) => n.replaceAll('.', '\\.')).join('|')})-[^/]*\\.wasm$`,
            ),
            handler: 'CacheFirst',
            options: { cacheName: 'webgp-ort-builds', expiration: { maxEntries: 4 } },
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
    rollupOptions: { input: { main: 'index.html', bench: 'bench.html', soak: 'soak.html' } },
  },
  optimizeDeps: { exclude: ['onnxruntime-web', '@ffmpeg/ffmpeg', '@ffmpeg/util'] },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  server: { host: '127.0.0.1', port: 5173 },
});
