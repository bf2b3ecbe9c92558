/**
 * The checks a pack passes in OPFS before it is marked installed, shared by the downloader and
 * the folder import: each file's size and sha256 against pack.json (hashed chunk by chunk from
 * disk), then the graph check, whose derived limits are stored in pack.json. Also the writes both use, with QuotaExceededError named.
 */
import { EngineError } from '../engine/errors';
import { memoise } from '../engine/memo';
import type { PackFile } from '../engine/pack/pack-files';
import type { AnyManifest } from '../engine/pack/any-manifest';
import { tightenLimits } from '../engine/pack/graph-limits';
import { type PackFileReader, verifyGraphs } from '../engine/pack/verify-graphs';
import { sha256OfStream } from '../engine/sha256-stream';
import { packFile, packFileHandle } from './pack-store';
import { isQuotaError } from './quota';
import { writeWholeFile } from './opfs';
import { readBack } from './download-hash';

/**
 * Checks stored file `f.path` of pack `id` against its size (unknown when absent, or < 0 as install
 * records store it) and sha256; mismatches are 'corrupt-model' naming the file. `digest`: the
 * sha256 hashed while downloading (then nothing is read back); absent, the file is hashed from disk.
 */
export async function verifyStoredFile(id: string, f: PackFile, digest?: string): Promise<void> {
  const file = await packFile(id, f.path);
  if (!file)
    throw new EngineError(
      'missing-file',
      `Model file ${f.path} of pack ${id} was not stored. Install the pack again.`,
    );
  if (f.bytes !== undefined && f.bytes >= 0 && file.size !== f.bytes) {
    throw new EngineError(
      'corrupt-model',
      `Model file ${f.path} is ${file.size} bytes but pack.json says ${f.bytes}: the copy is incomplete or corrupt, so the pack was not installed. Install it again.`,
    );
  }
  if (f.sha256 && (digest ?? (await hashFromDisk(file))) !== f.sha256) {
    throw new EngineError(
      'corrupt-model',
      `Model file ${f.path} failed its integrity check (its sha256 differs from pack.json), so the pack was not installed. The source copy is corrupt: ask its publisher for a fixed copy, or install it again.`,
    );
  }
}

async function hashFromDisk(file: File): Promise<string> {
  readBack.bytes += file.size;
  readBack.files++;
  return sha256OfStream(file.stream());
}

/** Random access to the stored files of pack `id`, for the graph check. */
export function storedReader(id: string): PackFileReader {
  return {
    size: async (path) => (await packFile(id, path))?.size,
    read: async (path, offset, length) => {
      const file = await packFile(id, path);
      if (!file) throw new EngineError('missing-file', `Model file ${path} of pack ${id} was not stored.`);
      return new Uint8Array(await file.slice(offset, offset + length).arrayBuffer());
    },
  };
}

/**
 * Runs the graph check over the stored files of pack `id` and keeps the limits the graphs' fixed
 * dims impose with the pack: the stored pack.json is rewritten with them. Returns the pack.json
 * text now stored (the install record keeps the same).
 */
export async function verifyStoredGraphs(
  id: string,
  name: string,
  manifest: AnyManifest,
  manifestText: string,
): Promise<string> {
  const limits = await verifyGraphs(manifest, storedReader(id));
  const raw = JSON.parse(manifestText) as Record<string, unknown>;
  const tightened = tightenLimits(raw, limits);
  if (tightened === raw) return manifestText;
  const text = `${JSON.stringify(tightened, null, 2)}\n`;
  await writeStoredFile(id, name, 'pack.json', text);
  return text;
}

/** EngineError('storage-full') for a write that ran out of quota while installing `name`. */
export function storageFullWhileWriting(name: string): EngineError {
  return new EngineError(
    'storage-full',
    `Browser storage ran out while installing ${name}, so nothing of it was kept. Delete installed packs or Gallery outputs (or free disk space), then try again.`,
  );
}

/** Writes a whole file (pack.json text, or a picked File streamed by the browser) into pack `id`. */
export async function writeStoredFile(
  id: string,
  name: string,
  path: string,
  data: Blob | string,
): Promise<void> {
  const handle = await packFileHandle(id, path, true);
  if (!handle) throw new Error(`Could not create ${path} in OPFS`);
  try {
    await writeWholeFile(handle, data);
  } catch (err) {
    throw isQuotaError(err) ? storageFullWhileWriting(name) : err;
  }
}

/**
 * Asks for persistent storage (so the browser does not evict installed packs) once per page
 * load — the first install calls navigator.storage.persist(), later ones reuse its answer.
 * Resolves to whether it is granted.
 */
export function requestPersistence(): Promise<boolean> {
  return persistence.get();
}

const persistence = memoise(async () => {
  const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
  if (!storage?.persist) return false;
  try {
    return (await storage.persisted()) || (await storage.persist());
  } catch {
    return false;
  }
});

/** Whether this origin's storage is persistent; undefined where the browser cannot say. */
export async function isPersisted(): Promise<boolean | undefined> {
  try {
    return typeof navigator !== 'undefined' && navigator.storage?.persisted
      ? await navigator.storage.persisted()
      : undefined;
  } catch {
    return undefined;
  }
}
