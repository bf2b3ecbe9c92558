/**
 * TaskRequest: the plain-JSON description of one generation, and its validation against a
 * pack's limits. The UI validates before queueing and the engine validates again.
 */
import { ENHANCE_MODES, type EnhanceMode } from './enhancer/provider';
import { EngineError, errorCode } from './errors';
import { checkPhases, parseMultipliers } from './lora/multipliers';
import { type PackHeader, parseResolution, type Solver, SOLVERS } from './pack/header';

export interface TaskRequest {
  packId: string;
  prompt: string;
  negativePrompt: string;
  seed: number;
  steps: number;
  frames: number;
  /** "WIDTHxHEIGHT", one of the pack's resolutions. */
  resolution: string;
  solver: Solver;
  shift: number;
  guidance: number;
  /**
   * WanGP guidance_phases 2: steps whose noise level 1000·σ is below `switchThreshold` use
   * `guidance2` instead of `guidance` (both set, or neither).
   */
  guidance2?: number;
  switchThreshold?: number;
  /** i2v start image: a PNG data URL at exactly the request's resolution (the app converts the user's image). */
  startImage?: string;
  /** LoRAs to apply, in the order the multipliers list them (WanGP `activated_loras`). */
  loras?: LoraRef[];
  /** WanGP `loras_multipliers`: see lora/multipliers.ts. */
  lorasMultipliers?: string;
  /** Prompt enhancement for this task (absent: off); see docs/enhancer.md. */
  enhance?: EnhanceMode;
}

/** A LoRA in the user's library: its id in storage, file name and sha256 of the file. */
export interface LoraRef {
  id: string;
  name: string;
  sha256: string;
}

export type RequestField = keyof TaskRequest;
export type FieldErrorMap = Partial<Record<RequestField, string>>;

export const MAX_SEED = 2 ** 32 - 1;
export const MAX_PROMPT_CHARS = 2000;

/** A request filled with the pack's defaults. */
export function defaultRequest(m: PackHeader, prompt = ''): TaskRequest {
  const d = m.defaults;
  return {
    packId: m.id,
    prompt,
    negativePrompt: d.negativePrompt,
    seed: 42,
    steps: d.steps,
    frames: d.frames,
    resolution: d.resolution,
    solver: d.solver,
    shift: d.shift,
    guidance: d.guidance,
  };
}

/** "81", "41 or 81", "9, 41 or 81". */
function oneOfList(xs: number[]): string {
  return xs.length === 1 ? String(xs[0]) : `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`;
}

function integerIn(v: number, lo: number, hi: number): boolean {
  return Number.isInteger(v) && v >= lo && v <= hi;
}

