/**
 * The t2v-flow-dit pipeline: tokenize → text encoder (prompt and, with CFG, negative prompt)
 * → flow-matching loop with CFG on the pack's schedule → VAE decode. With Euler every per-step
 * tensor stays in GPU buffers (transformer and step-graph outputs are fed straight back); UniPC
 * and DPM++ 2M combine CFG on the device, then update the latent on the CPU with their history.
 */
import { abortError, EngineError } from '../errors';
import type { LoadedPack } from '../pack/load-pack';
import type { ProgressCallback } from '../progress';
import { gaussianNoise } from '../random';
import { latentShape, type TaskRequest } from '../request';
import { type OrtModule, type OrtTensor, readFloats } from '../runtime';
import { buildSchedule } from '../schedule/schedules';
import { createFlowSolver, type SolverState } from '../schedule/solvers';
import { encodePrompt } from '../text/tokenize';
import { type FrameStack, toRgbaFrames } from './frames';
import { isPreviewStep, latentPreview } from './preview';

export interface GenerateOptions {
  onProgress?: ProgressCallback;
  /** Checked between steps; true means stop now. */
  isCancelled?: () => boolean;
  /** Clock for ETA (injected so tests are deterministic). */
  now?: () => number;
  /** Benchmarks: read the latent back before stopping the denoise clock, so queued GPU work counts. */
  syncTimings?: boolean;
  /** Called at every step boundary (and before the first step); resolves when the run may go on. */
  waitWhilePaused?: () => Promise<void>;
  /** Receives the latent after each step (its own copy), for crash resume. */
  onCheckpoint?: (cp: LatentCheckpoint) => Promise<void> | void;
  /** Report a low-res latent preview (progress stage 'preview') every few steps. */
  previews?: boolean;
  /** Continue from a checkpoint instead of fresh noise: same result as the uninterrupted run. */
  resumeFrom?: LatentCheckpoint;
}

export interface LatentCheckpoint {
  /** Steps already done. */
  step: number;
  shape: number[];
  latent: Float32Array;
  /** Multistep solvers' history (UniPC, DPM++ 2M), plain data. */
  solver?: SolverState;
}

export interface GenerateResult {
  frames: FrameStack;
  /** The final latent, for parity tests and (later) previews/checkpoints. */
  latent: Float32Array;
  sigmas: number[];
  backend: LoadedPack['backend'];
  timings: { textMs: number; denoiseMs: number; decodeMs: number };
}

/** Runs `fn` and disposes every GPU tensor in `owned` afterwards, whatever happens. */
class TensorScope {
  private owned = new Set<OrtTensor>();
  keep<T extends OrtTensor>(t: T): T {
    if (t.location === 'gpu-buffer') this.owned.add(t);
    return t;
  }
  drop(t: OrtTensor): void {
    if (this.owned.delete(t)) t.dispose();
  }
  disposeAll(): void {
    for (const t of this.owned) t.dispose();
    this.owned.clear();
  }
}

async function encodeText(pack: LoadedPack, ort: OrtModule, text: string, scope: TensorScope): Promise<OrtTensor> {
  const { manifest: m, tokenizer } = pack;
  const enc = encodePrompt(tokenizer, text, m.tokenizer.maxLength, m.tokenizer.padId);
  const io = m.components.textEncoder;
  const dims = [1, m.tokenizer.maxLength];
  const out = await pack.textEncoder.run({
    [io.inputs.inputIds as string]: new ort.Tensor('int64', enc.ids, dims),
    [io.inputs.attentionMask as string]: new ort.Tensor('int64', enc.mask, dims),
  });
  return scope.keep(out[io.outputs.hiddenStates as string] as OrtTensor);
}

function checkResume(cp: LatentCheckpoint, shape: number[], steps: number): number {
  const size = shape.reduce((a, b) => a * b, 1);
  if (!Number.isInteger(cp.step) || cp.step < 0 || cp.step > steps || cp.latent.length !== size || cp.shape.join('x') !== shape.join('x')) {
    throw new EngineError('invalid-request', `The saved checkpoint (step ${cp.step}, shape ${cp.shape.join('×')}) does not match this task (${steps} steps, shape ${shape.join('×')}). Retry the task to start it afresh.`);
  }
  return cp.step;
}

