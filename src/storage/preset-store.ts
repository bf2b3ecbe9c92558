/** LoRA presets (WanGP `.lset` data) in IndexedDB (idb-keyval store `webgp-lora-presets`/`presets`), one versioned record per preset. */
import { createStore, del, set, values } from 'idb-keyval';
import type { LsetData } from '../engine/lora/lset';
import { guardQuota } from './quota';

export const PRESET_RECORD_VERSION = 1;

export interface PresetRecord {
  version: typeof PRESET_RECORD_VERSION;
  id: string;
  /** Shown and used as the export file name (`<name>.lset`). */
  name: string;
  data: LsetData;
  updatedAt: number;
}

const store = createStore('webgp-lora-presets', 'presets');

export async function listPresets(): Promise<PresetRecord[]> {
  return (await values<PresetRecord>(store))
    .filter((r) => r?.version === PRESET_RECORD_VERSION)
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function savePreset(p: PresetRecord): Promise<void> {
  return guardQuota(`the preset ${p.name}`, () => set(p.id, { ...p, updatedAt: Date.now() }, store));
}

export function deletePreset(id: string): Promise<void> {
  return del(id, store);
}
