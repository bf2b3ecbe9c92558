/**
 * LoRA library and preset state: importing `.safetensors` files (header validated, hashed,
 * matched against the packs that take LoRAs, then stored), deleting them, and the `.lset`
 * presets (import from a file or a same-origin/blob link, create from the form's selection, edit,
 * delete, export, share). Every refusal is a message shown with role="alert"; nothing is stored.
 */
import { summariseLora } from '../../engine/lora/analyse';
import { type LsetData, lsetText, parseLset } from '../../engine/lora/lset';
import { readSafetensorsHeader } from '../../engine/lora/safetensors';
import { blobReader } from '../../engine/onnx/wire-reader';
import type { LoraRef, TaskRequest } from '../../engine/request';
import { memoise } from '../../engine/memo';
import { sha256OfStream } from '../../engine/sha256-stream';
import {
  deleteLora,
  listLoras,
  LORA_RECORD_VERSION,
  type LoraRecord,
  saveLora,
} from '../../storage/lora-store';
import {
  deletePreset,
  listPresets,
  PRESET_RECORD_VERSION,
  type PresetRecord,
  savePreset,
} from '../../storage/preset-store';
import { engineBridge } from '../bridges/engine-bridge';
import { presetLinkTarget } from '../preset-link';
import { saveFile } from '../save-file';
import { whileStoring } from '../unload-guard';

/** A LoRA record as the request references it. */
export const loraRef = (r: LoraRecord): LoraRef => ({ id: r.id, name: r.name, sha256: r.id });

export class LorasState {
  loras = $state.raw<LoraRecord[]>([]);
  presets = $state.raw<PresetRecord[]>([]);
  /** Why the last LoRA import failed (role="alert"). */
  error = $state('');
  presetError = $state('');
  /** What the last LoRA / preset action did (role="status"). */
  notice = $state('');
  presetNotice = $state('');
  busy = $state(false);
  loaded = $state(false);
  /** The installed packs' LoRA facts, read once per change of packs (again after a failed read). */
  readonly #packs = memoise(() => engineBridge.api.loraPacks());

  async load(): Promise<void> {
    try {
      [this.loras, this.presets] = await Promise.all([listLoras(), listPresets()]);
    } catch (err) {
      this.error = `The LoRA library could not be read: ${(err as Error).message}`;
    } finally {
      this.loaded = true;
    }
  }

  /** A pack was installed or deleted: the next import matches against the packs as they are now. */
  packsChanged(): void {
    this.#packs.forget();
  }

  /** LoRAs whose family is the one a pack's transformer takes. */
  forFamily(family: string | undefined): LoraRecord[] {
    return family ? this.loras.filter((l) => l.family === family) : [];
  }

