/**
 * "Test this pack" on the Models page: runs the engine's pack test (engine/pack-test) on an
 * installed pack and keeps the result with its install record (so it survives a reload); a
 * bundled pack's result is kept for this tab only. While a test runs, its stage is shown.
 */
import type { BackendPreference } from '../../engine/capabilities';
import type { PackTestReport } from '../../engine/pack-test/run-pack-test';
import type { Progress } from '../../engine/progress';
import { canvasPngDataUrl, context2d } from '../../browser/canvas-png';
import { isEnhancerPipeline } from '../../engine/pack/enhancer-manifest';
import { saveTestReport } from '../../storage/pack-store';
import { testEnhancerPack } from '../bridges/enhancer-bridge';
import { testPack } from '../bridges/engine-bridge';
import type { InstallsState } from './installs.svelte';

/** What a running test is doing, in words. */
function progressLine(p: Progress): string | undefined {
  if (p.stage === 'load') return `Loading ${p.file}…`;
  if (p.stage === 'encode-text') return 'Encoding the prompt…';
  if (p.stage === 'denoise') return `Denoising: step ${p.step} of ${p.total}…`;
  if (p.stage === 'decode') return 'Decoding…';
  return undefined;
}

/** A 64×64 mid-grey PNG data URL: the image a captioner pack's test captions. */
async function greyPng(): Promise<string> {
  const canvas = new OffscreenCanvas(64, 64);
  const ctx = context2d(canvas);
  ctx.fillStyle = '#808080';
  ctx.fillRect(0, 0, 64, 64);
  return canvasPngDataUrl(canvas);
}

export class PackTestsState {
  /** Pack id → what its running test is doing. */
  running = $state.raw<Record<string, string>>({});
  /** Pack id → why its test could not run at all (the worker failed). */
  errors = $state.raw<Record<string, string>>({});
  /** Results of bundled (not installed) packs, for this tab. */
  bundled = $state.raw<Record<string, PackTestReport>>({});

  constructor(
    private readonly installs: InstallsState,
    private readonly backend: () => BackendPreference,
  ) {}

  /** The last result of pack `id`: its install record's, else this tab's bundled one. */
  result(id: string): PackTestReport | undefined {
    return this.installs.view(id)?.test ?? this.bundled[id];
  }

  /** The pipeline of installed pack `id` as its stored pack.json gives it. */
  #installedPipeline(id: string): unknown {
    const record = this.installs.stored.find((s) => s.record.id === id)?.record;
    try {
      return record ? (JSON.parse(record.manifestText) as { pipeline?: unknown }).pipeline : undefined;
    } catch {
      return undefined;
    }
  }

  /** Tests pack `id`; `pipeline` (the registry's) tells an enhancer pack, which its own worker tests. */
  async run(id: string, pipeline?: string): Promise<void> {
    if (this.running[id]) return;
    this.running = { ...this.running, [id]: 'Starting…' };
    this.errors = Object.fromEntries(Object.entries(this.errors).filter(([k]) => k !== id));
    const kind = pipeline ?? this.#installedPipeline(id);
    try {
      const report = isEnhancerPipeline(kind)
        ? await testEnhancerPack({
            packId: id,
            pipeline: kind,
            backend: this.backend(),
            sampleImage: await greyPng(),
          })
        : await testPack(id, this.backend(), (p) => {
            const line = progressLine(p);
            if (line && this.running[id]) this.running = { ...this.running, [id]: line };
          });
      if (await saveTestReport(id, report)) await this.installs.load();
      else this.bundled = { ...this.bundled, [id]: report };
    } catch (err) {
      this.errors = { ...this.errors, [id]: `The test could not run: ${(err as Error).message}` };
    } finally {
      this.running = Object.fromEntries(Object.entries(this.running).filter(([k]) => k !== id));
    }
  }
}
