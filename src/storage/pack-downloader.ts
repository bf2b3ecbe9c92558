/**
 * Installs a pack from a folder URL into OPFS: quota check first (nothing is written when it
 * does not fit), then every file of the manifest streamed to disk with progress (bytes, smoothed
 * rate, ETA), pause/resume (also after a reload, from the install record) via HTTP Range, each
 * file's size and sha256 checked, then the graph check. Only then is the pack 'installed';
 * a corrupt, missing or over-quota file removes the whole pack, while a dropped connection only
 * pauses it. A file with its own `url` in pack.json (another origin) is fetched from there, with
 * the same Range resume and checks. Files listed by path stay inside the pack folder and origin,
 * http is for this machine only, and a redirect to another origin is refused unless the file is
 * pinned by sha256 (src/engine/pack/pack-url.ts). Any installable pack: generation, video and the
 * prompt enhancer's LLM and captioner packs (installable-manifest.ts).
 */
import { EngineError } from '../engine/errors';
import {
  installFiles,
  isEnhancerManifest,
  parseInstallableManifestText,
} from '../engine/pack/installable-manifest';
import { assertPackFolderUrl, assertRedirectAllowed, packFileUrl } from '../engine/pack/pack-url';
import {
  assertPackId,
  assertPackPath,
  interruptedMessage,
  percentDone,
  quotaShortfall,
  RateMeter,
} from '../engine/pack/transfer';
import { type FileHash, type HashStarter, inThreadHash } from './file-hash';
import { type FetchFn, fetchFileIntoOpfs } from './pack-fetch-file';
import {
  deletePack,
  getRecord,
  type InstallFile,
  packFile,
  type PackRecord,
  saveRecord,
  PACK_RECORD_VERSION,
} from './pack-store';
import { requestPersistence, verifyStoredFile, verifyStoredGraphs, writeStoredFile } from './pack-verify';
import { storageEstimate } from './quota';

/** What to install: the pack's id and name, where its files are, and its pack.json text. */
export interface DownloadPlan {
  id: string;
  name: string;
  /** Folder URL the manifest's file paths are relative to (ends in "/"). */
  baseUrl: string;
  manifestText: string;
}

export interface DownloadProgress {
  id: string;
  loaded: number;
  total: number;
  /** Bytes per second, smoothed. */
  rate: number;
  /** Seconds left at that rate; undefined until it is known. */
  eta?: number;
  /** The file being downloaded or verified. */
  file: string;
  phase: 'download' | 'verify';
}

export type DownloadResult =
  { status: 'installed'; persisted: boolean } | { status: 'paused'; message: string };

export interface DownloadOptions {
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  fetchFn?: FetchFn;
  /** Where sha256 runs while bytes arrive: the app passes the hash worker's; default in-thread. */
  hashWith?: HashStarter;
}

const defaultFetch: FetchFn = (url, init) => fetch(url, init);

/** A file's saved hash state, if it has one. */
const savedHash = (f: InstallFile) =>
  f.hashState && f.hashedBytes !== undefined ? { state: f.hashState, bytes: f.hashedBytes } : undefined;

/** Errors after which nothing of the pack is kept: the folder and record are removed. */
const DISCARDING = new Set(['corrupt-model', 'missing-file', 'storage-full', 'invalid-manifest']);

/** Reads pack.json from a folder URL (or a URL ending in pack.json) into a plan. */
export async function planFromUrl(url: string, fetchFn: FetchFn = defaultFetch): Promise<DownloadPlan> {
  const trimmed = url.trim();
  const folder = trimmed.endsWith('/pack.json')
    ? trimmed.slice(0, -'pack.json'.length)
    : trimmed.endsWith('/')
      ? trimmed
      : `${trimmed}/`;
  assertPackFolderUrl(folder);
  let res: Response;
  try {
    res = await fetchFn(`${folder}pack.json`, { cache: 'no-store' });
  } catch (err) {
    throw new EngineError(
      'missing-file',
      `Could not fetch ${folder}pack.json (${(err as Error).message}). Check the URL, your connection, and that the server lets this site download from it (CORS).`,
    );
  }
  assertRedirectAllowed(`${folder}pack.json`, res, 'pack.json', false);
  if (!res.ok)
    throw new EngineError(
      'missing-file',
      `There is no pack.json at ${folder} (HTTP ${res.status}). Enter the URL of a folder that has a pack.json.`,
    );
  const manifestText = await res.text();
  const m = parseInstallableManifestText(manifestText, `pack.json at ${folder}`);
  return { id: m.id, name: m.name, baseUrl: folder, manifestText };
}

