/**
 * pack.json schema v1 ("webgp.pack/1"): what a model pack contains and how its graphs are fed.
 * `parseManifest` validates untrusted JSON and reports every wrong field by path.
 * Documented in docs/pack-format.md.
 */
import { EngineError } from '../errors';
import { FieldErrors, type Json } from './validate-helpers';

export const PACK_SCHEMA = 'webgp.pack/1';
export const PIPELINES = ['t2v-flow-dit'] as const;
export const SOLVERS = ['euler'] as const;
export const FRAME_LAYOUTS = ['NTCHW', 'NCTHW'] as const;

export type Pipeline = (typeof PIPELINES)[number];
export type Solver = (typeof SOLVERS)[number];
export type FrameLayout = (typeof FRAME_LAYOUTS)[number];

/** One ONNX graph: its file, optional integrity data, and the tensor names it is fed with. */
export interface ComponentSpec {
  file: string;
  bytes?: number;
  sha256?: string;
  /** Role → tensor name in the graph, e.g. { latents: "hidden_states" }. */
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  /** The dtype of the graph's float inputs/outputs; fp16 graphs need `shader-f16` on WebGPU. */
  dtype: 'float32' | 'float16';
}

export interface PackManifest {
  schema: typeof PACK_SCHEMA;
  id: string;
  version: string;
  name: string;
  description: string;
  license: string;
  /** True for generated demo/test packs: the UI labels them as not a real model. */
  demo: boolean;
  pipeline: Pipeline;
  tokenizer: { file: string; maxLength: number; padId: number };
  components: {
    textEncoder: ComponentSpec;
    transformer: ComponentSpec;
    vaeDecoder: ComponentSpec & { outputLayout: FrameLayout; outputRange: [number, number] };
  };
  latent: { channels: number; temporalCompression: number; spatialCompression: number };
  /** Transformer timestep = sigma × timestepScale (Wan: 1000). */
  timestepScale: number;
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
  limits: { maxFrames: number; maxSteps: number; resolutions: string[] };
  /** Optional live-preview projection: rgb = rgbBias + Σ_c latent[c]·rgbFactors[c], in [−1, 1]. */
  preview?: PreviewSpec;
}

/** Per-pixel linear latent → RGB map for cheap previews while denoising (ComfyUI's latent2rgb). */
export interface PreviewSpec {
  /** One [r, g, b] row per latent channel. */
  rgbFactors: number[][];
  /** Added to every pixel; [0, 0, 0] when the manifest leaves it out. */
  rgbBias: [number, number, number];
}

/** Roles each component must map to tensor names, per pipeline. */
const REQUIRED_IO = {
  textEncoder: { inputs: ['inputIds', 'attentionMask'], outputs: ['hiddenStates'] },
  transformer: { inputs: ['latents', 'timestep', 'context'], outputs: ['velocity'] },
  vaeDecoder: { inputs: ['latents'], outputs: ['frames'] },
} as const;

export const RESOLUTION_PATTERN = /^(\d+)x(\d+)$/;

/** Parses "WxH" into numbers, or undefined when malformed. */
export function parseResolution(value: string): { width: number; height: number } | undefined {
  const m = RESOLUTION_PATTERN.exec(value);
  return m ? { width: Number(m[1]), height: Number(m[2]) } : undefined;
}

function nameMap(e: FieldErrors, v: unknown, path: string, required: readonly string[]): Record<string, string> {
  const obj = e.object(v, path) ?? {};
  const out: Record<string, string> = {};
  for (const role of required) {
    const name = e.string(obj[role], `${path}.${role}`);
    if (name) out[role] = name;
  }
  return out;
}

