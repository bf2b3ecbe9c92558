/**
 * Denoise-loop benchmark (run by `npm run bench` in a real browser): per-step wall time of the
 * full generate loop against a bare transformer `session.run` on GPU-resident inputs, and
 * the same loop with every output downloaded to the CPU (no GPU residency), and the loop with
 * a crash-resume checkpoint (latent read back) after every step, and with the UniPC solver.
 */
import type { LoadedPack } from '../pack/load-pack';
import { generate } from '../pipeline/generate';
import { denoiseShape, timestepTensor } from '../pipeline/latents';
import { parseResolution } from '../pack/header';
import { encodeConditioning, timeIdsTensor } from '../text/conditioning';
import { gaussianNoise } from '../random';
import type { TaskRequest } from '../request';
import type { OrtModule, OrtTensor } from '../runtime';

export interface DenoiseBenchResult {
  resolution: string;
  frames: number;
  steps: number;
  /** Mean wall time of one denoise step (transformer + scheduler step), GPU-resident. */
  stepMs: number;
  /** Mean time of a bare transformer run with inputs already on the device. */
  bareRunMs: number;
  /** Mean denoise step time when every output round-trips through the CPU. */
  cpuRoundTripStepMs: number;
  /** Mean step time with a checkpoint (latent download) after every step, as the queue runs it. */
  checkpointStepMs: number;
  /** Mean step time with UniPC (CFG and the multistep update on the device; on wasm as JS loops). */
  unipcStepMs: number;
  unipcOverEuler: number;
  /** Median over the rounds of (mean step ÷ bare run) measured back to back. */
  stepOverBareRun: number;
  cpuRoundTripOverResident: number;
  checkpointOverResident: number;
}

async function meanStepMs(
  pack: LoadedPack,
  ort: OrtModule,
  r: TaskRequest,
  checkpoint = false,
): Promise<number> {
  const out = await generate(pack, ort, r, {
    syncTimings: true,
    ...(checkpoint ? { onCheckpoint: () => undefined } : {}),
  });
  return out.timings.denoiseMs / r.steps;
}

/**
 * Times `reps` bare transformer runs whose inputs already live on the device (on WebGPU): the
 * latent, the text conditioning (pooled embedding and size ids where the pack takes them).
 */
export async function bareRunMs(
  pack: LoadedPack,
  ort: OrtModule,
  r: TaskRequest,
  reps: number,
): Promise<number> {
  const spec = pack.manifest.components.transformer;
  const shape = denoiseShape(r, pack.manifest);
  const c = await encodeConditioning(ort, pack, r.prompt);
  // One step-graph run puts the latent in a GPU buffer, as inside the loop.
  const noise = new ort.Tensor(
    'float32',
    gaussianNoise(
      shape.reduce((a, b) => a * b, 1),
      1,
    ),
    shape,
  );
  const zero = new ort.Tensor('float32', new Float32Array(noise.size), shape);
  const one = new ort.Tensor('float32', Float32Array.of(1), [1]);
  const x = (await pack.step.run({ latents: noise, v_cond: zero, v_uncond: zero, dt: one, guidance: one }))
    .latents_out as OrtTensor;
  const timestep = timestepTensor(ort, spec, 500, shape);
  const { width, height } = parseResolution(r.resolution) ?? { width: 0, height: 0 };
  const extra: Record<string, OrtTensor> = {
    ...(c.textEmbeds ? { textEmbeds: c.textEmbeds } : {}),
    ...(spec.inputs.timeIds !== undefined ? { timeIds: timeIdsTensor(ort, width, height) } : {}),
  };
  const run = async () =>
    (await pack.transformer.run({ latents: x, timestep, context: c.context, ...extra }))
      .prediction as OrtTensor;
  // The warm-up run is read back first: on WebGPU a run returns before its GPU work ends, and that
  // work must not land inside the timed runs.
  await (await run()).getData(true);
  const t0 = performance.now();
  for (let i = 0; i < reps - 1; i++) (await run()).dispose();
  // Like the loop's timing (syncTimings), the last output is read back so queued GPU work counts.
  await (await run()).getData(true);
  const ms = (performance.now() - t0) / reps;
  for (const t of [x, c.context, c.textEmbeds]) if (t?.location === 'gpu-buffer') t.dispose();
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/**
 * Interleaves the modes over `rounds` rounds (after a warm-up) and reports medians. Each round
 * times the bare run right after the GPU-resident loop, and step/bare is the median of those
 * paired ratios: on a shared machine the load drifts between rounds, and a pair sees the same load.
 */
export async function benchDenoise(
  resident: LoadedPack,
  roundTrip: LoadedPack,
  ort: OrtModule,
  request: TaskRequest,
  rounds = 7,
): Promise<DenoiseBenchResult> {
  // Euler is the GPU-resident baseline every ratio is measured against.
  const r: TaskRequest = { ...request, solver: 'euler' };
  await meanStepMs(resident, ort, { ...r, steps: 2 }); // warm-up: shader compilation
  await meanStepMs(roundTrip, ort, { ...r, steps: 2 });
  const samples = {
    resident: [] as number[],
    roundTrip: [] as number[],
    bare: [] as number[],
    ratio: [] as number[],
    checkpoint: [] as number[],
    unipc: [] as number[],
  };
  for (let i = 0; i < rounds; i++) {
    samples.resident.push(await meanStepMs(resident, ort, r));
    samples.bare.push(await bareRunMs(resident, ort, r, r.steps));
    samples.ratio.push((samples.resident.at(-1) as number) / (samples.bare.at(-1) as number));
    samples.unipc.push(await meanStepMs(resident, ort, { ...r, solver: 'unipc' }));
    samples.checkpoint.push(await meanStepMs(resident, ort, r, true));
    samples.roundTrip.push(await meanStepMs(roundTrip, ort, r));
  }
  const stepMs = median(samples.resident);
  const cpuRoundTripStepMs = median(samples.roundTrip);
  const bare = median(samples.bare);
  return {
    resolution: r.resolution,
    frames: r.frames,
    steps: r.steps,
    stepMs,
    bareRunMs: bare,
    cpuRoundTripStepMs,
    checkpointStepMs: median(samples.checkpoint),
    stepOverBareRun: median(samples.ratio),
    cpuRoundTripOverResident: cpuRoundTripStepMs / stepMs,
    checkpointOverResident: median(samples.checkpoint) / stepMs,
    unipcStepMs: median(samples.unipc),
    unipcOverEuler: median(samples.unipc) / stepMs,
  };
}
