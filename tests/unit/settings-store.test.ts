/** App settings store (src/storage/settings-store.ts) on fake-indexeddb: defaults, persisted values,
 * and records of another version ignored. */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { putOne } from '../../src/storage/db';
import { DEFAULT_SETTINGS, loadSettings, saveSettings } from '../../src/storage/settings-store';

const OUTPUT_DEFAULTS = {
  metadataMode: 'embedded',
  embedSourceImages: false,
  nameTemplate: '{date}_seed{seed}_{prompt}',
  ortBuild: 'auto',
};

describe('settings store', () => {
  it('returns the defaults when nothing is saved', async () => {
    expect(await loadSettings()).toEqual({
      version: 1,
      backend: 'auto',
      gpuBudgetGiB: null,
      encoder: 'auto',
      ...OUTPUT_DEFAULTS,
    });
  });

  it('persists a saved change', async () => {
    await saveSettings({
      ...DEFAULT_SETTINGS,
      backend: 'wasm',
      gpuBudgetGiB: 12,
      metadataMode: 'json',
      nameTemplate: '{pack}_{seed}',
    });
    expect(await loadSettings()).toEqual({
      version: 1,
      backend: 'wasm',
      gpuBudgetGiB: 12,
      encoder: 'auto',
      ...OUTPUT_DEFAULTS,
      metadataMode: 'json',
      nameTemplate: '{pack}_{seed}',
    });
  });

  it('fills keys missing from an older partial record with defaults (records saved before the output settings existed)', async () => {
    await putOne('settings', { version: 1, encoder: 'ffmpeg' }, 'app');
    expect(await loadSettings()).toEqual({
      version: 1,
      backend: 'auto',
      gpuBudgetGiB: null,
      encoder: 'ffmpeg',
      ...OUTPUT_DEFAULTS,
    });
  });

  it('ignores a record of another version', async () => {
    await putOne('settings', { version: 2, backend: 'webgpu', encoder: 'webcodecs' }, 'app');
    expect(await loadSettings()).toEqual(DEFAULT_SETTINGS);
  });
});