  /** Validates, hashes, matches and stores each file; stops at the first refused file. */
  importFiles(files: File[]): Promise<void> {
    return whileStoring(() => this.#importFiles(files));
  }

  async #importFiles(files: File[]): Promise<void> {
    this.error = '';
    this.notice = '';
    this.busy = true;
    try {
      for (const file of files) {
        if (!file.name.toLowerCase().endsWith('.safetensors'))
          throw new Error(
            `${file.name} is not a .safetensors file. Choose LoRA files ending in .safetensors.`,
          );
        const header = await readSafetensorsHeader(blobReader(file), file.size, file.name);
        const id = await sha256OfStream(file.stream());
        const same = this.loras.find((l) => l.id === id);
        if (same)
          throw new Error(
            `${file.name} is already in the library${same.name === file.name ? '' : ` as ${same.name}`}.`,
          );
        if (this.loras.some((l) => l.name === file.name))
          throw new Error(
            `A different LoRA named ${file.name} is already in the library. Delete it first, or rename the new file.`,
          );
        const summary = summariseLora(header, await this.#packs.get());
        const record: LoraRecord = {
          version: LORA_RECORD_VERSION,
          id,
          name: file.name,
          bytes: file.size,
          importedAt: Date.now(),
          ...summary,
        };
        await saveLora(record, file);
        this.loras = [...this.loras, record].sort((a, b) => a.name.localeCompare(b.name));
        this.notice = `Imported ${file.name}: ${record.matched} keys matched, ${record.unmatched.length} unmatched.`;
      }
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      this.busy = false;
    }
  }

  async remove(id: string): Promise<void> {
    await deleteLora(id);
    this.loras = this.loras.filter((l) => l.id !== id);
    await engineBridge.api.forgetLora(id);
  }

  /** Imports `.lset` text as a preset named after its file (without `.lset`). */
  importPresetText(fileName: string, text: string): Promise<void> {
    return whileStoring(() => this.#importPresetText(fileName, text));
  }

  async #importPresetText(fileName: string, text: string): Promise<void> {
    this.presetError = '';
    this.presetNotice = '';
    try {
      const data = parseLset(text, fileName);
      const name = fileName.replace(/\.lset$/i, '');
      if (this.presets.some((p) => p.name === name))
        throw new Error(`A preset named ${name} already exists. Rename or delete it first.`);
      await this.#save({
        version: PRESET_RECORD_VERSION,
        id: crypto.randomUUID(),
        name,
        data,
        updatedAt: Date.now(),
      });
      this.presetNotice = `Imported preset ${name}.`;
    } catch (err) {
      this.presetError = (err as Error).message;
    }
  }

  async importPresetFile(file: File): Promise<void> {
    if (!file.name.toLowerCase().endsWith('.lset')) {
      this.presetError = `${file.name} is not a .lset preset file.`;
      return;
    }
    await this.importPresetText(file.name, await file.text());
  }

  /** Opens a `.lset` link (`#/loras?preset=<url>`): same-origin or blob: URLs only. */
  async importPresetUrl(url: string): Promise<void> {
    this.presetError = '';
    const target = presetLinkTarget(url, location.href);
    if (typeof target === 'string') {
      this.presetError = target;
      return;
    }
    try {
      const res = await fetch(target);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const name = decodeURIComponent(target.pathname.split('/').pop() || 'preset.lset');
      await this.importPresetText(name.endsWith('.lset') ? name : `${name}.lset`, await res.text());
    } catch (err) {
      this.presetError = `The preset at ${target.href} could not be read (${(err as Error).message}).`;
    }
  }

  /** A new preset from the form's LoRA selection, multipliers and prompt. */
  async createPreset(name: string, request: TaskRequest): Promise<void> {
    this.presetError = '';
    const trimmed = name.trim();
    if (!trimmed) this.presetError = 'Enter a preset name.';
    else if (!request.loras?.length)
      this.presetError = 'Select at least one LoRA on the Generate form first.';
    else if (this.presets.some((p) => p.name === trimmed))
      this.presetError = `A preset named ${trimmed} already exists.`;
    if (this.presetError) return;
    const data: LsetData = {
      loras: (request.loras ?? []).map((l) => l.name),
      loras_mult: request.lorasMultipliers ?? '',
      prompt: request.prompt,
      full_prompt: false,
    };
    await this.#save({
      version: PRESET_RECORD_VERSION,
      id: crypto.randomUUID(),
      name: trimmed,
      data,
      updatedAt: Date.now(),
    });
  }

  /** Renames a preset and/or replaces its data (validated like an imported file). */
  async updatePreset(p: PresetRecord, name: string, data: LsetData): Promise<boolean> {
    this.presetError = '';
    try {
      const trimmed = name.trim();
      if (!trimmed) throw new Error('Enter a preset name.');
      if (this.presets.some((o) => o.id !== p.id && o.name === trimmed))
        throw new Error(`A preset named ${trimmed} already exists.`);
      await this.#save({ ...p, name: trimmed, data: parseLset(JSON.stringify(data), `${trimmed}.lset`) });
      return true;
    } catch (err) {
      this.presetError = (err as Error).message;
      return false;
    }
  }

  async removePreset(id: string): Promise<void> {
    await deletePreset(id);
    this.presets = this.presets.filter((p) => p.id !== id);
  }

  exportPreset(p: PresetRecord): void {
    saveFile(presetFile(p), `${p.name}.lset`);
  }

  /** Web Share with the `.lset` file, where the browser can share files. */
  canShare(p: PresetRecord): boolean {
    return typeof navigator.canShare === 'function' && navigator.canShare({ files: [presetFile(p)] });
  }

  async share(p: PresetRecord): Promise<void> {
    try {
      await navigator.share({ files: [presetFile(p)], title: p.name });
    } catch (err) {
      if ((err as Error).name !== 'AbortError')
        this.presetError = `The preset could not be shared: ${(err as Error).message}`;
    }
  }

  async #save(p: PresetRecord): Promise<void> {
    await savePreset($state.snapshot(p) as PresetRecord);
    this.presets = [...this.presets.filter((o) => o.id !== p.id), p].sort((a, b) =>
      a.name.localeCompare(b.name),
    );
  }
}

function presetFile(p: PresetRecord): File {
  return new File([lsetText(p.data)], `${p.name}.lset`, { type: 'application/json' });
}
