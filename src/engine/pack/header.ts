/**
 * The pipeline-independent part of pack.json ("webgp.pack/1"): identity, pipeline, latent
 * layout, noise schedule, defaults, limits and the optional live-preview projection. Every
 * pack has it, including real packs this version describes but cannot run yet (the CLI's
 * dry-run and the Models page read only this part). Documented in docs/pack-format.md.
 */
import { EngineError } from '../errors';
import { ORT_BUILDS, type OrtBuild } from '../ort-build';
import {
  type ScheduleSpec,
  SIGMA_SPACINGS,
  type SigmaSpacing,
  type TimestepMap,
} from '../schedule/schedules';
import { SOLVER_NAMES } from '../schedule/solvers';
import { FieldErrors, type Json } from './validate-helpers';

export const PACK_SCHEMA = 'webgp.pack/1';
export const PIPELINES = [
  't2v-flow-dit',
  'i2v-flow-dit',
  't2i-flow-dit',
  't2i-eps-unet',
  'segment-points',
  'matting-memory',
  'prompt-llm',
  'image-captioner',
] as const;
/** The prompt enhancer's packs (docs/enhancer.md): run by the enhancer worker, never offered as a generation model. */
export const ENHANCER_PIPELINES = ['prompt-llm', 'image-captioner'] as const;
/** Pipelines this version of the engine can run. */
export const RUNNABLE_PIPELINES = [
  't2v-flow-dit',
  'i2v-flow-dit',
  't2i-flow-dit',
  't2i-eps-unet',
  'segment-points',
  'matting-memory',
] as const;
/** Pipelines that work on a user's video rather than generate one (their pack.json: see media-manifest.ts). */
export const MEDIA_PIPELINES = ['segment-points', 'matting-memory'] as const;
/** Generation blocks a media pack may leave out; neutral values fill them. */
const MEDIA_HEADER_DEFAULTS = {
  latent: { channels: 1, temporalCompression: 1, spatialCompression: 1 },
  defaults: { solver: 'euler', steps: 1, shift: 1, guidance: 1, frames: 1, resolution: '1x1', fps: 24 },
  limits: { maxFrames: 100_000, maxSteps: 1, resolutions: ['1x1'] },
};
export const SOLVERS = SOLVER_NAMES;
export const TIMESTEP_SOURCES = [
  'sigma',
  'one-minus-sigma',
  'train-index',
] as const satisfies readonly TimestepMap['from'][];

export type Pipeline = (typeof PIPELINES)[number];
export type Solver = (typeof SOLVERS)[number];

export interface PackHeader {
  schema: typeof PACK_SCHEMA;
  id: string;
  version: string;
  name: string;
  description: string;
  license: string;
  /** True for generated demo/test packs: the UI labels them as not a real model. */
  demo: boolean;
  pipeline: Pipeline;
  latent: { channels: number; temporalCompression: number; spatialCompression: number };
  /** Transformer timestep = sigma × timestepScale (Wan: 1000); the default schedule's timestep map. */
  timestepScale: number;
  /** How sigmas and model timesteps are made (the pack's public driver's schedule). */
  scheduler: ScheduleSpec;
  defaults: {
    solver: Solver;
    steps: number;
    shift: number;
    guidance: number;
    frames: number;
    resolution: string;
    negativePrompt: string;
    fps: number;
  };
  limits: PackLimits;
  /** Optional live-preview projection: rgb = rgbBias + Σ_c latent[c]·rgbFactors[c], in [−1, 1]. */
  preview?: PreviewSpec;
  /** The onnxruntime-web build the pack needs (engine/ort-build.ts); absent: the app's default. */
  ortBuild?: OrtBuild;
}

/**
 * What a request may ask of the pack. `frames`, `minSteps` and `shift` are optional: an explicit
 * list of allowed frame counts (a graph with a fixed latent T), a lowest step count, and a shift
 * the pack's own step graph bakes in. `reasons` says why, per field, for the messages.
 */
