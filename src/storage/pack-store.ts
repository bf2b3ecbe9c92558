/**
 * Installed model packs: their files in OPFS under `packs/<id>/<path>` (paths may have
 * subfolders, e.g. `onnx/x.onnx`) and one versioned install record per pack in IndexedDB
 * (object store `packs` of the one database). Used on the main thread (downloader, import,
 * Models page) and in the engine worker (reading an installed pack).
 */
import { EngineError } from '../engine/errors';
import type { PackTestReport } from '../engine/pack-test/run-pack-test';
import type { PackSource } from '../engine/pack/pack-source';
import { db, putOne } from './db';
import { isNotFound } from './opfs';
import { guardQuota } from './quota';

export const PACK_RECORD_VERSION = 1;

export type InstallStatus = 'downloading' | 'paused' | 'installed' | 'failed';

/** One file of a pack being installed: expected size and how many bytes are stored. */
export interface InstallFile {
  path: string;
  /** Expected size; -1 while unknown (no size in pack.json and none from the server yet). */
  bytes: number;
  /** Bytes stored and committed when the record was last saved (equal to `bytes` once verified). */
  done: number;
  sha256?: string;
  /** The file's own absolute URL (pack.json `url`); absent: baseUrl + path. */
  url?: string;
  /** sha256 state (hash-wasm save()) over the first `hashedBytes` stored bytes: a resumed download continues it. */
  hashState?: Uint8Array;
  hashedBytes?: number;
}

export interface PackRecord {
  version: typeof PACK_RECORD_VERSION;
  id: string;
  name: string;
  /** Folder URL the files come from; `local:<folder>` for an imported pack. */
  baseUrl: string;
  manifestText: string;
  status: InstallStatus;
  files: InstallFile[];
  /** Why the last attempt stopped (paused, failed). */
  error?: string;
  /** The last "Test this pack" result (a new install starts without one). */
  test?: PackTestReport;
  updatedAt: number;
}

/** A record with the bytes its folder takes on disk. */
export interface StoredPack {
  record: PackRecord;
  bytesOnDisk: number;
}

export async function getRecord(id: string): Promise<PackRecord | undefined> {
  const r = (await (await db()).get('packs', id)) as PackRecord | undefined;
  return r?.version === PACK_RECORD_VERSION ? r : undefined;
}

export async function saveRecord(record: PackRecord): Promise<void> {
  await guardQuota(`the install record of ${record.name}`, () =>
    putOne('packs', { ...record, updatedAt: Date.now() }, record.id),
  );
}

/** Keeps `report` with installed pack `id`; false when there is no such record (deleted meanwhile). */
export async function saveTestReport(id: string, report: PackTestReport): Promise<boolean> {
  const r = await getRecord(id);
  if (!r) return false;
  await saveRecord({ ...r, test: report });
  return true;
}

/** The record of pack `id` if it is completely installed and verified. */
export async function installedPack(id: string): Promise<PackRecord | undefined> {
  const r = await getRecord(id);
  return r?.status === 'installed' ? r : undefined;
}

async function records(): Promise<PackRecord[]> {
  return ((await (await db()).getAll('packs')) as PackRecord[]).filter(
    (r) => r?.version === PACK_RECORD_VERSION,
  );
}

/** Installed records only (what the engine worker offers besides the registry). */
export async function installedPacks(): Promise<PackRecord[]> {
  return (await records()).filter((r) => r.status === 'installed');
}

/** Every pack with a record (installed or not), by name, with its size on disk. */
export async function listPacks(): Promise<StoredPack[]> {
  const all = (await records()).sort((a, b) => a.name.localeCompare(b.name));
  return Promise.all(all.map(async (record) => ({ record, bytesOnDisk: await packBytesOnDisk(record.id) })));
}

/** Removes pack `id` completely: its OPFS folder, then its record. */
export async function deletePack(id: string): Promise<void> {
  await removePackFiles(id);
  await (await db()).delete('packs', id);
}

async function packsRoot(): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle('packs', { create: true });
}

/** The folder of pack `id` (created with `create`), or undefined when it does not exist. */
export async function packDir(id: string, create = false): Promise<FileSystemDirectoryHandle | undefined> {
  try {
    return await (await packsRoot()).getDirectoryHandle(id, { create });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** The handle of `path` inside pack `id`; with `create`, makes the folders and an empty file. */
export async function packFileHandle(
  id: string,
  path: string,
  create = false,
): Promise<FileSystemFileHandle | undefined> {
  let dir = await packDir(id, create);
  const parts = path.split('/');
  const name = parts.pop() as string;
  try {
    for (const p of parts) dir = await dir?.getDirectoryHandle(p, { create });
    return await dir?.getFileHandle(name, { create });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** The stored file `path` of pack `id`, or undefined. */
export async function packFile(id: string, path: string): Promise<File | undefined> {
  return (await packFileHandle(id, path))?.getFile();
}

/** Removes the OPFS folder of pack `id` (no error when there is none). */
export async function removePackFiles(id: string): Promise<void> {
  try {
    await (await packsRoot()).removeEntry(id, { recursive: true });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

async function folderBytes(dir: FileSystemDirectoryHandle): Promise<number> {
  let total = 0;
  for await (const handle of dir.values()) {
    total +=
      handle.kind === 'file'
        ? (await (handle as FileSystemFileHandle).getFile()).size
        : await folderBytes(handle as FileSystemDirectoryHandle);
  }
  return total;
}

/** Bytes the folder of pack `id` takes (0 when it has none). */
export async function packBytesOnDisk(id: string): Promise<number> {
  const dir = await packDir(id);
  return dir ? folderBytes(dir) : 0;
}

/** Reads an installed pack from OPFS; a file it lacks is EngineError('missing-file'). */
export function opfsPackSource(id: string): PackSource {
  const label = `opfs:packs/${id}/`;
  async function file(path: string): Promise<File> {
    const f = await packFile(id, path);
    if (!f)
      throw new EngineError(
        'missing-file',
        `Model file ${path} is missing from the installed pack ${id} (${label}). Delete the pack on the Models page and install it again.`,
      );
    return f;
  }
  return {
    label,
    readBytes: async (path) => new Uint8Array(await (await file(path)).arrayBuffer()),
    readBlob: (path) => file(path),
  };
}
