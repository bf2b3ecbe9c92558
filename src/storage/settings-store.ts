/** App settings (backend and encoder choice), persisted in IndexedDB with defaults for missing keys. */
import { createStore, get, set } from 'idb-keyval';
import type { BackendPreference } from '../engine/capabilities';
import type { VideoEncoderChoice } from '../engine/media/encode-mp4';

export interface AppSettings {
  version: 1;
  backend: BackendPreference;
  encoder: VideoEncoderChoice;
}

export const DEFAULT_SETTINGS: AppSettings = { version: 1, backend: 'auto', encoder: 'auto' };

const store = createStore('webgp-settings', 'settings');
const KEY = 'app';

export async function loadSettings(): Promise<AppSettings> {
  const saved = await get<Partial<AppSettings>>(KEY, store);
  return { ...DEFAULT_SETTINGS, ...(saved?.version === 1 ? saved : {}) };
}

export function saveSettings(s: AppSettings): Promise<void> {
  return set(KEY, { ...s }, store);
}