/** The size the server gives for a file the manifest has no size for (HEAD); -1 when it gives none. */
async function headSize(url: string, path: string, fetchFn: FetchFn): Promise<number> {
  let res: Response;
  try {
    res = await fetchFn(url, { method: 'HEAD', cache: 'no-store' });
  } catch {
    return -1;
  }
  if (res.status === 404 || res.status === 410)
    throw new EngineError(
      'missing-file',
      `Model file ${path} is missing on the server: ${url} answered HTTP ${res.status}. The pack there is incomplete, so nothing was installed.`,
    );
  const length = res.headers.get('Content-Length');
  return res.ok && length !== null ? Number(length) : -1;
}

/** Where a file is downloaded from: its own URL (pinned by bytes and sha256), else its path inside the pack folder. */
function fileUrl(f: { path: string; url?: string }, baseUrl: string): string {
  return f.url ?? packFileUrl(f.path, baseUrl);
}

/** Starts installing `plan` (or continues an unfinished install of the same pack from the same URL). */
export async function downloadPack(plan: DownloadPlan, opts: DownloadOptions = {}): Promise<DownloadResult> {
  const fetchFn = opts.fetchFn ?? defaultFetch;
  assertPackId(plan.id);
  const manifest = parseInstallableManifestText(plan.manifestText, `pack.json of ${plan.name}`);
  const existing = await getRecord(plan.id);
  if (existing?.status === 'installed')
    throw new EngineError(
      'invalid-request',
      `${existing.name} (${plan.id}) is already installed. Delete it on the Models page to install it again.`,
    );
  if (existing && existing.baseUrl !== plan.baseUrl)
    throw new EngineError(
      'invalid-request',
      `An unfinished install of ${plan.id} from ${existing.baseUrl} is stored. Resume or delete it first.`,
    );
  if (existing) return run(existing, opts);
  const files: InstallFile[] = [];
  for (const f of installFiles(manifest)) {
    assertPackPath(f.path);
    const bytes = f.bytes ?? (await headSize(fileUrl(f, plan.baseUrl), f.path, fetchFn));
    files.push({
      path: f.path,
      bytes,
      done: 0,
      ...(f.sha256 ? { sha256: f.sha256 } : {}),
      ...(f.url ? { url: f.url } : {}),
    });
  }
  const record: PackRecord = {
    version: PACK_RECORD_VERSION,
    id: plan.id,
    name: plan.name,
    baseUrl: plan.baseUrl,
    manifestText: plan.manifestText,
    status: 'downloading',
    files,
    updatedAt: Date.now(),
  };
  return run(record, opts, true);
}

/** Continues the stored install of pack `id` (after Pause, an interruption or a page reload). */
export async function resumeDownload(id: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
  const record = await getRecord(id);
  if (!record)
    throw new EngineError(
      'invalid-request',
      `There is no download of pack ${id} to resume. Start it again from the Models page.`,
    );
  if (record.status === 'installed') return { status: 'installed', persisted: await requestPersistence() };
  if (record.baseUrl.startsWith('local:'))
    throw new EngineError(
      'invalid-request',
      `${record.name} was being imported from a folder, which cannot be resumed. Delete it and import the folder again.`,
    );
  return run(record, opts);
}

