/**
 * The outputs store (object store `outputs` of the one database, indexed by task id, file names
 * and creation time): one versioned record per saved output with its MP4/PNG blob, thumbnail,
 * settings, optional JSON sidecar and further files (v1 records are upgraded on read). A full
 * disk surfaces as a named 'storage-full' error and leaves existing records untouched.
 */
import type { MattingSettings } from '../engine/metadata/matting-settings';
import type { ArtifactRole } from '../engine/queue/history';
import type { OutputSettings } from '../engine/settings';
import type { Transition } from '../engine/queue/transitions';
import { committed, db } from './db';
import { outputNames } from './output-names';
import { writeTransition } from './queue-store';
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

type Stored = (OutputRecord | OutputRecordV1) & { names?: string[] };

function upgradeStored(value: unknown): OutputRecord | undefined {
  if (!value) return undefined;
  const record = { ...(value as Stored) };
  delete record.names;
  return upgrade(record);
}

const stored = (record: OutputRecord) => ({ ...record, names: outputNames(record) });

/** Saves `record`; with `done` (the transition marking its task done), both in one transaction. */
export async function saveOutput(record: OutputRecord, done?: Transition): Promise<void> {
  const d = await db();
  await guardQuota('this output', async () => {
    const tx = d.transaction(['outputs', 'tasks', 'checkpoints'], 'readwrite');
    await committed(tx, [
      tx.objectStore('outputs').put(stored(record), record.id),
      ...(done ? writeTransition(tx, done) : []),
    ]);
  });
}

/** All saved outputs, newest first; records of unknown versions are skipped. */
export async function listOutputs(): Promise<OutputRecord[]> {
  const all = await (await db()).getAllFromIndex('outputs', 'createdAt');
  return all
    .reverse()
    .map(upgradeStored)
    .filter((r) => r !== undefined);
}

export async function getOutput(id: string): Promise<OutputRecord | undefined> {
  return upgradeStored(await (await db()).get('outputs', id));
}

/**
 * The saved file names (outputs, sidecars, further files; lower-cased) that start with `prefix`
 * (case-insensitive), from the `names` index: what collision-free naming of `prefix…` must avoid.
 */
export async function outputFileNames(prefix = ''): Promise<Set<string>> {
  const low = prefix.toLowerCase();
  const range = low ? IDBKeyRange.bound(low, `${low}\uffff`) : undefined;
  const names = new Set<string>();
  let cursor = await (await db()).transaction('outputs').store.index('names').openKeyCursor(range);
  for (; cursor; cursor = await cursor.continue()) names.add(cursor.key);
  return names;
}

export async function deleteOutput(id: string): Promise<void> {
  await (await db()).delete('outputs', id);
}

/** The output a queue task saved, if any (a runner that crashed between saving and marking the task done). */
export async function findOutputOfTask(taskId: string): Promise<OutputRecord | undefined> {
  return upgradeStored(await (await db()).getFromIndex('outputs', 'taskId', taskId));
}
