/**
 * The pure bookkeeping of installing a pack (download or import), kept out of the OPFS code so
 * Node tests cover it: what to make of an HTTP answer to a resumed request, the smoothed rate
 * and ETA, the quota verdict, the texts the Models page shows, and which ids and paths are safe
 * as OPFS names.
 */
import { hasUrlEscape } from './pack-url';
import { EngineError } from '../errors';
import { formatSize } from '../format-size';

/** `Range` header asking for the rest of a file of which `have` bytes are stored. */
export function rangeHeader(have: number): string {
  return `bytes=${have}-`;
}

/** Parses `Content-Range: bytes 100-199/1000` (total may be `*`); undefined when malformed. */
export function parseContentRange(
  header: string | null,
): { start: number; end: number; total?: number } | undefined {
  const m = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(header?.trim() ?? '');
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end < start) return undefined;
  return m[3] === '*' ? { start, end } : { start, end, total: Number(m[3]) };
}

/**
 * What to do with the answer to a GET for a file of which `have` bytes are stored (sent with
 * `Range: bytes=have-` when have > 0):
 * - `append`: a 206 continuing exactly at `have` — write the body there;
 * - `restart`: a 200 (the server ignored Range, or nothing was stored) — write from byte 0;
 * - `refetch`: a 206 at another offset, or a 416 while the file is not complete — drop what is
 *   stored and ask again without Range;
 * - `complete`: a 416 because the stored file already has all `expected` bytes;
 * - `missing`: 404/410; `retry`: 408/429/5xx, worth trying again later; `refused`: other errors.
 */
export type ResponsePlan =
  | { kind: 'append' }
  | { kind: 'restart' }
  | { kind: 'refetch' }
  | { kind: 'complete' }
  | { kind: 'missing' }
  | { kind: 'retry' }
  | { kind: 'refused' };

export function planResponse(
  status: number,
  have: number,
  contentRange: string | null,
  expected?: number,
): ResponsePlan {
  if (status === 200) return { kind: 'restart' };
  if (status === 206) {
    const range = parseContentRange(contentRange);
    return have > 0 && range?.start === have ? { kind: 'append' } : { kind: 'refetch' };
  }
  if (status === 416)
    return expected !== undefined && have === expected ? { kind: 'complete' } : { kind: 'refetch' };
  if (status === 404 || status === 410) return { kind: 'missing' };
  if (status === 408 || status === 429 || status >= 500) return { kind: 'retry' };
  return { kind: 'refused' };
}

/**
 * Transfer rate smoothed exponentially over time (time constant `tauMs`), so the ETA does not
 * jump with every chunk. Samples closer than `windowMs` are pooled; the first window sets the
 * rate directly instead of easing up from zero.
 */
export class RateMeter {
  private lastLoaded = 0;
  private lastTime: number | undefined;
  private smoothed: number | undefined;

  constructor(
    private readonly tauMs = 3000,
    private readonly windowMs = 250,
  ) {}

  /** Starts (or restarts, after a pause) measuring from `loaded` bytes at `now` ms; keeps the last rate. */
  reset(loaded: number, now: number): void {
    this.lastLoaded = loaded;
    this.lastTime = now;
  }

  /** Records that `loaded` bytes are done at `now` ms. */
  sample(loaded: number, now: number): void {
    if (this.lastTime === undefined) return this.reset(loaded, now);
    const dt = now - this.lastTime;
    if (dt < this.windowMs) return;
    const instant = ((loaded - this.lastLoaded) * 1000) / dt;
    const alpha = 1 - Math.exp(-dt / this.tauMs);
    this.smoothed = this.smoothed === undefined ? instant : this.smoothed + alpha * (instant - this.smoothed);
    this.lastLoaded = loaded;
    this.lastTime = now;
  }

  /** Bytes per second (0 until the first window has passed). */
  get rate(): number {
    return Math.max(0, this.smoothed ?? 0);
  }

  /** Seconds left for `remaining` bytes at the current rate; undefined while the rate is unknown. */
  eta(remaining: number): number | undefined {
    if (remaining <= 0) return 0;
    return this.rate > 0 ? remaining / this.rate : undefined;
  }
}

/** Whole percent done, never 100 before the end. */
export function percentDone(loaded: number, total: number): number {
  if (total <= 0) return 0;
  return loaded >= total ? 100 : Math.min(99, Math.floor((loaded / total) * 100));
}

/** "45 s", "3 min 5 s", "2 h 10 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.floor((s % 3600) / 60);
  return `${Math.floor(s / 3600)} h${m ? ` ${m} min` : ''}`;
}

/** "1.2 MB of 5.4 MB · 300.0 KB/s · about 12 s left". */
export function describeTransfer(p: { loaded: number; total: number; rate: number; eta?: number }): string {
  const parts = [`${formatSize(p.loaded)} of ${formatSize(p.total)}`];
  if (p.rate > 0) parts.push(`${formatSize(Math.round(p.rate))}/s`);
  if (p.eta !== undefined && p.loaded < p.total) parts.push(`about ${formatDuration(p.eta)} left`);
  return parts.join(' · ');
}

/** The message of a download stopped by the network; the partial files are kept. */
export function interruptedMessage(loaded: number, total: number): string {
  return `Download interrupted at ${percentDone(loaded, total)}% — press Resume`;
}

/** EngineError('storage-full') when `needed` more bytes do not fit the origin's free quota; undefined when they fit or the browser gives no estimate. */
export function quotaShortfall(
  what: string,
  needed: number,
  estimate: { usage: number; quota: number } | undefined,
): EngineError | undefined {
  if (!estimate) return undefined;
  const free = Math.max(0, estimate.quota - estimate.usage);
  if (needed <= free) return undefined;
  return new EngineError(
    'storage-full',
    `${what} needs ${formatSize(needed)} but only ${formatSize(free)} is free in this browser's storage. Delete installed packs or Gallery outputs (or free disk space), then try again.`,
  );
}

/** Pack ids become OPFS folder names: letters, digits, ".", "_", "-", not starting with "." */
export function assertPackId(id: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id)) {
    throw new EngineError(
      'invalid-manifest',
      `Pack id "${id}" cannot be installed: use letters, digits, ".", "_" and "-" only (at most 128).`,
    );
  }
}

/** A file path inside a pack: relative, "/"-separated, no "." or ".." segments, no encoded or scheme-like escapes (`%2e%2e/`, `http:x`), not pack.json itself. */
export function assertPackPath(path: string): void {
  const parts = path.split('/');
  if (
    !path ||
    path === 'pack.json' ||
    path.includes('\\') ||
    hasUrlEscape(path) ||
    parts.some((p) => p === '' || p === '.' || p === '..')
  ) {
    throw new EngineError(
      'invalid-manifest',
      `pack.json lists the file "${path}", which is not a plain path inside the pack. Fix pack.json.`,
    );
  }
}

/**
 * Where the pack is among picked files' relative paths: the folder prefix ('' or 'name/…/') of
 * the shallowest pack.json, so picking a pack folder or its parent both work; undefined if none.
 */
export function packRootOf(paths: string[]): string | undefined {
  const roots = paths
    .filter((p) => p === 'pack.json' || p.endsWith('/pack.json'))
    .map((p) => p.slice(0, -'pack.json'.length));
  return roots.sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b))[0];
}
