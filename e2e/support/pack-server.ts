/**
 * A local HTTP server for pack downloads in e2e tests: serves a temp folder of pack copies on a
 * random free port with Range (206 + Content-Range, 416), CORS (preflights allowing Range,
 * exposed Content-Range/Content-Length/Accept-Ranges), a request log, and per-test faults: cut
 * the connection after N bytes of a file (once), serve a corrupted copy, 404 a file, throttle.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';

const MODELS = join(import.meta.dirname, '..', '..', 'public', 'models');

export interface LoggedRequest {
  method: string;
  /** URL path, e.g. "/served-t2v/transformer.onnx". */
  path: string;
  range?: string;
  status: number;
}

export interface PackServer {
  /** Base URL ending in "/". */
  url: string;
  /** The served folder. */
  root: string;
  log: LoggedRequest[];
  /** Sends the first `bytes` bytes of `path`'s next GET, then drops the connection (once). */
  cutAfter(path: string, bytes: number): void;
  /** Serves `path` with some bytes flipped (same size, wrong sha256). */
  corrupt(path: string): void;
  /** Answers 404 for `path`. */
  missing(path: string): void;
  /** Sends every body at about `bytesPerSecond`. */
  throttle(bytesPerSecond: number): void;
  close(): Promise<void>;
}

/**
 * Copies generated pack `from` (public/models/<from>, or `fromDir`/<from>) to `<root>/<id>/`, giving
 * the copy's pack.json the new id and name (and any other `edit`), so it is a pack the app does not bundle.
 */
export function servedCopy(
  root: string,
  from: string,
  id: string,
  name: string,
  edit?: (m: Record<string, unknown>) => void,
  fromDir = MODELS,
): string {
  const dir = join(root, id);
  cpSync(join(fromDir, from), dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'pack.json'), 'utf8')) as Record<string, unknown>;
  Object.assign(manifest, { id, name });
  edit?.(manifest);
  writeFileSync(join(dir, 'pack.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Content-Range, Content-Length, Accept-Ranges',
};

export async function startPackServer(): Promise<PackServer> {
  const root = mkdtempSync(join(tmpdir(), 'webgp-packs-'));
  const log: LoggedRequest[] = [];
  const cuts = new Map<string, number>();
  const corrupted = new Set<string>();
  const missing = new Set<string>();
  let rate = 0;

  async function send(res: ServerResponse, body: Buffer, cut: number | undefined): Promise<void> {
    const end = cut ?? body.length;
    const step = rate ? Math.max(256, Math.floor(rate / 8)) : body.length || 1;
    for (let i = 0; i < end; i += step) {
      const chunk = body.subarray(i, Math.min(end, i + step));
      await new Promise<void>((resolve) => res.write(chunk, () => resolve()));
      if (rate) await new Promise((r) => setTimeout(r, (chunk.length / rate) * 1000));
    }
    if (cut === undefined) return void res.end();
    // Let the browser read what was sent before the connection drops, as on a real network.
    await new Promise((r) => setTimeout(r, 300));
    res.socket?.destroy();
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const method = req.method ?? 'GET';
    const range = req.headers.range;
    const reply = (status: number, headers: Record<string, string | number> = {}) => {
      log.push({ method, path, ...(range ? { range } : {}), status });
      res.writeHead(status, { ...CORS, ...headers });
    };
    if (method === 'OPTIONS') {
      reply(204, {
        'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
        'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? 'Range',
        'Access-Control-Max-Age': '0',
      });
      return void res.end();
    }
    const file = normalize(join(root, path));
    let size = -1;
    try {
      if (file.startsWith(root) && !missing.has(path))
        size = statSync(file).isFile() ? statSync(file).size : -1;
    } catch {
      size = -1;
    }
    if (size < 0) {
      reply(404, { 'Content-Type': 'text/plain' });
      return void res.end('not found');
    }
    let body = readFileSync(file);
    if (corrupted.has(path)) {
      body = Buffer.from(body);
      for (
        let i = Math.floor(body.length / 2);
        i < Math.min(body.length, Math.floor(body.length / 2) + 16);
        i++
      )
        body[i] = (body[i] as number) ^ 0xff;
    }
    let start = 0;
    let status = 200;
    const headers: Record<string, string | number> = {
      'Accept-Ranges': 'bytes',
      'Content-Type': 'application/octet-stream',
      'Cache-Control': 'no-store',
    };
    const m = range ? /^bytes=(\d+)-(\d*)$/.exec(range) : null;
    if (m) {
      start = Number(m[1]);
      if (start >= size) {
        reply(416, { ...headers, 'Content-Range': `bytes */${size}` });
        return void res.end();
      }
      const end = m[2] ? Math.min(size - 1, Number(m[2])) : size - 1;
      body = body.subarray(start, end + 1);
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    }
    headers['Content-Length'] = body.length;
    reply(status, headers);
    if (method === 'HEAD') return void res.end();
    const cut = cuts.get(path);
    if (cut !== undefined) cuts.delete(path);
    void send(res, body, cut === undefined ? undefined : Math.min(cut, body.length));
  }

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const key = (p: string) => (p.startsWith('/') ? p : `/${p}`);
  return {
    url: `http://127.0.0.1:${port}/`,
    root,
    log,
    cutAfter: (p, bytes) => void cuts.set(key(p), bytes),
    corrupt: (p) => void corrupted.add(key(p)),
    missing: (p) => void missing.add(key(p)),
    throttle: (bytesPerSecond) => void (rate = bytesPerSecond),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
