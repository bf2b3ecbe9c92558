/**
 * The generation pipelines (t2v-flow-dit, i2v-flow-dit, t2i-flow-dit, t2i-eps-unet) as one loop
 * driven by the manifest: tokenize → text encoder (prompt and, with CFG, negative prompt) →
 * (i2v: start image → VAE encoder → pinned first latent frame) → denoise on the pack's schedule →
 * VAE decode. Every per-step tensor stays in GPU buffers: Euler through the engine's step graph
 * (or the pack's own scheduler-step graph); UniPC and DPM++ 2M combine CFG with the step graph and
 * update the latent with their history on the device (gpu-solver.ts). ε-prediction UNets use the same Euler step in σ.
 * On the wasm backend, where every tensor is in JS memory, those updates are the same arithmetic
 * as JavaScript loops (host-update.ts), Euler's in place: a graph run there costs more than the update.
 * Each phase is entered on the pack first, so sequential residency (pack/residency.ts) releases
 * the text encoder before the first step and creates the VAE decoder only after the last.
 */
import { abortError, EngineError } from '../errors';
import { parseResolution } from '../pack/header';
import type { LoadedPack } from '../pack/load-pack';
import type { Phase } from '../pack/memory-plan';
import type { ProgressCallback } from '../progress';
import { gaussianNoise } from '../random';
import type { TaskRequest } from '../request';
import { type OrtModule, type OrtTensor, readFloats } from '../runtime';
import { guidanceAt } from '../schedule/guidance-phase';
import { buildSchedule } from '../schedule/schedules';
import { createFlowSolver, type SolverState } from '../schedule/solvers';
import type { TransferMeter } from '../transfers';
import { type Conditioning, encodeConditioning, timeIdsTensor } from '../text/conditioning';
import type { ComponentRunner } from './component-runner';
import { GpuSolver, graphCombine, hostCombine } from './gpu-solver';
import { blendInPlace, cfgCombined, eulerCfgInPlace, eulerInPlace, scaled } from './host-update';
import type { FrameStack } from './frames';
import { denoiseShape, startFrameMasks, timestepTensor } from './latents';
import { isPreviewStep, latentPreview } from './preview';
import { TensorScope } from './tensor-scope';
import { decodeFrames, encodeStartImage } from './vae-stages';

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
  /** The transformer for step i (LoRA-merged weights per step); default: the pack's own. */
  transformerAt?: (step: number, pass?: 'cond' | 'uncond') => Promise<ComponentRunner>;
  /** Called after the pack enters each phase (the engine releases LoRA-merged transformers before decode). */
  onPhase?: (phase: Phase) => Promise<void> | void;
  /** Sees each stage's output as it is made ("Test this pack"); may throw to stop the run. */
  inspect?: StageInspector;
  /** Counts host↔device transfers; generate tells it the stage and step (transfers.ts). */
  transfers?: TransferMeter;
}

/** A stage output handed to `GenerateOptions.inspect`: a tensor (possibly on the GPU) or floats already read. */
export type StageOutput =
  | { stage: 'text-encoder'; output: OrtTensor }
  | { stage: 'transformer'; step: number; output: OrtTensor }
  | { stage: 'vae-decoder'; output: Float32Array; range: [number, number] };

export type StageInspector = (s: StageOutput) => Promise<void>;

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
  /** The final latent, for parity tests and checkpoints. */
  latent: Float32Array;
  sigmas: number[];
  backend: LoadedPack['backend'];
  timings: { textMs: number; denoiseMs: number; decodeMs: number };
}

function checkResume(cp: LatentCheckpoint, shape: number[], steps: number): number {
  const size = shape.reduce((a, b) => a * b, 1);
  if (
    !Number.isInteger(cp.step) ||
    cp.step < 0 ||
    cp.step > steps ||
    cp.latent.length !== size ||
    cp.shape.join('x') !== shape.join('x')
  ) {
    throw new EngineError(
      'invalid-request',
      `The saved checkpoint (step ${cp.step}, shape ${cp.shape.join('×')}) does not match this task (${steps} steps, shape ${shape.join('×')}). Retry the task to start it afresh.`,
    );
  }
  return cp.step;
}

