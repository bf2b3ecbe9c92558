/**
 * App settings (backend, encoder, GPU memory budget, and the output settings each task snapshots when it starts:
 * metadata mode, embed source images, name template), persisted in IndexedDB (object store `settings` of the one database, key `app`) with defaults for
 * missing keys.
 */
import type { BackendPreference } from '../engine/capabilities';
import type { VideoEncoderChoice } from '../engine/media/encoder-choice';
import { DEFAULT_NAME_TEMPLATE } from '../engine/naming';
import type { OrtBuildPreference } from '../engine/ort-build';
import type { MetadataMode } from '../engine/queue/task';
import { db, putOne } from './db';

export interface AppSettings {
  version: 1;
  backend: BackendPreference;
  /** GPU memory budget in GiB that decides residency (engine/pack/memory-budget.ts); null: automatic. */
  gpuBudgetGiB: number | null;
  encoder: VideoEncoderChoice;
  metadataMode: MetadataMode;
  embedSourceImages: boolean;
  nameTemplate: string;
  /** The onnxruntime-web build generation runs on (engine/ort-build.ts); 'auto': the pack's, else the default. */
  ortBuild: OrtBuildPreference;
}

export const DEFAULT_SETTINGS: AppSettings = {
  version: 1,
  backend: 'auto',
  gpuBudgetGiB: null,
  encoder: 'auto',
  metadataMode: 'embedded',
  embedSourceImages: false,
  nameTemplate: DEFAULT_NAME_TEMPLATE,
  ortBuild: 'auto',
};

const KEY = 'app';

export async function loadSettings(): Promise<AppSettings> {
  const saved = (await (await db()).get('settings', KEY)) as Partial<AppSettings> | undefined;
  return { ...DEFAULT_SETTINGS, ...(saved?.version === 1 ? saved : {}) };
}

export async function saveSettings(s: AppSettings): Promise<void> {
  await putOne('settings', { ...s }, KEY);
}
