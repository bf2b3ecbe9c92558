/**
 * Generator state: the packs, the form's TaskRequest, field errors, live progress and the
 * run itself (engine worker → media worker → outputs store → gallery).
 */
import { errorCode, isAbortError } from '../../engine/errors';
import { applySettings, type LoadedSettings, readSettingsObject } from '../../engine/metadata/settings-file';
import type { PackManifest } from '../../engine/pack/manifest';
import type { RegistryEntry } from '../../engine/pack/registry';
import { outputFileName } from '../../engine/naming';
import type { Progress } from '../../engine/progress';
import { defaultRequest, type FieldErrorMap, type TaskRequest, validateRequest } from '../../engine/request';
import { outputSettings } from '../../engine/settings';
import { OUTPUT_RECORD_VERSION, type OutputRecord, saveOutput } from '../../storage/outputs-store';
import { type AppSettings, DEFAULT_SETTINGS, loadSettings, saveSettings } from '../../storage/settings-store';
import { engineBridge, generateClip } from '../bridges/engine-bridge';
import { encodeVideo } from '../bridges/media-bridge';
import type { GalleryItem, GalleryState } from './gallery.svelte';

const DEFAULT_PACK = 'demo-t2v';

export class GeneratorState {
  packs = $state.raw<RegistryEntry[]>([]);
  manifest = $state.raw<PackManifest | undefined>(undefined);
  request = $state<TaskRequest | undefined>(undefined);
  settings = $state<AppSettings>({ ...DEFAULT_SETTINGS });
  fieldErrors = $state<FieldErrorMap>({});
  progress = $state.raw<Progress | undefined>(undefined);
  running = $state(false);
  /** Problem with the pack or the last run (shown with role="alert"). */
  error = $state('');
  backendInfo = $state('');
  latest = $state.raw<GalleryItem | undefined>(undefined);
  /** What the last "Load settings" did (or why it failed). */
  settingsNotice = $state.raw<{ ok: boolean; text: string } | undefined>(undefined);
  private abort: AbortController | undefined;

  constructor(private readonly gallery: GalleryState) {}

  async init(): Promise<void> {
    this.settings = await loadSettings().catch(() => ({ ...DEFAULT_SETTINGS }));
    try {
      this.packs = (await engineBridge.api.listPacks()).filter((p) => !p.test);
      await this.selectPack(this.packs.some((p) => p.id === DEFAULT_PACK) ? DEFAULT_PACK : (this.packs[0]?.id ?? DEFAULT_PACK));
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  async selectPack(packId: string): Promise<void> {
    this.error = '';
    try {
      const m = await engineBridge.api.describePack(packId);
      const prompt = this.request?.prompt ?? '';
      this.manifest = m;
      this.request = { ...defaultRequest(m, prompt), ...(this.request ? { seed: this.request.seed, negativePrompt: this.request.negativePrompt } : {}) };
      this.fieldErrors = {};
    } catch (err) {
      this.manifest = undefined;
      this.error = `Model pack "${packId}" cannot be used: ${(err as Error).message}`;
    }
  }

  async updateSettings(patch: Partial<AppSettings>): Promise<void> {
    this.settings = { ...this.settings, ...patch };
    await saveSettings($state.snapshot(this.settings));
  }

  /** Fills the form from an MP4/PNG/JSON made by WebGP or WanGP. */
  async loadSettings(file: File): Promise<void> {
    const m = this.manifest;
    if (!m || !this.request) return;
    try {
      const settings = await readSettingsObject(file.name, new Uint8Array(await file.arrayBuffer()));
      const loaded = applySettings(settings, $state.snapshot(this.request) as TaskRequest, m);
      this.request = loaded.request;
      this.fieldErrors = {};
      this.settingsNotice = { ok: true, text: describeLoad(file.name, loaded) };
    } catch (err) {
      this.settingsNotice = { ok: false, text: (err as Error).message };
    }
  }

  cancel(): void {
    this.abort?.abort();
  }

  /** Validates, then runs one generation; invalid input starts nothing. */
  async generate(): Promise<void> {
    const m = this.manifest;
    if (!m || !this.request || this.running) return;
    const request = $state.snapshot(this.request) as TaskRequest;
    this.fieldErrors = validateRequest(request, m);
    if (Object.keys(this.fieldErrors).length) return;
    this.error = '';
    this.running = true;
    this.progress = undefined;
    this.abort = new AbortController();
    const started = performance.now();
    try {
      const out = await generateClip(request, this.settings.backend, (p) => (this.progress = p), this.abort.signal);
      this.backendInfo = out.backendReason;
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local timestamp, never mutated nor kept in $state
      const createdAt = new Date();
      const settings = outputSettings(request, out.manifest, { backend: out.backend, generationSeconds: (performance.now() - started) / 1000, createdAt });
      this.progress = { stage: 'mux', frame: 0, total: out.frames.count };
      const { width, height, count } = out.frames;
      const media = await encodeVideo(out.frames, { fps: out.manifest.defaults.fps, comment: JSON.stringify(settings), encoder: this.settings.encoder });
      const record: OutputRecord = {
        version: OUTPUT_RECORD_VERSION,
        id: crypto.randomUUID(),
        createdAt: createdAt.getTime(),
        fileName: outputFileName({ date: createdAt, seed: request.seed, prompt: request.prompt, ext: 'mp4' }),
        settings,
        video: media.video,
        thumbnail: media.thumbnail,
        width,
        height,
        frames: count,
        encoder: media.encoder,
      };
      await saveOutput(record);
      this.latest = this.gallery.add(record);
      this.progress = { stage: 'done', elapsedMs: performance.now() - started };
    } catch (err) {
      this.progress = undefined;
      if (isAbortError(err)) return;
      if (errorCode(err) === 'invalid-request') {
        this.fieldErrors = ((err as { fields?: FieldErrorMap }).fields ?? {}) as FieldErrorMap;
      }
      this.error = (err as Error).message;
    } finally {
      this.running = false;
      this.abort = undefined;
    }
  }
}

function describeLoad(fileName: string, r: LoadedSettings): string {
  const from = r.origin === 'unknown' ? '' : ` (made by ${r.origin})`;
  const parts = [`Loaded ${r.applied.length} setting${r.applied.length === 1 ? '' : 's'} from ${fileName}${from}.`];
  if (r.otherModel) parts.push(`It was made with another model (${r.otherModel}); the current model is kept.`);
  if (r.rejected.length) parts.push(`Not applied: ${r.rejected.join('; ')}.`);
  if (r.ignored.length) parts.push(`Ignored keys: ${r.ignored.join(', ')}.`);
  return parts.join(' ');
}
