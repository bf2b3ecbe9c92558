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
  /** The GPU-resident run's counts per stage ('encode-text', 'denoise', 'decode' …). */
  transfersByStage?: Record<string, TransferCounts>;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** Mean step time of one run; `meter` (reset first) counts it. */
async function timedRun(
  pack: LoadedPack,
  ort: OrtModule,
  request: TaskRequest,
  meter?: TransferMeter,
): Promise<number> {
  meter?.reset();
  const out = await generate(pack, ort, request, {
    syncTimings: true,
    ...(meter ? { transfers: meter } : {}),
  });
  return out.timings.denoiseMs / request.steps;
}

/**
 * Loads the pack twice when timed (the second, warm-cache load is reported; once when untimed); then, GPU-resident (after) and
 * with every output read back (before: loaded with `gpuResident` false) alive side by side, a
 * warm-up run each and `rounds` interleaved timed rounds of each mode and of the bare transformer
 * run they are measured against (medians), with the transfer count of a run of each mode.
 */
export async function benchPipeline(
  ort: OrtModule,
  source: PackSource,
  request: TaskRequest,
  backend: Backend,
  meter?: TransferMeter,
  /** Timed rounds per mode, medians reported (test packs step in milliseconds: one run is noise); 0: one counted run of each mode, untimed (the transfers e2e). */
  rounds = 3,
): Promise<PipelineBenchResult> {
  const manifest = await readManifest(source);
  const packBytes = manifestFiles(manifest).reduce((n, f) => n + (f.bytes ?? 0), 0);
  // A cold load first, so the reported load is a warm-cache one; the untimed count needs none.
  if (rounds > 0) await (await loadPack(source, manifest, ort, backend)).release();
  const t0 = performance.now();
  const pack = await loadPack(source, manifest, ort, backend);
  const loadMs = performance.now() - t0;
  const roundTripPack = await loadPack(source, manifest, ort, backend, undefined, false);
  const times = { after: [] as number[], before: [] as number[], bare: [] as number[] };
  let perStep: { after?: TransferCounts; before?: TransferCounts } = {};
  let byStage: Record<string, TransferCounts> | undefined;
  try {
    if (rounds > 0) {
      await generate(pack, ort, request, { syncTimings: true }); // warm-up: shader compilation
      await generate(roundTripPack, ort, request, { syncTimings: true });
    }
    for (let i = 0; i < Math.max(1, rounds); i++) {
      times.after.push(await timedRun(pack, ort, request, meter));
      const after = meter && maxPerStep(meter.report());
      byStage = meter?.report().stages;
      times.before.push(await timedRun(roundTripPack, ort, request, meter));
      const before = meter && maxPerStep(meter.report());
      if (after && before) perStep = { after, before };
      if (rounds > 0) times.bare.push(await bareRunMs(pack, ort, request, Math.max(3, request.steps)));
    }
  } finally {
    await Promise.all([pack.release(), roundTripPack.release()]);
  }
  const [stepMs, roundTripStepMs, bare] = [
    median(times.after),
    median(times.before),
    rounds > 0 ? median(times.bare) : NaN,
  ];
  return {
    packId: manifest.id,
    pipeline: manifest.pipeline,
    backend,
    streamed: manifest.components.transformer.stages !== undefined,
    packBytes,
    loadMs,
    loadMsPerMiB: loadMs / (packBytes / 2 ** 20),
    stepMs,
    roundTripStepMs,
    bareRunMs: bare,
    stepOverBare: stepMs / bare,
    roundTripOverBare: roundTripStepMs / bare,
    solver: request.solver,
    ...(perStep.after ? { transfersPerStep: perStep.after } : {}),
    ...(perStep.before ? { roundTripTransfersPerStep: perStep.before } : {}),
    ...(byStage ? { transfersByStage: byStage } : {}),
  };
}
