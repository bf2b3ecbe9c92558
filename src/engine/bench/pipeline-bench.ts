/**
 * Per-pipeline benchmark (run by `npm run bench` on the contract test packs): how long a pack
 * takes from its files to ready sessions, per megabyte of pack, and the mean denoise-step time.
 */
import { loadPack, readManifest } from '../pack/load-pack';
import { manifestFiles } from '../pack/pack-files';
import type { PackSource } from '../pack/pack-source';
import { generate } from '../pipeline/generate';
import type { TaskRequest } from '../request';
import type { Backend, OrtModule } from '../runtime';

export interface PipelineBenchResult {
  packId: string;
  pipeline: string;
  backend: Backend;
  packBytes: number;
  loadMs: number;
  loadMsPerMiB: number;
  stepMs: number;
}

/** Loads the pack twice (the second, warm-cache load is reported) and times `steps` denoise steps after a warm-up run. */
export async function benchPipeline(ort: OrtModule, source: PackSource, request: TaskRequest, backend: Backend): Promise<PipelineBenchResult> {
  const manifest = await readManifest(source);
  const packBytes = manifestFiles(manifest).reduce((n, f) => n + (f.bytes ?? 0), 0);
  await (await loadPack(source, manifest, ort, backend)).release();
  const t0 = performance.now();
  const pack = await loadPack(source, manifest, ort, backend);
  const loadMs = performance.now() - t0;
  try {
    await generate(pack, ort, request, { syncTimings: true });
    const out = await generate(pack, ort, request, { syncTimings: true });
    return { packId: manifest.id, pipeline: manifest.pipeline, backend, packBytes, loadMs, loadMsPerMiB: loadMs / (packBytes / 2 ** 20), stepMs: out.timings.denoiseMs / request.steps };
  } finally {
    await pack.release();
  }
}
