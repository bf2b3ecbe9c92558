/**
 * App settings (backend, encoder, GPU memory budget, and the output settings each task snapshots when it starts:
 * metadata mode, embed source images, name template), persisted in IndexedDB with defaults for
 * missing keys.
 */
import { createStore, get, set } from 'idb-keyval';
import type { BackendPreference } from '../engine/capabilities';
import type { VideoEncoderChoice } from '../engine/media/encoder-choice';
import { DEFAULT_NAME_TEMPLATE } from '../engine/naming';
import type { MetadataMode } from '../engine/queue/task';

export interface AppSettings {
  version: 1;
  backend: BackendPreference;
  /** GPU memory budget in GiB that decides residency (engine/pack/memory-budget.ts); null: automatic. */
  gpuBudgetGiB: number | null;
  encoder: VideoEncoderChoice;
  metadataMode: MetadataMode;
  embedSourceImages: boolean;
  nameTemplate: string;
}

export const DEFAULT_SETTINGS: AppSettings = {
  version: 1,
  backend: 'auto',
  gpuBudgetGiB: null,
  encoder: 'auto',
  metadataMode: 'embedded',
  embedSourceImages: false,
  nameTemplate: DEFAULT_NAME_TEMPLATE,
};

const store = createStore('webgp-settings', 'settings');
const KEY = 'app';

export async function loadSettings(): Promise<AppSettings> {
  const saved = await get<Partial<AppSettings>>(KEY, store);
  return { ...DEFAULT_SETTINGS, ...(saved?.version === 1 ? saved : {}) };
}

export function saveSettings(s: AppSettings): Promise<void> {
  return set(KEY, { ...s }, store);
}
