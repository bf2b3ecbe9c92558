/**
 * The outputs store (IndexedDB via idb-keyval): one versioned record per saved clip with its
 * MP4 blob, thumbnail and settings. A full disk surfaces as a named 'storage-full' error and
 * leaves existing records untouched.
 */
import { createStore, del, get, set, values } from 'idb-keyval';
import type { OutputSettings } from '../engine/settings';
import { guardQuota } from './quota';

export const OUTPUT_RECORD_VERSION = 1;

export interface OutputRecord {
  version: typeof OUTPUT_RECORD_VERSION;
  id: string;
  createdAt: number;
  fileName: string;
  settings: OutputSettings;
  video: Blob;
  thumbnail: Blob;
  width: number;
  height: number;
  frames: number;
  encoder: string;
  /** The queue task that produced it (lets a resumed runner see the output was already saved). */
  taskId?: string;
}

const store = createStore('webgp-outputs', 'outputs');

export function saveOutput(record: OutputRecord): Promise<void> {
  return guardQuota('this output', () => set(record.id, record, store));
}

/** All saved outputs, newest first; records of unknown versions are skipped. */
export async function listOutputs(): Promise<OutputRecord[]> {
  const all = (await values<OutputRecord>(store)).filter((r) => r?.version === OUTPUT_RECORD_VERSION);
  return all.sort((a, b) => b.createdAt - a.createdAt);
}

export function getOutput(id: string): Promise<OutputRecord | undefined> {
  return get<OutputRecord>(id, store);
}

export function deleteOutput(id: string): Promise<void> {
  return del(id, store);
}

/** The output a queue task saved, if any (a runner that crashed between saving and marking the task done). */
export async function findOutputOfTask(taskId: string): Promise<OutputRecord | undefined> {
  return (await values<OutputRecord>(store)).find((r) => r?.taskId === taskId);
}
