/**
 * pack.json schema v1 ("webgp.pack/1") of a runnable pack: the header (./header.ts) plus its
 * tokenizer and ONNX components (./components.ts) with the tensor names and layouts they are fed
 * with, per pipeline. `parseManifest` validates untrusted JSON and reports every wrong field by
 * path. Documented in docs/pack-format.md.
 */
import {
  checkPackPath,
  type ComponentSpec,
  componentGraphs,
  fileIntegrity,
  parseComponent,
  type RoleSet,
} from './components';
import { type LoraSpec, parseLoraSpec } from './lora-spec';
import {
  MEDIA_PIPELINES,
  type PackHeader,
  parseJsonText,
  type Pipeline,
  readHeader,
  RUNNABLE_PIPELINES,
  throwIfInvalid,
} from './header';
import { parseTokenizerSpec, type TokenizerSpec } from './tokenizer-spec';
import { FieldErrors, type Json, oneOf } from './validate-helpers';

// Header types and helpers are re-exported so existing imports of ./manifest keep working.
export {
  PACK_SCHEMA,
  PIPELINES,
  SOLVERS,
  parseResolution,
  RESOLUTION_PATTERN,
  type PackHeader,
  type Pipeline,
  type PreviewSpec,
  type Solver,
} from './header';
export type { ComponentSpec } from './components';
export {
  TOKENIZER_FORMATS,
  tokenizerFiles,
  type TokenizerFileSpec,
  type TokenizerSpec,
} from './tokenizer-spec';

export const FRAME_LAYOUTS = ['NTCHW', 'NCTHW', 'NCHW'] as const;
export type FrameLayout = (typeof FRAME_LAYOUTS)[number];
export const LATENT_LAYOUTS = ['NCTHW', 'NCHW'] as const;
export const PREDICTIONS = ['flow', 'flow-negated', 'epsilon'] as const;
export const MASK_FORMATS = ['int64', 'additive', 'none'] as const;

/** A token-embedding table looked up in JS (too big for one GPU buffer): int8 rows × fp16 row scales, or float32. */
export interface EmbeddingTableSpec {
  file: string;
  bytes?: number;
  sha256?: string;
  url?: string;
  scales?: string;
  /** Integrity (and own URL) of the `scales` file. */
  scalesBytes?: number;
  scalesSha256?: string;
  scalesUrl?: string;
  format: 'int8-row-scaled' | 'float32';
  rows: number;
  dim: number;
}

export interface TextEncoderSpec extends ComponentSpec {
  /** Attention mask input: int64 0/1 [1, S], additive float [1, 1, 1, S] (0 / −65504), or none. */
  mask: (typeof MASK_FORMATS)[number];
  /** Zero the hidden states of padded positions (encoders whose consumers take no mask). */
  zeroFillPadding: boolean;
  embedding?: EmbeddingTableSpec;
}

export interface TransformerSpec extends ComponentSpec {
  /** What the graph predicts: flow velocity, its negation (Z-Image), or noise ε (SD UNets). */
  prediction: (typeof PREDICTIONS)[number];
  /** Latent input layout: [1, C, T, h, w] or, for image models, [1, C, h, w]. */
  latentLayout: (typeof LATENT_LAYOUTS)[number];
  timestepType: 'float32' | 'float16' | 'int64';
  /** `per-token`: timestep [1, seq] with seq = T·(h/ph)·(w/pw), first-frame tokens at 0 for image conditioning (Wan 2.2). */
  timestepShape: 'scalar' | 'per-token';
  patch: [number, number, number];
  /** Which LoRAs the transformer takes and where their modules' weights are (see lora-spec.ts). */
  lora?: LoraSpec;
}

export interface VaeDecoderSpec extends ComponentSpec {
  inputLayout: FrameLayout;
  outputLayout: FrameLayout;
  outputRange: [number, number];
  /** Decoder input = latent · scale + shift (per channel or one value); the encoder's inverse. */
  latentScale: number[];
  latentShift: number[];
}

export interface VaeEncoderSpec extends ComponentSpec {
  /** Image input layout ([1, 3, 1, H, W] or [1, 3, H, W]) and value range. */
  imageLayout: 'NCTHW' | 'NCHW';
  imageRange: [number, number];
}

