/**
 * Per-pipeline benchmark (run by `npm run bench` on the contract test packs): how long a pack
 * takes from its files to ready sessions, per megabyte of pack, and before/after in one run: the
 * mean denoise-step time, its ratio to a bare transformer run and (with a transfer meter) what a
 * step moves between host and device, GPU-resident (after) and with every output read back to the
 * CPU (before: the pack loaded with `gpuResident` false, the engine before tensors stayed on the GPU).
 */
import { type LoadedPack, loadPack, readManifest } from '../pack/load-pack';
import { manifestFiles } from '../pack/pack-files';
import type { PackSource } from '../pack/pack-source';
import { generate } from '../pipeline/generate';
import type { TaskRequest } from '../request';
import type { Backend, OrtModule } from '../runtime';
import { maxPerStep, type TransferCounts, type TransferMeter } from '../transfers';
import { bareRunMs } from './denoise-bench';

export interface PipelineBenchResult {
  packId: string;
  pipeline: string;
  backend: Backend;
  /** True when the transformer is block-streamed (stages). */
  streamed: boolean;
  packBytes: number;
  loadMs: number;
  loadMsPerMiB: number;
  /** Mean denoise step, GPU-resident (after). */
  stepMs: number;
  /** Mean denoise step with every output read back to the CPU (before: the pack loaded with `gpuResident` false). */
  roundTripStepMs: number;
  /** Mean bare transformer run on device-resident inputs. */
  bareRunMs: number;
  stepOverBare: number;
  roundTripOverBare: number;
  solver: TaskRequest['solver'];
  /** Per denoise step (the largest over the steps): GPU-resident, and with every output read back. */
  transfersPerStep?: TransferCounts;
  roundTripTransfersPerStep?: TransferCounts;
}

/** Mean step time of a timed run after a warm-up one; `meter` (reset first) counts the timed run. */
async function timedSteps(
  pack: LoadedPack,
  ort: OrtModule,
  request: TaskRequest,
  meter?: TransferMeter,
): Promise<{ stepMs: number; perStep?: TransferCounts }> {
  await generate(pack, ort, request, { syncTimings: true });
  meter?.reset();
  const out = await generate(pack, ort, request, {
    syncTimings: true,
    ...(meter ? { transfers: meter } : {}),
  });
  return {
    stepMs: out.timings.denoiseMs / request.steps,
    ...(meter ? { perStep: maxPerStep(meter.report()) } : {}),
  };
}

/**
 * Loads the pack twice (the second, warm-cache load is reported), times `steps` denoise steps after
 * a warm-up run GPU-resident and then with every output read back (before/after in one run), and
 * the bare transformer run they are measured against.
 */
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
  let after: Awaited<ReturnType<typeof timedSteps>>;
  let bare: number;
  try {
    after = await timedSteps(pack, ort, request, meter);
    bare = await bareRunMs(pack, ort, request, Math.max(3, request.steps));
  } finally {
    await pack.release();
  }
  const roundTripPack = await loadPack(source, manifest, ort, backend, undefined, false);
  let before: Awaited<ReturnType<typeof timedSteps>>;
  try {
    before = await timedSteps(roundTripPack, ort, request, meter);
  } finally {
    await roundTripPack.release();
  }
  return {
    packId: manifest.id,
    pipeline: manifest.pipeline,
    backend,
    streamed: manifest.components.transformer.stages !== undefined,
    packBytes,
    loadMs,
    loadMsPerMiB: loadMs / (packBytes / 2 ** 20),
    stepMs: after.stepMs,
    roundTripStepMs: before.stepMs,
    bareRunMs: bare,
    stepOverBare: after.stepMs / bare,
    roundTripOverBare: before.stepMs / bare,
    solver: request.solver,
    ...(after.perStep ? { transfersPerStep: after.perStep } : {}),
    ...(before.perStep ? { roundTripTransfersPerStep: before.perStep } : {}),
  };
}
