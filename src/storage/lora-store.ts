/**
 * The LoRA library: files in OPFS under `loras/<sha256>.safetensors` (content-addressed, so a task
 * names its LoRA by hash) and one versioned record per LoRA in IndexedDB (object store `loras`
 * of the one database). The file is written first and the record last; a failed import
 * removes the file, so nothing half-stored remains. Used on the main thread (LoRAs page) and in
 * the engine worker (reading the bytes to merge).
 */
import { EngineError } from '../engine/errors';
import type { LoraSummary } from '../engine/lora/analyse';
import type { LoraRef } from '../engine/request';
import { db, putOne } from './db';
import { isNotFound, whileStoring, writeWholeFile } from './opfs';
import { guardQuota } from './quota';

export const LORA_RECORD_VERSION = 1;

export interface LoraRecord extends LoraSummary {
  version: typeof LORA_RECORD_VERSION;
  /** sha256 of the file (also its id). */
  id: string;
  /** File name, as WanGP's `activated_loras` lists it. */
  name: string;
  bytes: number;
  importedAt: number;
}

async function lorasDir(): Promise<FileSystemDirectoryHandle> {
  return (await navigator.storage.getDirectory()).getDirectoryHandle('loras', { create: true });
}

const fileName = (id: string) => `${id}.safetensors`;

/** Every LoRA in the library, by name. */
export async function listLoras(): Promise<LoraRecord[]> {
  return ((await (await db()).getAll('loras')) as LoraRecord[])
    .filter((r) => r?.version === LORA_RECORD_VERSION)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Stores a validated LoRA file and its record; on any failure nothing is left behind. */
export async function saveLora(record: LoraRecord, file: Blob): Promise<void> {
  const dir = await lorasDir();
  try {
    await guardQuota(`the LoRA ${record.name}`, () =>
      whileStoring(async () => {
        await writeWholeFile(await dir.getFileHandle(fileName(record.id), { create: true }), file);
        await putOne('loras', record, record.id);
      }),
    );
  } catch (err) {
    await dir.removeEntry(fileName(record.id)).catch(() => undefined);
    throw err;
  }
}

/** Removes a LoRA's record, then its file. */
export async function deleteLora(id: string): Promise<void> {
  await (await db()).delete('loras', id);
  try {
    await (await lorasDir()).removeEntry(fileName(id));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** The bytes of a stored LoRA; EngineError('missing-lora') naming the file when it is not in this browser. */
export async function readLoraBytes(ref: LoraRef): Promise<Uint8Array> {
  const record = (await (await db()).get('loras', ref.sha256)) as LoraRecord | undefined;
  try {
    if (record) {
      const file = await (await (await lorasDir()).getFileHandle(fileName(ref.sha256))).getFile();
      return new Uint8Array(await file.arrayBuffer());
    }
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  throw new EngineError(
    'missing-lora',
    `LoRA ${ref.name} is not in this browser's LoRA library. Import ${ref.name} on the LoRAs page, then retry the task.`,
  );
}