export async function generate(
  pack: LoadedPack,
  ort: OrtModule,
  r: TaskRequest,
  opts: GenerateOptions = {},
): Promise<GenerateResult> {
  const now = opts.now ?? (() => performance.now());
  const m = pack.manifest;
  const tspec = m.components.transformer;
  const checkCancel = () => {
    if (opts.isCancelled?.()) throw abortError();
  };
  const scope = new TensorScope();
  const cleanups: (() => void)[] = [];
  const enter = async (phase: Phase) => {
    opts.transfers?.at(phase);
    await pack.enter(phase);
    await opts.onPhase?.(phase);
  };
  pack.beginRun(opts.onProgress);
  try {
    const t0 = now();
    opts.onProgress?.({ stage: 'encode-text' });
    await enter('encode-text');
    // Guidance per step (WanGP guidance phases); the negative prompt is encoded if any step needs it.
    const { sigmas, timesteps } = buildSchedule(m.scheduler, r.steps, r.shift);
    const guidanceOf = (i: number) => guidanceAt(r, sigmas[i] as number);
    const useCfg = sigmas.slice(0, -1).some((_, i) => guidanceOf(i) !== 1);
    // wasm: every tensor is a CPU tensor, updated by host-update.ts's loops instead of graph runs.
    const host = pack.backend === 'wasm';
    // Per-run constants go to the device once (the scale graph's output stays there), not every step.
    const resident = async (t: OrtTensor) =>
      host
        ? t
        : scope.keep(
            (await pack.scale.run({ x: t, s: new ort.Tensor('float32', Float32Array.of(1), [1]) }))
              .out as OrtTensor,
          );
    // Text conditioning post-processed on the CPU (padding, concatenation) goes up once too.
    const keepAll = async (c: Conditioning): Promise<Conditioning> => {
      const up = async (t: OrtTensor) =>
        t.location === 'cpu' && pack.backend === 'webgpu' ? resident(t) : scope.keep(t);
      return {
        ...c,
        context: await up(c.context),
        ...(c.textEmbeds ? { textEmbeds: await up(c.textEmbeds) } : {}),
      };
    };
    const cond = await keepAll(await encodeConditioning(ort, pack, r.prompt));
    const uncond = useCfg ? await keepAll(await encodeConditioning(ort, pack, r.negativePrompt)) : cond;
    await opts.inspect?.({ stage: 'text-encoder', output: cond.context });
    checkCancel();

    const shape = denoiseShape(r, m);
    const size = shape.reduce((a, b) => a * b, 1);
    const start = opts.resumeFrom ? checkResume(opts.resumeFrom, shape, r.steps) : 0;
    const eps = tspec.prediction === 'epsilon';
    const floats = (t: OrtTensor) => t.data as Float32Array;
    const cpuTensor = (data: Float32Array) => new ort.Tensor('float32', data, shape);
    // Euler runs as a GPU step graph; multistep solvers keep their history on the device too.
    const solver =
      r.solver === 'euler'
        ? undefined
        : new GpuSolver(
            r.solver,
            sigmas,
            ort,
            host ? hostCombine(ort) : graphCombine(ort, pack.combine),
            tspec.prediction === 'flow-negated' ? -1 : 1,
          );
    if (solver) {
      cleanups.push(() => solver.dispose());
      // The CPU solver validates the schedule and the checkpoint's state.
      const check = createFlowSolver(r.solver, sigmas);
      if (start > 0) {
        if (!opts.resumeFrom?.solver)
          throw new EngineError(
            'invalid-request',
            `The saved checkpoint has no ${r.solver} solver state. Retry the task to start it afresh.`,
          );
        check.restore(opts.resumeFrom.solver);
        solver.restore(opts.resumeFrom.solver, shape);
      }
    }
    // Only the multistep solvers' CFG combination needs zero latents.
    const zeros =
      solver && !host && (await resident(new ort.Tensor('float32', new Float32Array(size), shape)));
    const one = await resident(new ort.Tensor('float32', Float32Array.of(1), [1]));
    // ε models start from noise·σ0; flow models from noise (σ0 = 1).
    const initial = opts.resumeFrom
      ? opts.resumeFrom.latent.slice() // a copy: host updates write into the latent
      : gaussianNoise(size, r.seed).map((v) => (eps ? v * (sigmas[0] as number) : v));
    // On the device once: step 0 feeds it to the transformer and to the step graph.
    const start0 = new ort.Tensor('float32', initial, shape);
    let x: OrtTensor = pack.backend === 'webgpu' ? await resident(start0) : start0;

    // i2v: pin latent frame 0 to the encoded start image after every update.
    let pin: ((t: OrtTensor) => Promise<OrtTensor>) | undefined;
    if (m.pipeline === 'i2v-flow-dit') {
      await enter('encode-image');
      const masks = startFrameMasks(await encodeStartImage(pack, ort, r, shape), shape);
      const keep = await resident(new ort.Tensor('float32', masks.keep, shape));
      const fixed = await resident(new ort.Tensor('float32', masks.fixed, shape));
      pin = async (t) => {
        if (!host) return scope.keep((await pack.blend.run({ x: t, keep, fixed })).out as OrtTensor);
        blendInPlace(floats(t), floats(keep), floats(fixed));
        return t;
      };
      if (!opts.resumeFrom) x = await pin(x);
    }
    const fixedFrames = pin ? 1 : 0;
    // SDXL: size micro-conditioning, when the transformer takes it.
    const { width, height } = parseResolution(r.resolution) ?? { width: 0, height: 0 };
    const timeIds: Record<string, OrtTensor> =
      tspec.inputs.timeIds !== undefined
        ? { timeIds: await resident(timeIdsTensor(ort, width, height)) }
        : {};
    const helperStep = r.solver === 'euler' && !useCfg ? pack.components.schedulerStep : undefined;
    const guidanceTensors = new Map<number, OrtTensor>();
    const guidanceTensor = async (g: number): Promise<OrtTensor> => {
      const t =
        guidanceTensors.get(g) ?? (await resident(new ort.Tensor('float32', Float32Array.of(g), [1])));
      guidanceTensors.set(g, t);
      return t;
    };
    let saving: Promise<void> | void = undefined;
    await enter('denoise');
    await opts.waitWhilePaused?.();
    checkCancel();
    const t1 = now();
    for (let i = start; i < r.steps; i++) {
      opts.transfers?.at('denoise', i);
      const sigma = sigmas[i] as number;
      const timestep = timestepTensor(ort, tspec, timesteps[i] as number, shape, fixedFrames);
      const inScale = 1 / Math.sqrt(sigma * sigma + 1);
      const modelInput = !eps
        ? x
        : host
          ? cpuTensor(scaled(floats(x), inScale))
          : scope.keep(
              (await pack.scale.run({ x, s: new ort.Tensor('float32', Float32Array.of(inScale), [1]) }))
                .out as OrtTensor,
            );
      const transformer = opts.transformerAt ? await opts.transformerAt(i) : pack.transformer;
      const predict = async (c: Conditioning, runner = transformer) => {
        const pooled: Record<string, OrtTensor> = c.textEmbeds ? { textEmbeds: c.textEmbeds } : {};
        return scope.keep(
          (await runner.run({ latents: modelInput, timestep, context: c.context, ...pooled, ...timeIds }))
            .prediction as OrtTensor,
        );
      };
      const g = guidanceOf(i);
      const guidance = await guidanceTensor(g);
      const pCond = await predict(cond);
      // A LoRA multiplier split with ':' gives the unconditional pass its own transformer (asked for
      // after the conditional pass, so a one-session cache never releases the runner in use).
      const pUncond =
        g !== 1
          ? await predict(uncond, opts.transformerAt ? await opts.transformerAt(i, 'uncond') : transformer)
          : pCond;
      if (modelInput !== x) scope.drop(modelInput);
      let next: OrtTensor;
      if (helperStep) {
        next = scope.keep(
          (
            await helperStep.run({
              noisePred: pCond,
              latents: x,
              stepInfo: new ort.Tensor('float32', Float32Array.of(i, r.steps), [2]),
            })
          ).latents as OrtTensor,
        );
      } else if (solver) {
        // The step graph with zero latents and dt = 1 is the CFG combination p_u + g·(p_c − p_u).
        const combined = host
          ? cpuTensor(cfgCombined(floats(pCond), floats(pUncond), g))
          : scope.keep(
              (
                await pack.step.run({
                  latents: zeros as OrtTensor,
                  v_cond: pCond,
                  v_uncond: pUncond,
                  dt: one,
                  guidance,
                })
              ).latents_out as OrtTensor,
            );
        next = scope.keep(await solver.step(i, x, combined));
        scope.drop(combined);
      } else if (host) {
        // Euler in place in the latent's own array (host-update.ts): no graph run, no allocation.
        const dt = ((sigmas[i + 1] as number) - sigma) * (tspec.prediction === 'flow-negated' ? -1 : 1);
        if (pUncond === pCond) eulerInPlace(floats(x), floats(pCond), dt);
        else eulerCfgInPlace(floats(x), floats(pCond), floats(pUncond), dt, g);
        next = x;
      } else {
        // Euler in σ: x += (σ_next − σ)·v for velocity and for ε alike; a negated velocity flips dt.
        const dt = ((sigmas[i + 1] as number) - sigma) * (tspec.prediction === 'flow-negated' ? -1 : 1);
        const dtTensor = new ort.Tensor('float32', Float32Array.of(dt), [1]);
        // Without CFG the two-op Euler graph: the step's update costs as little next to the transformer as it can.
        const out =
          pUncond === pCond
            ? await pack.euler.run({ latents: x, v: pCond, dt: dtTensor })
            : await pack.step.run({ latents: x, v_cond: pCond, v_uncond: pUncond, dt: dtTensor, guidance });
        next = scope.keep(out.latents_out as OrtTensor);
      }
      // The prediction is inspected before it is freed; its step time includes the update.
      await opts.inspect?.({ stage: 'transformer', step: i + 1, output: pCond });
      for (const t of [pCond, pUncond, x]) if (t !== next) scope.drop(t);
      x = pin ? await pin(next) : next;
      if (pin && x !== next) scope.drop(next);
      const elapsedMs = now() - t1;
      opts.onProgress?.({
        stage: 'denoise',
        step: i + 1,
        total: r.steps,
        elapsedMs,
        etaMs: (elapsedMs / (i + 1 - start)) * (r.steps - i - 1),
      });
      const preview = opts.previews && isPreviewStep(i + 1, r.steps);
      if (opts.onCheckpoint || preview) {
        const latent = (await readFloats(x)).slice();
        // The preview first: the checkpoint's buffer is transferred away.
        if (preview)
          opts.onProgress?.({
            stage: 'preview',
            ...latentPreview(
              latent,
              shape.length === 5
                ? shape
                : [shape[0] as number, shape[1] as number, 1, shape[2] as number, shape[3] as number],
              { rgbFactors: m.preview?.rgbFactors, rgbBias: m.preview?.rgbBias, step: i + 1, total: r.steps },
            ),
          });
        if (opts.onCheckpoint) {
          await saving; // at most one checkpoint write in flight
          saving = opts.onCheckpoint({
            step: i + 1,
            shape,
            latent,
            ...(solver ? { solver: await solver.state() } : {}),
          });
        }
      }
      await opts.waitWhilePaused?.();
      checkCancel();
    }
    await saving;
    opts.transfers?.at('decode');
    if (opts.syncTimings) await readFloats(x);
    const t2 = now();
    opts.onProgress?.({ stage: 'decode' });
    await enter('decode');
    const frames = await decodeFrames(pack, ort, x, shape, scope, opts.inspect);
    const latent = (await readFloats(x)).slice();
    return {
      frames,
      latent,
      sigmas,
      backend: pack.backend,
      timings: { textMs: t1 - t0, denoiseMs: t2 - t1, decodeMs: now() - t2 },
    };
  } finally {
    scope.disposeAll();
    for (const c of cleanups) c();
  }
}
