/**
 * Models page state: the registry's packs with a "fits this device?" verdict each, from the
 * engine worker's capabilities, the reported device memory and the origin's free storage, and
 * each real pack's memory plan from its bundled pack.json (the peak of its phases, not the sum).
 * Loaded once, the first time the page is shown (installs are tracked by installs.svelte.ts).
 */
import type { Capabilities } from '../../engine/capabilities';
import { type DeviceFacts, fitVerdict, type FitVerdict } from '../../engine/pack/fit';
import { type MemoryPlan, memoryPlan } from '../../engine/pack/memory-plan';
import type { RegistryEntry } from '../../engine/pack/registry';
import { memoise } from '../../engine/memo';
import { storageEstimate } from '../../storage/quota';
import { engineBridge } from '../bridges/engine-bridge';

export interface ModelCard {
  entry: RegistryEntry;
  verdict: FitVerdict;
  /** The memory plan of its pack.json, when read. */
  plan?: MemoryPlan;
}

export class ModelsState {
  packs = $state.raw<RegistryEntry[]>([]);
  caps = $state.raw<Capabilities | undefined>(undefined);
  device = $state.raw<DeviceFacts>({});
  /** Memory plans by pack id (remote packs whose pack.json could be read). */
  plans = $state.raw<Record<string, MemoryPlan>>({});
  error = $state('');
  loaded = $state(false);
  /** Registry packs only: packs installed from elsewhere are listed under "Installed packs". */
  readonly cards: ModelCard[] = $derived(
    this.caps
      ? this.packs
          .filter((p) => !p.installedFrom)
          .map((entry) => ({
            entry,
            verdict: fitVerdict(entry, this.caps as Capabilities, this.device, this.plans[entry.id]),
            plan: this.plans[entry.id],
          }))
      : [],
  );
  readonly #loading = memoise(() => this.#read());

  /** Reads the registry, capabilities and device facts; later calls reuse the first load. */
  load(): Promise<void> {
    return this.#loading.get();
  }

  async #read(): Promise<void> {
    try {
      const [packs, caps, storage] = await Promise.all([
        engineBridge.api.listPacks(),
        engineBridge.api.capabilities(),
        storageEstimate(),
      ]);
      // navigator.deviceMemory (Chromium only) is rounded down and capped, so it is a lower bound.
      const memoryGiB = (navigator as Navigator & { deviceMemory?: number }).deviceMemory;
      this.device = {
        ...(memoryGiB !== undefined ? { memoryGiB } : {}),
        ...(storage ? { storageFreeBytes: Math.max(0, storage.quota - storage.usage) } : {}),
      };
      this.packs = packs;
      this.caps = caps;
      void this.#readPlans(packs);
    } catch (err) {
      this.error = `The model list could not be read: ${(err as Error).message}`;
      this.#loading.forget(); // the next load() tries again
    } finally {
      this.loaded = true;
    }
  }

  /** Reads each remote pack's bundled pack.json; a pack whose header cannot be read keeps the registry's figures. */
  async #readPlans(packs: RegistryEntry[]): Promise<void> {
    const found = await Promise.all(
      packs
        .filter((p) => p.remote)
        .map((p) =>
          engineBridge.api.describePack(p.id).then(
            (m) => [p.id, memoryPlan(m)] as const,
            () => undefined,
          ),
        ),
    );
    this.plans = Object.fromEntries(found.filter((x) => x !== undefined));
  }
}
