/**
 * Models page state: the registry's packs with a "fits this device?" verdict each, from the
 * engine worker's capabilities, the reported device memory and the origin's free storage.
 * Loaded once, the first time the page is shown (installs are tracked by installs.svelte.ts).
 */
import type { Capabilities } from '../../engine/capabilities';
import { type DeviceFacts, fitVerdict, type FitVerdict } from '../../engine/pack/fit';
import type { RegistryEntry } from '../../engine/pack/registry';
import { storageEstimate } from '../../storage/quota';
import { engineBridge } from '../bridges/engine-bridge';

export interface ModelCard {
  entry: RegistryEntry;
  verdict: FitVerdict;
}

export class ModelsState {
  packs = $state.raw<RegistryEntry[]>([]);
  caps = $state.raw<Capabilities | undefined>(undefined);
  device = $state.raw<DeviceFacts>({});
  error = $state('');
  loaded = $state(false);
  /** Registry packs only: packs installed from elsewhere are listed under "Installed packs". */
  readonly cards: ModelCard[] = $derived(this.caps ? this.packs.filter((p) => !p.installedFrom).map((entry) => ({ entry, verdict: fitVerdict(entry, this.caps as Capabilities, this.device) })) : []);
  #loading: Promise<void> | undefined;

  /** Reads the registry, capabilities and device facts; later calls reuse the first load. */
  load(): Promise<void> {
    this.#loading ??= this.#read();
    return this.#loading;
  }

  async #read(): Promise<void> {
    try {
      const [packs, caps, storage] = await Promise.all([engineBridge.api.listPacks(), engineBridge.api.capabilities(), storageEstimate()]);
      // navigator.deviceMemory (Chromium only) is rounded down and capped, so it is a lower bound.
      const memoryGiB = (navigator as Navigator & { deviceMemory?: number }).deviceMemory;
      this.device = {
        ...(memoryGiB !== undefined ? { memoryGiB } : {}),
        ...(storage ? { storageFreeBytes: Math.max(0, storage.quota - storage.usage) } : {}),
      };
      this.packs = packs;
      this.caps = caps;
    } catch (err) {
      this.error = `The model list could not be read: ${(err as Error).message}`;
      this.#loading = undefined;
    } finally {
      this.loaded = true;
    }
  }
}