export interface PackLimits {
  maxFrames: number;
  maxSteps: number;
  resolutions: string[];
  frames?: number[];
  minSteps?: number;
  shift?: number;
  reasons?: Partial<Record<'frames' | 'steps' | 'shift' | 'resolution', string>>;
}

/** Per-pixel linear latent → RGB map for cheap previews while denoising (ComfyUI's latent2rgb). */
export interface PreviewSpec {
  /** One [r, g, b] row per latent channel. */
  rgbFactors: number[][];
  /** Added to every pixel; [0, 0, 0] when the manifest leaves it out. */
  rgbBias: [number, number, number];
}

/** A list of exactly three finite numbers at `path`, or undefined (errors recorded). */
function rgbTriple(e: FieldErrors, v: unknown, path: string): [number, number, number] | undefined {
  const arr = e.array(v, path);
  if (!arr) return undefined;
  if (arr.length !== 3) {
    e.add(path, `expected [r, g, b], got ${arr.length} values`);
    return undefined;
  }
  const out = arr.map((x, i) => e.number(x, `${path}[${i}]`));
  return out.every((x) => x !== undefined) ? (out as [number, number, number]) : undefined;
}

/** The optional `preview` block; `channels` is latent.channels when that field is valid. */
function previewSpec(e: FieldErrors, v: unknown, channels: number | undefined): PreviewSpec | undefined {
  if (v === undefined) return undefined;
  const p = e.object(v, 'preview');
  if (!p) return undefined;
  const rows = e.array(p.rgbFactors, 'preview.rgbFactors');
  if (!rows) return undefined;
  if (channels !== undefined && rows.length !== channels) {
    e.add('preview.rgbFactors', `expected ${channels} rows (latent.channels), got ${rows.length}`);
  }
  const factors = rows.map((r, i) => rgbTriple(e, r, `preview.rgbFactors[${i}]`));
  const bias = p.rgbBias === undefined ? [0, 0, 0] : rgbTriple(e, p.rgbBias, 'preview.rgbBias');
  if (!bias || factors.some((f) => f === undefined)) return undefined;
  return { rgbFactors: factors as number[][], rgbBias: bias as [number, number, number] };
}

export const RESOLUTION_PATTERN = /^(\d+)x(\d+)$/;

/** Parses "WxH" into numbers, or undefined when malformed. */
export function parseResolution(value: string): { width: number; height: number } | undefined {
  const m = RESOLUTION_PATTERN.exec(value);
  return m ? { width: Number(m[1]), height: Number(m[2]) } : undefined;
}

/** The schedule a pack gets when pack.json has no `scheduler`: Wan-style flow linspace, timestep = σ·timestepScale. */
export function defaultScheduler(timestepScale: number): ScheduleSpec {
  return { spacing: 'flow-linspace', trainSteps: 1000, timestep: { from: 'sigma', scale: timestepScale } };
}

function scheduler(e: FieldErrors, v: unknown, timestepScale: number): ScheduleSpec {
  if (v === undefined) return defaultScheduler(timestepScale);
  const s = e.object(v, 'scheduler') ?? {};
  const t = e.object(s.timestep, 'scheduler.timestep') ?? {};
  const forceLast = e.number(t.forceLast, 'scheduler.timestep.forceLast', { optional: true });
  if (t.round !== undefined && typeof t.round !== 'boolean')
    e.add('scheduler.timestep.round', 'expected true or false');
  return {
    spacing: (e.string(s.spacing, 'scheduler.spacing', { oneOf: SIGMA_SPACINGS }) ??
      'flow-linspace') as SigmaSpacing,
    trainSteps:
      e.number(s.trainSteps, 'scheduler.trainSteps', { min: 1, max: 100_000, integer: true }) ?? 1000,
    timestep: {
      from: (e.string(t.from, 'scheduler.timestep.from', { oneOf: TIMESTEP_SOURCES }) ??
        'sigma') as TimestepMap['from'],
      scale: e.number(t.scale, 'scheduler.timestep.scale', { min: 0 }) ?? 1,
      ...(t.round === true ? { round: true } : {}),
      ...(forceLast !== undefined ? { forceLast } : {}),
    },
  };
}

