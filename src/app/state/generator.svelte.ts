/**
 * Generator state: the packs, the form's TaskRequest and field errors, "Load settings", and
 * handing valid requests to the queue (which runs them; see queue.svelte.ts).
 */
import { type LsetData, missingLoras, presetPrompt } from '../../engine/lora/lset';
import { settingsBytes } from '../../engine/metadata/settings-bytes';
import { applySettings, type LoadedSettings, readSettingsObject } from '../../engine/metadata/settings-file';
import { type ReusedEnhancement, reusedEnhancedPrompt } from '../../engine/enhancer/reuse';
import { type PackManifest, parseResolution } from '../../engine/pack/manifest';
import { pickerPacks } from '../../engine/pack/pack-list';
import type { RegistryEntry } from '../../engine/pack/registry';
import { isMatting, type Task } from '../../engine/queue/task';
import {
  defaultRequest,
  type FieldErrorMap,
  type LoraRef,
  type TaskRequest,
  validateRequest,
} from '../../engine/request';
import { type AppSettings, DEFAULT_SETTINGS, loadSettings, saveSettings } from '../../storage/settings-store';
import { engineBridge } from '../bridges/engine-bridge';
import { startImagePng } from '../start-image';
import type { GalleryState } from './gallery.svelte';
import { QueueModel } from './queue.svelte';

const DEFAULT_PACK = 'demo-t2v';

export class GeneratorState {
  packs = $state.raw<RegistryEntry[]>([]);
  manifest = $state.raw<PackManifest | undefined>(undefined);
  request = $state<TaskRequest | undefined>(undefined);
  settings = $state<AppSettings>({ ...DEFAULT_SETTINGS });
  fieldErrors = $state<FieldErrorMap>({});
  /** Problem with the pack (shown with role="alert"). */
  error = $state('');
  /** What the last "Load settings" did (or why it failed). */
  settingsNotice = $state.raw<{ ok: boolean; text: string } | undefined>(undefined);
  /** An enhanced prompt from loaded settings, reused while the prompt and Enhance mode stay as loaded. */
  reuse = $state.raw<ReusedEnhancement | undefined>(undefined);
  /** The pending task whose settings are in the form, while editing it. */
  editingId = $state<string | undefined>(undefined);
  /** True while a pack switch loads its manifest. */
  switchingPack = $state(false);
  /** The image the user picked for an i2v pack (converted to the task's resolution at Generate). */
  startSource = $state.raw<Blob | undefined>(undefined);
  readonly queue: QueueModel;
  /** The LoRA library (set by the app), for restoring LoRAs named in settings and presets. */
  loraLibrary: () => LoraRef[] = () => [];

  constructor(gallery: GalleryState) {
    this.queue = new QueueModel(gallery, () => $state.snapshot(this.settings) as AppSettings);
  }

  async init(): Promise<void> {
    this.settings = await loadSettings().catch(() => ({ ...DEFAULT_SETTINGS }));
    await this.refreshPacks();
  }

