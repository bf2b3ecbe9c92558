/**
 * The settings record embedded in outputs. Key names follow WanGP wherever the concept is the
 * same (prompt, negative_prompt, seed, num_inference_steps, video_length, resolution "WxH",
 * sample_solver, flow_shift, guidance_scale), plus WebGP's own `type` and pack identity.
 */
import type { Mp4Muxer } from './media/encoder-choice';
import type { PackManifest, Solver } from './pack/manifest';
import { WANGP_ENHANCER_CODES } from './enhancer/provider';
import type { TaskRequest } from './request';

export const APP_VERSION = '0.1.0';
export const SETTINGS_VERSION = 1;

export interface OutputSettings {
  type: string;
  settings_version: number;
  prompt: string;
  negative_prompt: string;
  seed: number;
  num_inference_steps: number;
  video_length: number;
  resolution: string;
  sample_solver: string;
  flow_shift: number;
  guidance_scale: number;
  /** WanGP guidance phases: 1, or 2 with guidance2_scale below switch_threshold (1000·σ). */
  guidance_phases: number;
  guidance2_scale?: number;
  switch_threshold?: number;
  /** WanGP's LoRA keys (file names and the multiplier string), plus the files' sha256 so a task finds the same file. */
  activated_loras?: string[];
  loras_multipliers?: string;
  loras_hashes?: string[];
  /** WanGP's prompt enhancer mode ("T", "I", "TI") and the prompt the model was given (`prompt` stays the user's). */
  prompt_enhancer?: string;
  enhanced_prompt?: string;
  /** WebGP's own: the sha256 of what the enhanced prompt was made from (engine/enhancer/enhancement-key.ts). */
  enhanced_prompt_key?: string;
  model_type: string;
  pack_version: string;
  fps: number;
  backend: string;
  /** The onnxruntime-web build that ran ("default" or "webgpu", engine/ort-build.ts); WebGP's own key. */
  ort_build?: string;
  /** Who wrote the MP4 container: "mediabunny" (after a WebCodecs encode) or "ffmpeg" (the fallback). */
  muxer?: Mp4Muxer;
  generation_time: number;
  creation_date: string;
}

/** WanGP's `sample_solver` value for each WebGP solver (WanGP calls DPM++ 2M "dpm++"). */
export const WANGP_SOLVER_NAMES: Record<Solver, string> = {
  euler: 'euler',
  unipc: 'unipc',
  'dpmpp-2m': 'dpm++',
};

/** The WebGP solver for a `sample_solver` value written by WanGP or WebGP, if it is one we run. */
export function solverFromSettings(value: string): Solver | undefined {
  const found = (Object.entries(WANGP_SOLVER_NAMES) as [Solver, string][]).find(
    ([ours, theirs]) => value === ours || value === theirs,
  );
  return found?.[0];
}

/** The request's settings under WanGP key names (also the `params` of queue files). */
export function requestParams(r: TaskRequest) {
  return {
    prompt: r.prompt,
    negative_prompt: r.negativePrompt,
    seed: r.seed,
    num_inference_steps: r.steps,
    video_length: r.frames,
    resolution: r.resolution,
    sample_solver: WANGP_SOLVER_NAMES[r.solver],
    flow_shift: r.shift,
    guidance_scale: r.guidance,
    guidance_phases: r.guidance2 !== undefined ? 2 : 1,
    ...(r.guidance2 !== undefined
      ? { guidance2_scale: r.guidance2, switch_threshold: r.switchThreshold }
      : {}),
    ...(r.loras?.length
      ? {
          activated_loras: r.loras.map((l) => l.name),
          loras_multipliers: r.lorasMultipliers ?? '',
          loras_hashes: r.loras.map((l) => l.sha256),
        }
      : {}),
    ...(r.enhance && r.enhance !== 'off' ? { prompt_enhancer: WANGP_ENHANCER_CODES[r.enhance] } : {}),
    model_type: r.packId,
  };
}

export function outputSettings(
  r: TaskRequest,
  m: PackManifest,
  run: {
    backend: string;
    ortBuild?: string;
    generationSeconds: number;
    createdAt: Date;
    enhancedPrompt?: string;
    /** The enhanced prompt's key (engine/enhancer/enhancement-key.ts), kept as `enhanced_prompt_key`. */
    enhancedFor?: string;
    muxer?: Mp4Muxer;
  },
): OutputSettings {
  return {
    type: `WebGP ${APP_VERSION} - ${m.id}`,
    settings_version: SETTINGS_VERSION,
    ...requestParams(r),
    ...(run.enhancedPrompt !== undefined ? { enhanced_prompt: run.enhancedPrompt } : {}),
    ...(run.enhancedPrompt !== undefined && run.enhancedFor !== undefined
      ? { enhanced_prompt_key: run.enhancedFor }
      : {}),
    model_type: m.id,
    pack_version: m.version,
    fps: m.defaults.fps,
    backend: run.backend,
    ...(run.ortBuild !== undefined ? { ort_build: run.ortBuild } : {}),
    ...(run.muxer ? { muxer: run.muxer } : {}),
    generation_time: Math.round(run.generationSeconds * 100) / 100,
    creation_date: run.createdAt.toISOString(),
  };
}