const REASON_KEYS = ['frames', 'steps', 'shift', 'resolution'] as const;

/** `limits.frames`, `minSteps`, `shift` and `reasons`, when given. */
function optionalLimits(
  e: FieldErrors,
  lim: Json,
): Pick<PackLimits, 'frames' | 'minSteps' | 'shift' | 'reasons'> {
  const out: Pick<PackLimits, 'frames' | 'minSteps' | 'shift' | 'reasons'> = {};
  if (lim.frames !== undefined) {
    const list = (e.array(lim.frames, 'limits.frames') ?? []).map((f, i) =>
      e.number(f, `limits.frames[${i}]`, { min: 1, integer: true }),
    );
    if (!list.length) e.add('limits.frames', 'must list at least one frame count');
    if (list.every((f) => f !== undefined)) out.frames = list as number[];
  }
  const minSteps = e.number(lim.minSteps, 'limits.minSteps', { min: 1, integer: true, optional: true });
  if (minSteps !== undefined) out.minSteps = minSteps;
  const shift = e.number(lim.shift, 'limits.shift', { min: 0, optional: true });
  if (shift !== undefined) out.shift = shift;
  if (lim.reasons !== undefined) {
    const r = e.object(lim.reasons, 'limits.reasons') ?? {};
    const reasons: NonNullable<PackLimits['reasons']> = {};
    for (const [k, v] of Object.entries(r)) {
      if (!(REASON_KEYS as readonly string[]).includes(k))
        e.add(`limits.reasons.${k}`, `unknown limit. Should be one of: ${REASON_KEYS.join(', ')}`);
      else {
        const text = e.string(v, `limits.reasons.${k}`);
        if (text) reasons[k as (typeof REASON_KEYS)[number]] = text;
      }
    }
    out.reasons = reasons;
  }
  return out;
}

/** Defaults that the optional limits rule out, recorded in `e`. */
function checkDefaultsAgainstLimits(e: FieldErrors, h: PackHeader): void {
  const { limits: l, defaults: d } = h;
  if (l.frames && !l.frames.includes(d.frames))
    e.add('defaults.frames', `${d.frames} is not in limits.frames (${l.frames.join(', ')})`);
  if (l.frames?.some((f) => f > l.maxFrames))
    e.add('limits.frames', `every count must be at most limits.maxFrames (${l.maxFrames})`);
  if (l.minSteps !== undefined && l.minSteps > l.maxSteps)
    e.add('limits.minSteps', `must be at most limits.maxSteps (${l.maxSteps})`);
  if (l.minSteps !== undefined && d.steps < l.minSteps)
    e.add('defaults.steps', `must be at least limits.minSteps (${l.minSteps})`);
  if (l.shift !== undefined && d.shift !== l.shift)
    e.add('defaults.shift', `must equal limits.shift (${l.shift}): the shift is locked`);
}

