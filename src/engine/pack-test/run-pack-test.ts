/**
 * "Test this pack": runs one request (see test-request.ts) through the normal pipeline with an
 * inspector on every stage output, timing each stage (load, text encode, each denoise step,
 * decode) and checking its figures (stage-stats.ts). The first failed check stops the run; any
 * error (a graph that does not load, an ORT failure) is a failure of the stage it happened in.
 * A GPU-resident output is read back once for its figures: the request is the smallest the pack
 * allows, so that copy is a few KB to a few MB. Why not reduce on the GPU: WGSL lets compilers
 * assume no NaN or Inf at runtime (WGSL spec, floating-point evaluation; WGSL dropped isNan,
 * gpuweb/gpuweb#2311), so a NaN check in a shader may be optimised away — the one failure this
 * test must catch. The readback also waits for the stage's queued GPU work, so each stage's
 * time is real, not just the time to queue it.
 */
import { errorCode, isAbortError } from '../errors';
import type { LoadedPack } from '../pack/load-pack';
import { generate, type StageOutput } from '../pipeline/generate';
import type { ProgressCallback } from '../progress';
import type { TaskRequest } from '../request';
import { type Backend, type OrtModule, readFloats } from '../runtime';
import { maxPerStep, type TransferCounts, type TransferMeter } from '../transfers';
import { type StageFigures, stageFigures, stageProblem } from './stage-stats';

/** Generation stages, then the video packs' (run-video-pack-test.ts), then the enhancer packs' (run-enhancer-pack-test.ts). */
export type TestStage =
  | 'load'
  | StageOutput['stage']
  | 'image-encoder'
  | 'mask-decoder'
  | 'matting-open'
  | 'matting-frame'
  | 'enhance'
  | 'caption';

/** One timed stage: its output figures and, when a check failed, why. */
export interface StageReport {
  stage: TestStage;
  /** Denoise step (1-based) of a transformer stage; frame number of a matting-frame stage. */
  step?: number;
  ms: number;
  figures?: StageFigures;
  problem?: string;
  /** What an enhancer pack's stage wrote (its enhanced prompt or caption). */
  text?: string;
}

/** The outcome of "Test this pack", kept with the pack's install record (plain JSON). */
export interface PackTestReport {
  packId: string;
  pass: boolean;
  /** Why it failed: "<stage>: <check>: <figures>". */
  reason?: string;
  backend?: Backend;
  /** The request it ran (absent when the pack did not load). */
  request?: Pick<TaskRequest, 'resolution' | 'frames' | 'steps' | 'seed' | 'prompt' | 'guidance' | 'solver'>;
  stages: StageReport[];
  /**
   * Host↔device transfers of the run (WebGPU; zero on wasm): totals and the most any denoise step
   * moved. The test reads each stage's output back once for its figures, so a step's readbacks
   * here are that inspection (one per step), not the generation's own.
   */
  transfers?: { total: TransferCounts; perStep: TransferCounts };
  totalMs: number;
  testedAt: number;
}

export interface PackTestOptions {
  onProgress?: ProgressCallback;
  isCancelled?: () => boolean;
  now?: () => number;
  /** Counts the run's transfers (the engine's meter over `ort`); reset when the test starts. */
  transfers?: TransferMeter;
}

/** "transformer (step 2)", "vae-decoder", … */
export function stageLabel(s: { stage: TestStage; step?: number }): string {
  return s.step === undefined ? s.stage : `${s.stage} (step ${s.step})`;
}

class StageFailed extends Error {}

/**
 * Runs the test of pack `packId`: `open` loads it and gives the request to run (its failure is
 * the load stage's). Never rejects except with AbortError.
 */
export async function runPackTest(
  ort: OrtModule,
  packId: string,
  open: () => Promise<{ loaded: LoadedPack; request: TaskRequest }>,
  opts: PackTestOptions = {},
): Promise<PackTestReport> {
  const now = opts.now ?? (() => performance.now());
  const report: PackTestReport = { packId, pass: false, stages: [], totalMs: 0, testedAt: Date.now() };
  const start = now();
  let mark = start;
  /** The stage running now, for errors that are not a failed check. */
  let current: { stage: TestStage; step?: number } = { stage: 'load' };
  try {
    const { loaded, request } = await open();
    const { resolution, frames, steps, seed, prompt, guidance, solver } = request;
    report.request = { resolution, frames, steps, seed, prompt, guidance, solver };
    report.backend = loaded.backend;
    report.stages.push({ stage: 'load', ms: now() - mark });
    mark = now();
    current = { stage: 'text-encoder' };
    opts.transfers?.reset();
    await generate(loaded, ort, request, {
      ...(opts.transfers ? { transfers: opts.transfers } : {}),
      onProgress: opts.onProgress,
      isCancelled: opts.isCancelled,
      now,
      inspect: async (s) => {
        const values = s.output instanceof Float32Array ? s.output : await readFloats(s.output);
        const ms = now() - mark;
        const figures = stageFigures(values);
        const problem = stageProblem(figures, s.stage === 'vae-decoder' ? s.range : undefined);
        const step = s.stage === 'transformer' ? s.step : undefined;
        report.stages.push({
          stage: s.stage,
          ...(step !== undefined ? { step } : {}),
          ms,
          figures,
          ...(problem ? { problem } : {}),
        });
        if (problem) throw new StageFailed(`${stageLabel({ stage: s.stage, step })}: ${problem}`);
        current =
          s.stage === 'text-encoder'
            ? { stage: 'transformer', step: 1 }
            : s.stage === 'transformer' && s.step < steps
              ? { stage: 'transformer', step: s.step + 1 }
              : { stage: 'vae-decoder' };
        mark = now();
      },
    });
    report.pass = true;
    if (opts.transfers) {
      const r = opts.transfers.report();
      const total = {
        uploads: r.uploads,
        uploadBytes: r.uploadBytes,
        readbacks: r.readbacks,
        readbackBytes: r.readbackBytes,
        reuploads: r.reuploads,
      };
      report.transfers = { total, perStep: maxPerStep(r) };
    }
  } catch (err) {
    if (isAbortError(err)) throw err;
    const code = errorCode(err);
    report.reason =
      err instanceof StageFailed
        ? err.message
        : `${stageLabel(current)}: ${code ? `${code}: ` : ''}${(err as Error).message}`;
  }
  report.totalMs = now() - start;
  return report;
}