export async function generateT2V(pack: LoadedPack, ort: OrtModule, r: TaskRequest, opts: GenerateOptions = {}): Promise<GenerateResult> {
  const now = opts.now ?? (() => performance.now());
  const m = pack.manifest;
  const checkCancel = () => {
    if (opts.isCancelled?.()) throw abortError();
  };
  const scope = new TensorScope();
  try {
    const t0 = now();
    opts.onProgress?.({ stage: 'encode-text' });
    const useCfg = r.guidance !== 1;
    const cond = await encodeText(pack, ort, r.prompt, scope);
    const uncond = useCfg ? await encodeText(pack, ort, r.negativePrompt, scope) : cond;
    checkCancel();

    const shape = latentShape(r, m);
    const { sigmas, timesteps } = buildSchedule(m.scheduler, r.steps, r.shift);
    const tio = m.components.transformer;
    const start = opts.resumeFrom ? checkResume(opts.resumeFrom, shape, r.steps) : 0;
    // Euler runs as the engine's GPU step graph; multistep solvers keep their history on the CPU.
    const solver = r.solver === 'euler' ? undefined : createFlowSolver(r.solver, sigmas);
    if (solver && start > 0) {
      if (!opts.resumeFrom?.solver) throw new EngineError('invalid-request', `The saved checkpoint has no ${r.solver} solver state. Retry the task to start it afresh.`);
      solver.restore(opts.resumeFrom.solver);
    }
    const zeros = solver && new ort.Tensor('float32', new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
    const one = new ort.Tensor('float32', Float32Array.of(1), [1]);
    const initial = opts.resumeFrom ? opts.resumeFrom.latent : gaussianNoise(shape.reduce((a, b) => a * b, 1), r.seed);
    let x: OrtTensor = new ort.Tensor('float32', initial, shape);
    const guidance = new ort.Tensor('float32', Float32Array.of(r.guidance), [1]);
    let saving: Promise<void> | void = undefined;
    await opts.waitWhilePaused?.();
    checkCancel();
    const t1 = now();
    for (let i = start; i < r.steps; i++) {
      const sigma = sigmas[i] as number;
      const timestep = new ort.Tensor('float32', Float32Array.of(timesteps[i] as number), [1]);
      const velocity = async (context: OrtTensor) => {
        const out = await pack.transformer.run({ [tio.inputs.latents as string]: x, [tio.inputs.timestep as string]: timestep, [tio.inputs.context as string]: context });
        return scope.keep(out[tio.outputs.prediction as string] as OrtTensor);
      };
      const vCond = await velocity(cond);
      const vUncond = useCfg ? await velocity(uncond) : vCond;
      if (solver && zeros) {
        // The step graph with zero latents and dt = 1 is the CFG combination v_u + g·(v_c − v_u).
        const combined = scope.keep((await pack.step.run({ latents: zeros, v_cond: vCond, v_uncond: vUncond, dt: one, guidance })).latents_out as OrtTensor);
        const next = solver.step(i, await readFloats(x), await readFloats(combined));
        for (const t of [combined, vCond, vUncond, x]) scope.drop(t);
        x = new ort.Tensor('float32', next, shape);
      } else {
        const dt = new ort.Tensor('float32', Float32Array.of((sigmas[i + 1] as number) - sigma), [1]);
        const stepped = await pack.step.run({ latents: x, v_cond: vCond, v_uncond: vUncond, dt, guidance });
        scope.drop(vCond);
        scope.drop(vUncond);
        scope.drop(x);
        x = scope.keep(stepped.latents_out as OrtTensor);
      }
      const elapsedMs = now() - t1;
      opts.onProgress?.({ stage: 'denoise', step: i + 1, total: r.steps, elapsedMs, etaMs: (elapsedMs / (i + 1 - start)) * (r.steps - i - 1) });
      const preview = opts.previews && isPreviewStep(i + 1, r.steps);
      if (opts.onCheckpoint || preview) {
        const latent = (await readFloats(x)).slice();
        // The preview first: the checkpoint's buffer is transferred away.
        if (preview) opts.onProgress?.({ stage: 'preview', ...latentPreview(latent, shape, { rgbFactors: m.preview?.rgbFactors, rgbBias: m.preview?.rgbBias, step: i + 1, total: r.steps }) });
        if (opts.onCheckpoint) {
          await saving; // at most one checkpoint write in flight
          saving = opts.onCheckpoint({ step: i + 1, shape, latent, ...(solver ? { solver: solver.state() } : {}) });
        }
      }
      await opts.waitWhilePaused?.();
      checkCancel();
    }
    await saving;
    if (opts.syncTimings) await readFloats(x);
    const t2 = now();
    opts.onProgress?.({ stage: 'decode' });
    const vio = m.components.vaeDecoder;
    const decoded = await pack.vaeDecoder.run({ [vio.inputs.latents as string]: x });
    const sample = decoded[vio.outputs.frames as string] as OrtTensor;
    const frames = toRgbaFrames(await readFloats(sample), sample.dims, vio.outputLayout, vio.outputRange);
    const latent = (await readFloats(x)).slice();
    return { frames, latent, sigmas, backend: pack.backend, timings: { textMs: t1 - t0, denoiseMs: t2 - t1, decodeMs: now() - t2 } };
  } finally {
    scope.disposeAll();
  }
}