/** Reads the header fields of pack.json content into `e` (errors recorded, not thrown). */
export function readHeader(e: FieldErrors, raw: Json): PackHeader {
  const m = (MEDIA_PIPELINES as readonly unknown[]).includes(raw.pipeline)
    ? { ...MEDIA_HEADER_DEFAULTS, ...raw }
    : raw;
  if (m.schema !== PACK_SCHEMA) e.add('schema', `expected "${PACK_SCHEMA}"`);
  const latent = e.object(m.latent, 'latent') ?? {};
  const d = e.object(m.defaults, 'defaults') ?? {};
  const lim = e.object(m.limits, 'limits') ?? {};
  const resolutions = (e.array(lim.resolutions, 'limits.resolutions') ?? []).map(
    (r, i) => e.string(r, `limits.resolutions[${i}]`) ?? '',
  );
  resolutions.forEach((r, i) => {
    if (r && !parseResolution(r))
      e.add(`limits.resolutions[${i}]`, 'expected "WIDTHxHEIGHT", e.g. "256x256"');
  });
  if (resolutions.length === 0) e.add('limits.resolutions', 'must list at least one resolution');
  const channels = e.number(latent.channels, 'latent.channels', { min: 1, integer: true });
  const preview = previewSpec(e, m.preview, channels);
  const timestepScale = e.number(m.timestepScale, 'timestepScale', { min: 0, optional: true }) ?? 1000;
  const ortBuild = e.string(m.ortBuild, 'ortBuild', { optional: true, oneOf: ORT_BUILDS }) as
    OrtBuild | undefined;
  const header: PackHeader = {
    schema: PACK_SCHEMA,
    id: e.string(m.id, 'id') ?? '',
    version: e.string(m.version, 'version') ?? '',
    name: e.string(m.name, 'name') ?? '',
    description: typeof m.description === 'string' ? m.description : '',
    license: e.string(m.license, 'license') ?? '',
    demo: m.demo === true,
    pipeline: (e.string(m.pipeline, 'pipeline', { oneOf: PIPELINES }) ?? 't2v-flow-dit') as Pipeline,
    latent: {
      channels: channels ?? 1,
      temporalCompression:
        e.number(latent.temporalCompression, 'latent.temporalCompression', { min: 1, integer: true }) ?? 1,
      spatialCompression:
        e.number(latent.spatialCompression, 'latent.spatialCompression', { min: 1, integer: true }) ?? 1,
    },
    timestepScale,
    scheduler: scheduler(e, m.scheduler, timestepScale),
    defaults: {
      solver: (e.string(d.solver, 'defaults.solver', { oneOf: SOLVERS }) ?? 'euler') as Solver,
      steps: e.number(d.steps, 'defaults.steps', { min: 1, integer: true }) ?? 1,
      shift: e.number(d.shift, 'defaults.shift', { min: 0 }) ?? 1,
      guidance: e.number(d.guidance, 'defaults.guidance', { min: 0 }) ?? 1,
      frames: e.number(d.frames, 'defaults.frames', { min: 1, integer: true }) ?? 1,
      resolution: e.string(d.resolution, 'defaults.resolution') ?? '',
      negativePrompt: typeof d.negativePrompt === 'string' ? d.negativePrompt : '',
      fps: e.number(d.fps, 'defaults.fps', { min: 1, max: 120 }) ?? 16,
    },
    limits: {
      maxFrames: e.number(lim.maxFrames, 'limits.maxFrames', { min: 1, integer: true }) ?? 1,
      maxSteps: e.number(lim.maxSteps, 'limits.maxSteps', { min: 1, integer: true }) ?? 1,
      resolutions,
      ...optionalLimits(e, lim),
    },
    ...(preview ? { preview } : {}),
    ...(ortBuild ? { ortBuild } : {}),
  };
  checkDefaultsAgainstLimits(e, header);
  if (header.defaults.resolution && resolutions.length && !resolutions.includes(header.defaults.resolution)) {
    e.add('defaults.resolution', `"${header.defaults.resolution}" is not in limits.resolutions`);
  }
  return header;
}

/** Throws EngineError('invalid-manifest') listing every recorded problem (field → message in `fields`). */
export function throwIfInvalid(e: FieldErrors, source: string): void {
  if (!e.list.length) return;
  throw new EngineError(
    'invalid-manifest',
    `Invalid ${source}: ${e.list.join('; ')}.`,
    Object.fromEntries(e.list.map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)])),
  );
}

/** Parses JSON text, turning a syntax error into the same named error. */
export function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new EngineError(
      'invalid-manifest',
      `Invalid ${source}: not valid JSON (${(err as Error).message}).`,
    );
  }
}

/** Validates the header of any pack.json (runnable or described only). */
export function parsePackHeader(raw: unknown, source = 'pack.json'): PackHeader {
  const e = new FieldErrors();
  const header = readHeader(e, e.object(raw, '(root)') ?? {});
  throwIfInvalid(e, source);
  return header;
}