function component(e: FieldErrors, v: unknown, path: string, io: { inputs: readonly string[]; outputs: readonly string[] }): ComponentSpec {
  const c = e.object(v, path) ?? {};
  const file = e.string(c.file, `${path}.file`) ?? '';
  if (file && (file.includes('..') || file.startsWith('/'))) e.add(`${path}.file`, 'must be a file name inside the pack');
  const sha256 = e.string(c.sha256, `${path}.sha256`, { optional: true });
  if (sha256 && !/^[0-9a-f]{64}$/.test(sha256)) e.add(`${path}.sha256`, 'expected 64 lowercase hex digits');
  return {
    file,
    bytes: e.number(c.bytes, `${path}.bytes`, { min: 1, integer: true, optional: true }),
    sha256,
    inputs: nameMap(e, c.inputs, `${path}.inputs`, io.inputs),
    outputs: nameMap(e, c.outputs, `${path}.outputs`, io.outputs),
    dtype: (e.string(c.dtype, `${path}.dtype`, { oneOf: ['float32', 'float16'] }) ?? 'float32') as ComponentSpec['dtype'],
  };
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

/** Validates parsed pack.json content; throws EngineError('invalid-manifest') listing every bad field. */
export function parseManifest(raw: unknown, source = 'pack.json'): PackManifest {
  const e = new FieldErrors();
  const m = e.object(raw, '(root)') ?? ({} as Json);
  if (m.schema !== PACK_SCHEMA) e.add('schema', `expected "${PACK_SCHEMA}"`);
  const comps = e.object(m.components, 'components') ?? {};
  const vae = e.object(comps.vaeDecoder, 'components.vaeDecoder') ?? {};
  const tok = e.object(m.tokenizer, 'tokenizer') ?? {};
  const latent = e.object(m.latent, 'latent') ?? {};
  const d = e.object(m.defaults, 'defaults') ?? {};
  const lim = e.object(m.limits, 'limits') ?? {};
  const range = e.array(vae.outputRange, 'components.vaeDecoder.outputRange');
  const [lo, hi] = range ?? [];
  if (range && (range.length !== 2 || typeof lo !== 'number' || typeof hi !== 'number' || lo >= hi)) {
    e.add('components.vaeDecoder.outputRange', 'expected [low, high] with low < high');
  }
  const resolutions = (e.array(lim.resolutions, 'limits.resolutions') ?? []).map((r, i) => e.string(r, `limits.resolutions[${i}]`) ?? '');
  resolutions.forEach((r, i) => {
    if (r && !parseResolution(r)) e.add(`limits.resolutions[${i}]`, 'expected "WIDTHxHEIGHT", e.g. "256x256"');
  });
  if (resolutions.length === 0) e.add('limits.resolutions', 'must list at least one resolution');

  const channels = e.number(latent.channels, 'latent.channels', { min: 1, integer: true });
  const preview = previewSpec(e, m.preview, channels);

  const manifest: PackManifest = {
    schema: PACK_SCHEMA,
    id: e.string(m.id, 'id') ?? '',
    version: e.string(m.version, 'version') ?? '',
    name: e.string(m.name, 'name') ?? '',
    description: typeof m.description === 'string' ? m.description : '',
    license: e.string(m.license, 'license') ?? '',
    demo: m.demo === true,
    pipeline: (e.string(m.pipeline, 'pipeline', { oneOf: PIPELINES }) ?? 't2v-flow-dit') as Pipeline,
    tokenizer: {
      file: e.string(tok.file, 'tokenizer.file') ?? '',
      maxLength: e.number(tok.maxLength, 'tokenizer.maxLength', { min: 1, max: 4096, integer: true }) ?? 1,
      padId: e.number(tok.padId, 'tokenizer.padId', { min: 0, integer: true }) ?? 0,
    },
    components: {
      textEncoder: component(e, comps.textEncoder, 'components.textEncoder', REQUIRED_IO.textEncoder),
      transformer: component(e, comps.transformer, 'components.transformer', REQUIRED_IO.transformer),
      vaeDecoder: {
        ...component(e, comps.vaeDecoder, 'components.vaeDecoder', REQUIRED_IO.vaeDecoder),
        outputLayout: (e.string(vae.outputLayout, 'components.vaeDecoder.outputLayout', { oneOf: FRAME_LAYOUTS }) ?? 'NTCHW') as FrameLayout,
        outputRange: (range as [number, number] | undefined) ?? [-1, 1],
      },
    },
    latent: {
      channels: channels ?? 1,
      temporalCompression: e.number(latent.temporalCompression, 'latent.temporalCompression', { min: 1, integer: true }) ?? 1,
      spatialCompression: e.number(latent.spatialCompression, 'latent.spatialCompression', { min: 1, integer: true }) ?? 1,
    },
    timestepScale: e.number(m.timestepScale, 'timestepScale', { min: 0 }) ?? 1000,
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
    },
    ...(preview ? { preview } : {}),
  };
  if (manifest.defaults.resolution && resolutions.length && !resolutions.includes(manifest.defaults.resolution)) {
    e.add('defaults.resolution', `"${manifest.defaults.resolution}" is not in limits.resolutions`);
  }
  if (e.list.length) {
    throw new EngineError('invalid-manifest', `Invalid ${source}: ${e.list.join('; ')}.`, Object.fromEntries(e.list.map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)])));
  }
  return manifest;
}

/** Parses pack.json text, turning a JSON syntax error into the same named error. */
export function parseManifestText(text: string, source = 'pack.json'): PackManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new EngineError('invalid-manifest', `Invalid ${source}: not valid JSON (${(err as Error).message}).`);
  }
  return parseManifest(raw, source);
}
