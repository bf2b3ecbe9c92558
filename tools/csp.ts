/**
 * The app's Content-Security-Policy, made in one place and served three ways: as a header from
 * `vite dev`/`vite preview` (workers are covered only by a header), as a `<meta>` tag in every
 * page, and as `dist/_headers` for static hosts (Netlify / Cloudflare Pages format; other hosts:
 * copy the line into their header settings). No `unsafe-eval`: only `wasm-unsafe-eval`, which
 * ONNX Runtime Web and ffmpeg.wasm need to compile WebAssembly. No inline script.
 *
 * connect-src: the app's origin, the hosts of the registry's packs and per-file URLs (read from
 * public/models), Hugging Face's download CDNs (its /resolve/ URLs redirect there), loopback
 * http (packs served from this machine, the e2e pack servers), and the hosts a user adds with
 * WEBGP_CONNECT_SRC at build time (docs/security.md).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';

/** Where Hugging Face's `resolve/` downloads redirect (LFS and Xet storage). */
export const HF_DOWNLOAD_HOSTS = ['https://*.hf.co', 'https://*.huggingface.co'];
/** Packs served from this machine over plain http (the only http the installer accepts). */
export const LOOPBACK = ['http://127.0.0.1:*', 'http://localhost:*'];

/** The origins of every absolute URL in registry.json and the bundled packs' pack.json files. */
export function registryOrigins(modelsDir: string): string[] {
  const files = [
    join(modelsDir, 'registry.json'),
    ...(existsSync(modelsDir) ? readdirSync(modelsDir).map((d) => join(modelsDir, d, 'pack.json')) : []),
  ].filter(existsSync);
  const origins = new Set<string>();
  for (const f of files)
    for (const m of readFileSync(f, 'utf8').matchAll(/"(https:\/\/[^"\s]+)"/g))
      origins.add(new URL(m[1]!).origin);
  return [...origins].sort();
}

/** Hosts the user allows in addition (space- or comma-separated origins such as https://example.org). */
export function userOrigins(value = process.env.WEBGP_CONNECT_SRC ?? ''): string[] {
  return value
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((o) => {
      const url = new URL(o);
      if (url.protocol !== 'https:' && !/^(127\.0\.0\.1|localhost|\[::1\])$/.test(url.hostname))
        throw new Error(`WEBGP_CONNECT_SRC: ${o} must be https (plain http only for localhost).`);
      return url.origin;
    });
}

export interface CspOptions {
  connect: string[];
  /** The dev server's hot-reload websocket. */
  dev?: boolean;
  /** frame-ancestors works in a header only (a meta tag must leave it out). */
  header?: boolean;
}

/** The policy text. */
export function cspPolicy(o: CspOptions): string {
  const directives: [string, ...string[]][] = [
    ['default-src', "'self'"],
    ['script-src', "'self'", "'wasm-unsafe-eval'"],
    ['worker-src', "'self'", 'blob:'],
    // Svelte sets style attributes (progress bars, the frame viewer); no script runs from them.
    ['style-src', "'self'", "'unsafe-inline'"],
    ['img-src', "'self'", 'blob:', 'data:'],
    ['media-src', "'self'", 'blob:', 'data:'],
    ['connect-src', "'self'", 'blob:', 'data:', ...o.connect, ...(o.dev ? ['ws:'] : [])],
    ['object-src', "'none'"],
    ['base-uri', "'self'"],
    ['form-action', "'self'"],
    ...(o.header ? [['frame-ancestors', "'none'"] as [string, string]] : []),
  ];
  return directives.map((d) => d.join(' ')).join('; ');
}

/** The connect-src hosts for this checkout: registry and pack hosts, Hugging Face CDNs, loopback, the user's. */
export function connectHosts(root: string): string[] {
  return [
    ...new Set([
      ...registryOrigins(join(root, 'public/models')),
      ...HF_DOWNLOAD_HOSTS,
      ...LOOPBACK,
      ...userOrigins(),
    ]),
  ];
}

/** Vite plugin: the header on dev/preview responses, the meta tag in each page, dist/_headers. */
export function cspPlugin(root: string): Plugin {
  const connect = () => connectHosts(root);
  return {
    name: 'webgp-csp',
    configureServer(server) {
      server.middlewares.use((_, res, next) => {
        res.setHeader('Content-Security-Policy', cspPolicy({ connect: connect(), dev: true, header: true }));
        next();
      });
    },
    configurePreviewServer(server) {
      server.middlewares.use((_, res, next) => {
        res.setHeader('Content-Security-Policy', cspPolicy({ connect: connect(), header: true }));
        next();
      });
    },
    transformIndexHtml: {
      order: 'post',
      handler: (_, ctx) => [
        {
          tag: 'meta',
          attrs: {
            'http-equiv': 'Content-Security-Policy',
            content: cspPolicy({ connect: connect(), dev: !!ctx.server }),
          },
          injectTo: 'head-prepend',
        },
      ],
    },
    generateBundle() {
      const header = cspPolicy({ connect: connect(), header: true });
      this.emitFile({
        type: 'asset',
        fileName: '_headers',
        source: `# WebGP's Content-Security-Policy for static hosts (Netlify, Cloudflare Pages). Generated by tools/csp.ts; see docs/security.md.\n/*\n  Content-Security-Policy: ${header}\n`,
      });
    },
  };
}