async function run(record: PackRecord, opts: DownloadOptions, fresh = false): Promise<DownloadResult> {
  const fetchFn = opts.fetchFn ?? defaultFetch;
  const hashWith = opts.hashWith ?? inThreadHash;
  const signal = opts.signal ?? new AbortController().signal;
  const manifest = parseInstallableManifestText(record.manifestText, `pack.json of ${record.name}`);
  const have = await Promise.all(
    record.files.map(async (f) => (await packFile(record.id, f.path))?.size ?? 0),
  );
  const known = (i: number) => (record.files[i] as InstallFile).bytes;
  const remaining = record.files.reduce(
    (n, f, i) => n + Math.max(0, f.bytes - (have[i] as number)),
    fresh ? new TextEncoder().encode(record.manifestText).length : 0,
  );
  const shortfall = quotaShortfall(`Installing ${record.name}`, remaining, await storageEstimate());
  if (shortfall) throw shortfall;
  const persisted = await requestPersistence();

  const total = () => record.files.reduce((n, f) => n + Math.max(0, f.bytes), 0);
  const loaded = () => have.reduce((n, h, i) => n + (known(i) >= 0 ? Math.min(h, known(i)) : 0), 0);
  const meter = new RateMeter();
  meter.reset(loaded(), performance.now());
  let lastEmit = 0;
  const emit = (file: string, phase: DownloadProgress['phase'], force = false) => {
    const now = performance.now();
    meter.sample(loaded(), now);
    if (!force && now - lastEmit < 100) return;
    lastEmit = now;
    const l = loaded();
    const t = total();
    opts.onProgress?.({
      id: record.id,
      loaded: l,
      total: t,
      rate: meter.rate,
      eta: meter.eta(t - l),
      file,
      phase,
    });
  };
  const stop = async (kind: 'paused' | 'interrupted', detail?: string): Promise<DownloadResult> => {
    const message =
      kind === 'paused'
        ? `Paused at ${percentDone(loaded(), total())}% — press Resume`
        : `${interruptedMessage(loaded(), total())}${detail ? ` (${detail})` : ''}`;
    await saveRecord({ ...record, status: 'paused', error: message });
    return { status: 'paused', message };
  };

  try {
    await saveRecord({ ...record, status: 'downloading', error: undefined });
    if (!(await packFile(record.id, 'pack.json')))
      await writeStoredFile(record.id, record.name, 'pack.json', record.manifestText);
    for (const [i, f] of record.files.entries()) {
      if (signal.aborted) return await stop('paused');
      if (f.bytes < 0 || f.done !== f.bytes || have[i] !== f.bytes) {
        emit(f.path, 'download', true);
        let hash: FileHash | undefined;
        const outcome = await fetchFileIntoOpfs({
          id: record.id,
          name: record.name,
          path: f.path,
          url: fileUrl(f, record.baseUrl),
          pinned: !!f.sha256,
          expected: f.bytes,
          have: have[i] as number,
          signal,
          fetchFn,
          onBytes: (n) => {
            have[i] = n;
            emit(f.path, 'download');
          },
          onSize: (n) => (f.bytes = n),
          // sha256 as the bytes arrive, continued from the state saved at the last pause.
          hashFrom: async (at) => (hash = f.sha256 ? await hashWith(at, savedHash(f)) : undefined),
        });
        have[i] = outcome.have;
        f.done = Math.min(outcome.have, f.bytes >= 0 ? f.bytes : outcome.have);
        const early = outcome.kind === 'done' && f.bytes >= 0 && outcome.have < f.bytes;
        if (outcome.kind !== 'done' || early) {
          const saved = await hash?.save();
          Object.assign(f, { hashState: saved?.state, hashedBytes: saved?.bytes });
          return outcome.kind === 'done'
            ? await stop('interrupted', `${f.path} ended early`)
            : await stop(outcome.kind, outcome.detail);
        }
        if (f.bytes < 0) f.bytes = outcome.have;
        emit(f.path, 'verify', true);
        const hex = await hash?.hex();
        await verifyStoredFile(record.id, f, hash?.bytes === f.bytes ? hex : undefined);
        delete f.hashState;
        delete f.hashedBytes;
        f.done = f.bytes;
        await saveRecord({ ...record, status: 'downloading' });
      }
    }
    emit('pack.json', 'verify', true);
    // The engine's graph contracts do not cover enhancer packs: their graphs are checked by running them (docs/enhancer.md).
    if (!isEnhancerManifest(manifest))
      record.manifestText = await verifyStoredGraphs(record.id, record.name, manifest, record.manifestText);
    record.status = 'installed';
    await saveRecord({ ...record, error: undefined });
    emit('', 'verify', true);
    return { status: 'installed', persisted };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code && DISCARDING.has(code)) {
      await deletePack(record.id).catch(() => undefined);
    } else {
      await saveRecord({
        ...record,
        status: 'failed',
        error: `${(err as Error).message} Press Resume to try again, or Delete.`,
      }).catch(() => undefined);
    }
    throw err;
  }
}
