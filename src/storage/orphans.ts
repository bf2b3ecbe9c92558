/**
 * Collects OPFS files that no record names, at start: LoRA files (`loras/<sha256>.safetensors`)
 * without a LoRA record and pack folders (`packs/<id>/`) without an install record, left by a
 * tab closed mid-import or a delete that stopped halfway. Checkpoints and outputs live in
 * IndexedDB records, so they cannot be orphaned. A LoRA is stored under the shared OPFS write
 * lock and its record written inside it, so the collector (exclusive, skipped when busy) never
 * takes a file whose record is on its way; packs write their record before any file.
 */
import { db } from './db';
import { isNotFound, OPFS_WRITE_LOCK } from './opfs';

/** Paths removed (for logs and tests). */
export interface Collected {
  removed: string[];
}

async function folder(name: string): Promise<FileSystemDirectoryHandle | undefined> {
  try {
    return await (await navigator.storage.getDirectory()).getDirectoryHandle(name);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function sweep(name: string, kept: (entry: string) => boolean, removed: string[]): Promise<void> {
  const dir = await folder(name);
  if (!dir) return;
  const doomed: string[] = [];
  for await (const entry of dir.keys()) if (!kept(entry)) doomed.push(entry);
  for (const entry of doomed) {
    await dir.removeEntry(entry, { recursive: true }).catch(() => undefined);
    removed.push(`${name}/${entry}`);
  }
}

async function collect(): Promise<Collected> {
  const d = await db();
  const loras = new Set(await d.getAllKeys('loras'));
  const packs = new Set(await d.getAllKeys('packs'));
  const removed: string[] = [];
  await sweep('loras', (f) => loras.has(f.replace(/\.safetensors$/, '')), removed);
  await sweep('packs', (id) => packs.has(id), removed);
  return { removed };
}

/** Removes every orphaned OPFS file once; does nothing where OPFS or Web Locks are missing, or while a file is being stored. */
export async function collectOrphans(): Promise<Collected> {
  if (typeof navigator === 'undefined' || !navigator.storage?.getDirectory || !navigator.locks)
    return { removed: [] };
  return navigator.locks.request(OPFS_WRITE_LOCK, { ifAvailable: true }, (lock) =>
    lock ? collect() : { removed: [] },
  );
}