export interface PackManifest extends PackHeader {
  tokenizer: TokenizerSpec;
  /** The second text encoder's tokenizer (SDXL: CLIP ViT-bigG); present exactly when components.textEncoder2 is. */
  tokenizer2?: TokenizerSpec;
  components: {
    textEncoder: TextEncoderSpec;
    /**
     * A second text encoder (SDXL): the transformer's context is both encoders' hidden states
     * joined on the last axis (first, then second); its `pooled` output feeds `textEmbeds`.
     */
    textEncoder2?: TextEncoderSpec;
    transformer: TransformerSpec;
    vaeDecoder: VaeDecoderSpec;
    /** i2v: start image → latent. */
    vaeEncoder?: VaeEncoderSpec;
    /** The pack's own Euler step graph (used with the euler solver instead of the engine's). */
    schedulerStep?: ComponentSpec;
    /** The pack's own latent → decoder-input graph (replaces latentScale/latentShift and layout). */
    vaePreProcess?: ComponentSpec;
  };
}

type ComponentName = keyof PackManifest['components'];

const TEXT_ROLES: RoleSet = {
  inputs: [],
  optionalInputs: ['inputIds', 'attentionMask', 'inputsEmbeds'],
  outputs: ['hiddenStates'],
  optionalOutputs: ['pooled'],
};

const ROLES: Record<ComponentName, RoleSet> = {
  textEncoder: TEXT_ROLES,
  textEncoder2: TEXT_ROLES,
  transformer: {
    inputs: ['latents', 'timestep', 'context'],
    optionalInputs: ['textEmbeds', 'timeIds'],
    outputs: ['prediction'],
  },
  vaeDecoder: { inputs: ['latents'], outputs: ['frames'] },
  vaeEncoder: { inputs: ['image'], outputs: ['latents'] },
  schedulerStep: { inputs: ['noisePred', 'latents', 'stepInfo'], outputs: ['latents'] },
  vaePreProcess: { inputs: ['latents'], outputs: ['latents'] },
};

/** Components each pipeline needs beyond textEncoder, transformer and vaeDecoder. */
const EXTRA_REQUIRED: Partial<Record<Pipeline, ComponentName[]>> = { 'i2v-flow-dit': ['vaeEncoder'] };

function range(e: FieldErrors, v: unknown, path: string, fallback: [number, number]): [number, number] {
  if (v === undefined) return fallback;
  const r = e.array(v, path);
  const [lo, hi] = r ?? [];
  if (r && (r.length !== 2 || typeof lo !== 'number' || typeof hi !== 'number' || lo >= hi)) {
    e.add(path, 'expected [low, high] with low < high');
    return fallback;
  }
  return (r as [number, number] | undefined) ?? fallback;
}

/** A number or a list of one or `channels` numbers, as a per-channel list (the count is not checked when latent.channels is itself invalid). */
function perChannel(
  e: FieldErrors,
  v: unknown,
  path: string,
  channels: number | undefined,
  fallback: number,
): number[] {
  if (v === undefined) return [fallback];
  if (typeof v === 'number') return [e.number(v, path) ?? fallback];
  const list = (e.array(v, path) ?? []).map((x, i) => e.number(x, `${path}[${i}]`) ?? fallback);
  if (channels !== undefined && list.length !== channels && list.length !== 1)
    e.add(path, `expected one number or ${channels} (latent.channels), got ${list.length}`);
  return list;
}

/** latent.channels when it is valid (a positive integer), else undefined. */
function validChannels(latent: unknown): number | undefined {
  const c = typeof latent === 'object' && latent !== null ? (latent as Json).channels : undefined;
  return typeof c === 'number' && Number.isInteger(c) && c >= 1 ? c : undefined;
}

function embedding(e: FieldErrors, v: unknown, path: string): EmbeddingTableSpec | undefined {
  if (v === undefined) return undefined;
  const o = e.object(v, path) ?? {};
  const format = oneOf(e, o.format, `${path}.format`, ['int8-row-scaled', 'float32'] as const, 'float32');
  const scales = checkPackPath(e, o.scales, `${path}.scales`, format === 'float32');
  const scalesIntegrity = fileIntegrity(e, o, path, 'scales');
  return {
    file: checkPackPath(e, o.file, `${path}.file`) ?? '',
    ...fileIntegrity(e, o, path),
    ...(scales ? { scales } : {}),
    ...(scalesIntegrity.bytes !== undefined ? { scalesBytes: scalesIntegrity.bytes } : {}),
    ...(scalesIntegrity.sha256 !== undefined ? { scalesSha256: scalesIntegrity.sha256 } : {}),
    ...(scalesIntegrity.url !== undefined ? { scalesUrl: scalesIntegrity.url } : {}),
    format,
    rows: e.number(o.rows, `${path}.rows`, { min: 1, integer: true }) ?? 1,
    dim: e.number(o.dim, `${path}.dim`, { min: 1, integer: true }) ?? 1,
  };
}