  /**
   * Re-reads the packs the Model picker offers (bundled and installed ones; test packs only with
   * ?test-packs unless the user installed them) and keeps the selected pack if it is still there.
   */
  async refreshPacks(): Promise<void> {
    try {
      const withTest = /[?&]test-packs(=|&|$)/.test(location.search);
      this.packs = pickerPacks(await engineBridge.api.listPacks(), withTest);
      const current = this.request?.packId;
      if (current && this.packs.some((p) => p.id === current)) return;
      await this.selectPack(
        this.packs.some((p) => p.id === DEFAULT_PACK) ? DEFAULT_PACK : (this.packs[0]?.id ?? DEFAULT_PACK),
      );
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  /** Switches the form to another pack (its limits and defaults); the form is locked meanwhile so typing is not overwritten. */
  async selectPack(packId: string): Promise<void> {
    this.error = '';
    this.switchingPack = true;
    try {
      const m = await engineBridge.api.describePack(packId);
      const prompt = this.request?.prompt ?? '';
      this.manifest = m;
      this.request = {
        ...defaultRequest(m, prompt),
        ...(this.request ? { seed: this.request.seed, negativePrompt: this.request.negativePrompt } : {}),
      };
      this.fieldErrors = {};
    } catch (err) {
      this.manifest = undefined;
      this.error = `Model pack "${packId}" cannot be used: ${(err as Error).message}`;
    } finally {
      this.switchingPack = false;
    }
  }

  async updateSettings(patch: Partial<AppSettings>): Promise<void> {
    this.settings = { ...this.settings, ...patch };
    await saveSettings($state.snapshot(this.settings));
  }

  /** Fills the form from an MP4/PNG/JSON made by WebGP or WanGP. */
  async loadSettings(file: File): Promise<void> {
    try {
      const settings = await readSettingsObject(file.name, await settingsBytes(file));
      await this.useSettings(settings, file.name);
    } catch (err) {
      this.settingsNotice = { ok: false, text: (err as Error).message };
    }
  }

  /** Fills the form from a settings object (a loaded file, or a Gallery item's "Use settings"). */
  async useSettings(settings: Record<string, unknown>, source: string): Promise<void> {
    const model = typeof settings.model_type === 'string' ? settings.model_type : undefined;
    if (model && model !== this.request?.packId && this.packs.some((p) => p.id === model))
      await this.selectPack(model);
    const m = this.manifest;
    if (!m || !this.request) return;
    const loaded = applySettings(
      settings,
      $state.snapshot(this.request) as TaskRequest,
      m,
      this.loraLibrary(),
    );
    this.request = loaded.request;
    this.reuse =
      loaded.enhancedPrompt !== undefined && loaded.request.enhance
        ? {
            prompt: loaded.request.prompt,
            enhance: loaded.request.enhance,
            enhancedPrompt: loaded.enhancedPrompt,
            ...(loaded.enhancedFor !== undefined ? { key: loaded.enhancedFor } : {}),
          }
        : undefined;
    this.fieldErrors = {};
    this.settingsNotice = { ok: true, text: describeLoad(source, loaded) };
  }

  /** Applies a LoRA preset as WanGP does (selection, multipliers, prompt); a preset naming LoRAs not in the library is not applied. */
  applyPreset(name: string, data: LsetData): boolean {
    if (!this.request) return false;
    const library = this.loraLibrary();
    const missing = missingLoras(
      data,
      library.map((l) => l.name),
    );
    if (missing.length) {
      this.settingsNotice = {
        ok: false,
        text: `Preset ${name} needs LoRAs that are not in your library: ${missing.join(', ')}. Import them on the LoRAs page.`,
      };
      return false;
    }
    this.request.loras = data.loras.map((n) => library.find((l) => l.name === n) as LoraRef);
    this.request.lorasMultipliers = data.loras_mult;
    this.request.prompt = presetPrompt(data, this.request.prompt);
    this.settingsNotice = { ok: true, text: `Applied preset ${name}.` };
    return true;
  }

  /** Validates the form and queues it as a task (or saves the task being edited); invalid input queues nothing. */
  async generate(): Promise<void> {
    const m = this.manifest;
    if (!m || !this.request) return;
    const request = $state.snapshot(this.request) as TaskRequest;
    if (m.pipeline === 'i2v-flow-dit' && this.startSource) {
      const size = parseResolution(request.resolution) ?? { width: 0, height: 0 };
      try {
        request.startImage = await startImagePng(this.startSource, size.width, size.height);
      } catch (err) {
        this.fieldErrors = { startImage: (err as Error).message };
        return;
      }
    } else if (m.pipeline !== 'i2v-flow-dit') delete request.startImage;
    this.fieldErrors = validateRequest(request, m);
    if (request.loras?.length && !m.components.transformer.lora)
      this.fieldErrors.loras = `${m.name} takes no LoRAs: deselect them.`;
    if (Object.keys(this.fieldErrors).length) return;
    this.error = '';
    if (this.editingId) {
      this.queue.send({ kind: 'edit', id: this.editingId, request });
      this.editingId = undefined;
    } else {
      this.queue.add(request, undefined, reusedEnhancedPrompt(this.reuse, request));
    }
  }

  /** Loads a pending task into the form; Generate then saves it back instead of adding one. */
  async startEdit(task: Task): Promise<void> {
    if (isMatting(task.request)) return;
    if (task.request.packId !== this.request?.packId) await this.selectPack(task.request.packId);
    this.request = { ...task.request };
    this.fieldErrors = {};
    this.editingId = task.id;
  }

  cancelEdit(): void {
    this.editingId = undefined;
  }
}

function describeLoad(fileName: string, r: LoadedSettings): string {
  const from = r.origin === 'unknown' ? '' : ` (made by ${r.origin})`;
  const parts = [
    `Loaded ${r.applied.length} setting${r.applied.length === 1 ? '' : 's'} from ${fileName}${from}.`,
  ];
  if (r.otherModel)
    parts.push(`It was made with another model (${r.otherModel}); the current model is kept.`);
  if (r.rejected.length) parts.push(`Not applied: ${r.rejected.join('; ')}.`);
  if (r.ignored.length) parts.push(`Ignored keys: ${r.ignored.join(', ')}.`);
  return parts.join(' ');
}
