/**
 * The outputs store (IndexedDB via idb-keyval): one versioned record per saved output with its
 * MP4/PNG blob, thumbnail, settings, optional JSON sidecar and further files (v1 records are upgraded on read). A full disk surfaces as a named 'storage-full' error and
 * leaves existing records untouched.
 */
import { createStore, del, get, set, values } from 'idb-keyval';
import type { MattingSettings } from '../engine/metadata/matting-settings';
import type { ArtifactRole } from '../engine/queue/history';
import type { OutputSettings } from '../engine/settings';
import { guardQuota } from './quota';

export const OUTPUT_RECORD_VERSION = 2;

/** A settings file saved next to an output (metadata mode "json"). */
export interface Sidecar {
  fileName: string;
  text: string;
}

/** A further file of a multi-file output (a matting run's alpha video, PNG zip, audio). */
export interface OutputFile {
  role: ArtifactRole;
  fileName: string;
  blob: Blob;
}

export interface OutputRecord {
  version: typeof OUTPUT_RECORD_VERSION;
  id: string;
  createdAt: number;
  fileName: string;
  kind: 'video' | 'image';
  settings: OutputSettings | MattingSettings;
  /** The MP4 or PNG itself (a matting run's foreground video). */
  media: Blob;
  /** Further files saved with it in the same record (one matting task = one record). */
  files?: OutputFile[];
  thumbnail: Blob;
  sidecar?: Sidecar;
  width: number;
  height: number;
  frames: number;
  encoder: string;
  /** The queue task that produced it (lets a resumed runner see the output was already saved). */
  taskId?: string;
}

/** Version 1 (walking skeleton): always an MP4, blob under `video`, no sidecar. */
type OutputRecordV1 = Omit<OutputRecord, 'version' | 'kind' | 'media' | 'sidecar'> & {
  version: 1;
  video: Blob;
};

function upgrade(r: OutputRecord | OutputRecordV1 | undefined): OutputRecord | undefined {
  if (r?.version === OUTPUT_RECORD_VERSION) return r;
  if (r?.version !== 1) return undefined;
  const { video, ...rest } = r;
  return { ...rest, version: OUTPUT_RECORD_VERSION, kind: 'video', media: video };
}

const store = createStore('webgp-outputs', 'outputs');

export function saveOutput(record: OutputRecord): Promise<void> {
  return guardQuota('this output', () => set(record.id, record, store));
}

/** All saved outputs, newest first; records of unknown versions are skipped. */
export async function listOutputs(): Promise<OutputRecord[]> {
  const all = (await values<OutputRecord | OutputRecordV1>(store))
    .map(upgrade)
    .filter((r) => r !== undefined);
  return all.sort((a, b) => b.createdAt - a.createdAt);
}

export async function getOutput(id: string): Promise<OutputRecord | undefined> {
  return upgrade(await get<OutputRecord | OutputRecordV1>(id, store));
}

/** Every saved file name (outputs and sidecars), for collision-free naming. */
export async function outputFileNames(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const r of await listOutputs()) {
    names.add(r.fileName);
    if (r.sidecar) names.add(r.sidecar.fileName);
    for (const f of r.files ?? []) names.add(f.fileName);
  }
  return names;
}

export function deleteOutput(id: string): Promise<void> {
  return del(id, store);
}

/** The output a queue task saved, if any (a runner that crashed between saving and marking the task done). */
export async function findOutputOfTask(taskId: string): Promise<OutputRecord | undefined> {
  return (await listOutputs()).find((r) => r.taskId === taskId);
}