function textEncoder(e: FieldErrors, v: unknown, path = 'components.textEncoder'): TextEncoderSpec {
  const o = (typeof v === 'object' && v !== null ? v : {}) as Json;
  const base = parseComponent(e, v, path, TEXT_ROLES);
  const spec: TextEncoderSpec = {
    ...base,
    mask: oneOf(e, o.mask, `${path}.mask`, MASK_FORMATS, base.inputs.attentionMask ? 'int64' : 'none'),
    zeroFillPadding: o.zeroFillPadding === true,
  };
  const table = embedding(e, o.embedding, `${path}.embedding`);
  if (table) spec.embedding = table;
  if (table ? !base.inputs.inputsEmbeds : !base.inputs.inputIds) {
    e.add(
      `${path}.inputs`,
      table
        ? 'with an embedding table, map inputsEmbeds'
        : 'map inputIds (or give an embedding table and inputsEmbeds)',
    );
  }
  if (spec.mask !== 'none' && !base.inputs.attentionMask)
    e.add(`${path}.inputs.attentionMask`, `needed for mask "${spec.mask}"`);
  return spec;
}

function transformer(e: FieldErrors, v: unknown): TransformerSpec {
  const path = 'components.transformer';
  const o = (typeof v === 'object' && v !== null ? v : {}) as Json;
  const patch =
    o.patch === undefined
      ? [1, 1, 1]
      : (e.array(o.patch, `${path}.patch`) ?? []).map(
          (x, i) => e.number(x, `${path}.patch[${i}]`, { min: 1, integer: true }) ?? 1,
        );
  if (patch.length !== 3) e.add(`${path}.patch`, 'expected [t, h, w]');
  const lora = parseLoraSpec(e, o.lora, `${path}.lora`);
  const base = parseComponent(e, v, path, ROLES.transformer);
  if (lora) {
    const files = new Set(componentGraphs(base).map((g) => g.file));
    for (const [module, t] of Object.entries(lora.targets)) {
      if (t.file !== undefined && !files.has(t.file))
        e.add(
          `${path}.lora.targets.${module}.file`,
          `"${t.file}" is not a graph of this transformer (it has: ${[...files].join(', ')})`,
        );
    }
  }
  return {
    ...base,
    prediction: oneOf(e, o.prediction, `${path}.prediction`, PREDICTIONS, 'flow'),
    latentLayout: oneOf(e, o.latentLayout, `${path}.latentLayout`, LATENT_LAYOUTS, 'NCTHW'),
    timestepType: oneOf(
      e,
      o.timestepType,
      `${path}.timestepType`,
      ['float32', 'float16', 'int64'] as const,
      'float32',
    ),
    timestepShape: oneOf(
      e,
      o.timestepShape,
      `${path}.timestepShape`,
      ['scalar', 'per-token'] as const,
      'scalar',
    ),
    patch: patch as [number, number, number],
    ...(lora ? { lora } : {}),
  };
}

function vaeDecoder(e: FieldErrors, v: unknown, channels: number | undefined): VaeDecoderSpec {
  const path = 'components.vaeDecoder';
  const o = (typeof v === 'object' && v !== null ? v : {}) as Json;
  return {
    ...parseComponent(e, v, path, ROLES.vaeDecoder),
    inputLayout: oneOf(e, o.inputLayout, `${path}.inputLayout`, FRAME_LAYOUTS, 'NCTHW'),
    outputLayout: oneOf(e, o.outputLayout, `${path}.outputLayout`, FRAME_LAYOUTS, 'NTCHW'),
    outputRange: range(e, o.outputRange, `${path}.outputRange`, [-1, 1]),
    latentScale: perChannel(e, o.latentScale, `${path}.latentScale`, channels, 1),
    latentShift: perChannel(e, o.latentShift, `${path}.latentShift`, channels, 0),
  };
}

