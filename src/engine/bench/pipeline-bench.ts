/**
 * Per-pipeline benchmark (run by `npm run bench` on the contract test packs): how long a pack
 * takes from its files to ready sessions, per megabyte of pack, the mean denoise-step time, and
 * (with a transfer meter) what a step moves between host and device, GPU-resident and with every
 * output read back to the CPU (the engine before tensors stayed on the GPU).
 */
import { loadPack, readManifest } from '../pack/load-pack';
import { manifestFiles } from '../pack/pack-files';
import type { PackSource } from '../pack/pack-source';
import { generate } from '../pipeline/generate';
import type { TaskRequest } from '../request';
import type { Backend, OrtModule } from '../runtime';
import { maxPerStep, type TransferCounts, type TransferMeter } from '../transfers';

export interface PipelineBenchResult {
  packId: string;
  pipeline: string;
  backend: Backend;
  packBytes: number;
  loadMs: number;
  loadMsPerMiB: number;
  stepMs: number;
  solver: TaskRequest['solver'];
  /** Per denoise step (the largest over the steps): GPU-resident, and with every output read back. */
  transfersPerStep?: TransferCounts;
  roundTripTransfersPerStep?: TransferCounts;
}

/** Loads the pack twice (the second, warm-cache load is reported) and times `steps` denoise steps after a warm-up run. */
export async function benchPipeline(
  ort: OrtModule,
  source: PackSource,
  request: TaskRequest,
  backend: Backend,
  meter?: TransferMeter,
): Promise<PipelineBenchResult> {
  const manifest = await readManifest(source);
  const packBytes = manifestFiles(manifest).reduce((n, f) => n + (f.bytes ?? 0), 0);
  await (await loadPack(source, manifest, ort, backend)).release();
  const t0 = performance.now();
  const pack = await loadPack(source, manifest, ort, backend);
  const loadMs = performance.now() - t0;
  try {
    await generate(pack, ort, request, { syncTimings: true });
    meter?.reset();
    const out = await generate(pack, ort, request, {
      syncTimings: true,
      ...(meter ? { transfers: meter } : {}),
    });
    const row: PipelineBenchResult = {
      packId: manifest.id,
      pipeline: manifest.pipeline,
      backend,
      packBytes,
      loadMs,
      loadMsPerMiB: loadMs / (packBytes / 2 ** 20),
      stepMs: out.timings.denoiseMs / request.steps,
      solver: request.solver,
    };
    if (!meter) return row;
    row.transfersPerStep = maxPerStep(meter.report());
    return {
      ...row,
      roundTripTransfersPerStep: await roundTripPerStep(ort, source, request, backend, meter),
    };
  } finally {
    await pack.release();
  }
}

/** A step's transfers with every output downloaded to the CPU (the pack loaded without GPU-resident outputs). */
async function roundTripPerStep(
  ort: OrtModule,
  source: PackSource,
  request: TaskRequest,
  backend: Backend,
  meter: TransferMeter,
): Promise<TransferCounts> {
  const pack = await loadPack(source, await readManifest(source), ort, backend, undefined, false);
  try {
    meter.reset();
    await generate(pack, ort, request, { transfers: meter });
    return maxPerStep(meter.report());
  } finally {
    await pack.release();
  }
}
