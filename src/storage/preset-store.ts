/** LoRA presets (WanGP `.lset` data) in IndexedDB (object store `presets` of the one database), one versioned record per preset. */
import type { LsetData } from '../engine/lora/lset';
import { db, putOne } from './db';
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

export async function listPresets(): Promise<PresetRecord[]> {
  return ((await (await db()).getAll('presets')) as PresetRecord[])
    .filter((r) => r?.version === PRESET_RECORD_VERSION)
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function savePreset(p: PresetRecord): Promise<void> {
  await guardQuota(`the preset ${p.name}`, () => putOne('presets', { ...p, updatedAt: Date.now() }, p.id));
}

export async function deletePreset(id: string): Promise<void> {
  await (await db()).delete('presets', id);
}