function vaeEncoder(e: FieldErrors, v: unknown): VaeEncoderSpec {
  const path = 'components.vaeEncoder';
  const o = (typeof v === 'object' && v !== null ? v : {}) as Json;
  return {
    ...parseComponent(e, v, path, ROLES.vaeEncoder),
    imageLayout: oneOf(e, o.imageLayout, `${path}.imageLayout`, ['NCTHW', 'NCHW'] as const, 'NCTHW'),
    imageRange: range(e, o.imageRange, `${path}.imageRange`, [-1, 1]),
  };
}

/** Validates parsed pack.json content of a runnable pack; throws EngineError('invalid-manifest') listing every bad field. */
export function parseManifest(raw: unknown, source = 'pack.json'): PackManifest {
  const e = new FieldErrors();
  const m = e.object(raw, '(root)') ?? ({} as Json);
  const header = readHeader(e, m);
  if (header.pipeline && !(RUNNABLE_PIPELINES as readonly string[]).includes(header.pipeline)) {
    e.add(
      'pipeline',
      `"${header.pipeline}" is described but this version of WebGP cannot run it yet (it runs: ${RUNNABLE_PIPELINES.join(', ')})`,
    );
  } else if ((MEDIA_PIPELINES as readonly string[]).includes(header.pipeline)) {
    e.add(
      'pipeline',
      `"${header.pipeline}" is a video-matting pipeline, not a generation one: use it from the Matting page`,
    );
  }
  const comps = e.object(m.components, 'components') ?? {};
  const known = new Set(Object.keys(ROLES));
  for (const key of Object.keys(comps))
    if (!known.has(key))
      e.add(`components.${key}`, `unknown component. Should be one of: ${[...known].join(', ')}`);
  const needed = EXTRA_REQUIRED[header.pipeline] ?? [];
  const optional = (name: 'vaeEncoder' | 'schedulerStep' | 'vaePreProcess') =>
    comps[name] === undefined && !needed.includes(name)
      ? {}
      : {
          [name]:
            name === 'vaeEncoder'
              ? vaeEncoder(e, comps[name])
              : parseComponent(e, comps[name], `components.${name}`, ROLES[name]),
        };
  const second = comps.textEncoder2 !== undefined;
  if (second !== (m.tokenizer2 !== undefined))
    e.add(
      second ? 'tokenizer2' : 'components.textEncoder2',
      second
        ? 'components.textEncoder2 needs its own tokenizer: add tokenizer2'
        : 'tokenizer2 is only read for components.textEncoder2: add that encoder or remove tokenizer2',
    );
  const manifest: PackManifest = {
    ...header,
    tokenizer: parseTokenizerSpec(e, m.tokenizer),
    ...(m.tokenizer2 !== undefined ? { tokenizer2: parseTokenizerSpec(e, m.tokenizer2, 'tokenizer2') } : {}),
    components: {
      textEncoder: textEncoder(e, comps.textEncoder),
      ...(second ? { textEncoder2: textEncoder(e, comps.textEncoder2, 'components.textEncoder2') } : {}),
      transformer: transformer(e, comps.transformer),
      vaeDecoder: vaeDecoder(e, comps.vaeDecoder, validChannels(m.latent)),
      ...optional('vaeEncoder'),
      ...optional('schedulerStep'),
      ...optional('vaePreProcess'),
    },
  };
  const { textEncoder2: enc2, transformer: unet } = manifest.components;
  const pooled = [manifest.components.textEncoder, enc2].filter(
    (c) => c?.outputs.pooled !== undefined,
  ).length;
  if (unet.inputs.textEmbeds !== undefined && pooled !== 1)
    e.add(
      'components.transformer.inputs.textEmbeds',
      `fed from the one text encoder that maps outputs.pooled; ${pooled === 0 ? 'none does' : 'both do'}`,
    );
  if (manifest.components.transformer.prediction === 'epsilon' && header.pipeline !== 't2i-eps-unet')
    e.add('components.transformer.prediction', '"epsilon" is for the t2i-eps-unet pipeline');
  throwIfInvalid(e, source);
  return manifest;
}

/** Parses pack.json text, turning a JSON syntax error into the same named error. */
export function parseManifestText(text: string, source = 'pack.json'): PackManifest {
  return parseManifest(parseJsonText(text, source), source);
}

/** The pack's components that exist, by name. */
export function presentComponents(m: PackManifest): [ComponentName, ComponentSpec][] {
  return Object.entries(m.components).filter(
    (entry): entry is [ComponentName, ComponentSpec] => entry[1] !== undefined,
  );
}