/** Returns a message per invalid field (empty object when the request is valid). */
export function validateRequest(r: TaskRequest, m: PackHeader): FieldErrorMap {
  const errors: FieldErrorMap = {};
  const tc = m.latent.temporalCompression;
  if (r.packId !== m.id) errors.packId = `This request is for pack "${r.packId}", but "${m.id}" is loaded.`;
  if (!r.prompt.trim()) errors.prompt = 'Enter a prompt: describe what the video should show.';
  else if (r.prompt.length > MAX_PROMPT_CHARS)
    errors.prompt = `The prompt is too long (${r.prompt.length} characters; at most ${MAX_PROMPT_CHARS}).`;
  if (r.negativePrompt.length > MAX_PROMPT_CHARS)
    errors.negativePrompt = `The negative prompt is too long (at most ${MAX_PROMPT_CHARS} characters).`;
  if (!integerIn(r.seed, 0, MAX_SEED)) errors.seed = `Seed must be a whole number from 0 to ${MAX_SEED}.`;
  const lim = m.limits;
  const because = (k: keyof NonNullable<typeof lim.reasons>) =>
    lim.reasons?.[k] ? ` (${lim.reasons[k]})` : '';
  const minSteps = lim.minSteps ?? 1;
  if (!integerIn(r.steps, minSteps, lim.maxSteps))
    errors.steps = `Steps must be a whole number from ${minSteps} to ${lim.maxSteps}${lim.minSteps !== undefined ? ` for this model${because('steps')}` : ''}.`;
  if (lim.frames && !lim.frames.includes(r.frames))
    errors.frames = `Frames must be ${oneOfList(lim.frames)} for this model${because('frames')}.`;
  else if (!integerIn(r.frames, 1, lim.maxFrames))
    errors.frames = `Frames must be a whole number from 1 to ${lim.maxFrames} for this model.`;
  else if ((r.frames - 1) % tc !== 0)
    errors.frames = `Frames must be ${tc}·n + 1 for this model (e.g. ${tc + 1}, ${2 * tc + 1}).`;
  if (!lim.resolutions.includes(r.resolution))
    errors.resolution = `Resolution must be one of: ${lim.resolutions.join(', ')}${because('resolution')}.`;
  if (!(SOLVERS as readonly string[]).includes(r.solver))
    errors.solver = `Solver must be one of: ${SOLVERS.join(', ')}.`;
  if (lim.shift !== undefined && r.shift !== lim.shift)
    errors.shift = `Shift is fixed at ${lim.shift} for this model${because('shift')}.`;
  else if (!(Number.isFinite(r.shift) && r.shift > 0 && r.shift <= 100))
    errors.shift = 'Shift must be a number above 0 and at most 100.';
  if (!(Number.isFinite(r.guidance) && r.guidance >= 0 && r.guidance <= 50))
    errors.guidance = 'Guidance must be a number from 0 to 50.';
  if ((r.guidance2 === undefined) !== (r.switchThreshold === undefined))
    errors.guidance2 = 'Two guidance phases need both a phase-2 guidance and a switch threshold.';
  else if (
    r.guidance2 !== undefined &&
    !(Number.isFinite(r.guidance2) && r.guidance2 >= 0 && r.guidance2 <= 50)
  )
    errors.guidance2 = 'Phase-2 guidance must be a number from 0 to 50.';
  if (
    r.switchThreshold !== undefined &&
    !(Number.isFinite(r.switchThreshold) && r.switchThreshold >= 0 && r.switchThreshold <= 1000)
  )
    errors.switchThreshold = 'Switch threshold must be a number from 0 to 1000 (noise level 1000·σ).';
  if (r.enhance !== undefined && !(ENHANCE_MODES as readonly string[]).includes(r.enhance))
    errors.enhance = `Enhance prompt must be one of: ${ENHANCE_MODES.join(', ')}.`;
  else if ((r.enhance === 'image' || r.enhance === 'text-image') && !r.startImage)
    errors.enhance =
      'Image enhancement captions the start image: choose a start image, or set Enhance prompt to Text or Off.';
  const loraError = lorasError(r);
  if (loraError) errors.loras = loraError;
  if (m.scheduler.spacing === 'eps-trailing' && r.solver !== 'euler' && !errors.solver)
    errors.solver = 'This model predicts noise (ε): only the euler solver applies.';
  if (m.pipeline === 'i2v-flow-dit' && !r.startImage)
    errors.startImage = 'Choose a start image: this image-to-video model starts from it.';
  else if (m.pipeline !== 'i2v-flow-dit' && r.startImage)
    errors.startImage = 'This model does not take a start image; remove it or pick an image-to-video model.';
  else if (r.startImage && !r.startImage.startsWith('data:image/png;base64,'))
    errors.startImage = 'The start image must be a PNG data URL.';
  return errors;
}

function lorasError(r: TaskRequest): string | undefined {
  if (!r.loras?.length)
    return r.lorasMultipliers?.trim() ? 'LoRA multipliers are set but no LoRA is selected.' : undefined;
  const ids = new Set(r.loras.map((l) => l.id));
  if (ids.size !== r.loras.length) return 'A LoRA is selected twice.';
  try {
    checkPhases(
      parseMultipliers(r.lorasMultipliers ?? '', r.loras.length),
      r.guidance2 !== undefined ? 2 : 1,
    );
  } catch (err) {
    if (errorCode(err) === 'invalid-request') return (err as Error).message;
    throw err;
  }
  return undefined;
}

/** Throws EngineError('invalid-request') with the field messages when the request is invalid. */
export function assertValidRequest(r: TaskRequest, m: PackHeader): void {
  const errors = validateRequest(r, m);
  const entries = Object.entries(errors);
  if (entries.length)
    throw new EngineError(
      'invalid-request',
      `Invalid request: ${entries.map(([k, v]) => `${k}: ${v}`).join(' ')}`,
      errors as Record<string, string>,
    );
}

/** Latent tensor shape [1, C, T, h, w] for a (valid) request. */
export function latentShape(r: TaskRequest, m: PackHeader): [number, number, number, number, number] {
  const res = parseResolution(r.resolution);
  if (!res)
    throw new EngineError('invalid-request', `Resolution "${r.resolution}" is not WIDTHxHEIGHT.`, {
      resolution: 'expected WIDTHxHEIGHT',
    });
  const s = m.latent.spatialCompression;
  const t = (r.frames - 1) / m.latent.temporalCompression + 1;
  return [1, m.latent.channels, t, Math.round(res.height / s), Math.round(res.width / s)];
}
