/**
 * pack.json schema v1 ("webgp.pack/1") of a runnable pack: the header (./header.ts) plus its
 * tokenizer and ONNX components with the tensor names they are fed with. `parseManifest`
 * validates untrusted JSON and reports every wrong field by path. Documented in docs/pack-format.md.
 */
import { type PackHeader, parseJsonText, readHeader, RUNNABLE_PIPELINES, throwIfInvalid } from './header';
import { FieldErrors, type Json } from './validate-helpers';

// Header types and helpers are re-exported so existing imports of ./manifest keep working.
export { PACK_SCHEMA, PIPELINES, SOLVERS, parseResolution, RESOLUTION_PATTERN, type PackHeader, type Pipeline, type PreviewSpec, type Solver } from './header';
export const FRAME_LAYOUTS = ['NTCHW', 'NCTHW'] as const;
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

export interface PackManifest extends PackHeader {
  tokenizer: { file: string; maxLength: number; padId: number };
  components: {
    textEncoder: ComponentSpec;
    transformer: ComponentSpec;
    vaeDecoder: ComponentSpec & { outputLayout: FrameLayout; outputRange: [number, number] };
  };
}

/** Roles each component must map to tensor names, per pipeline. */
const REQUIRED_IO = {
  textEncoder: { inputs: ['inputIds', 'attentionMask'], outputs: ['hiddenStates'] },
  transformer: { inputs: ['latents', 'timestep', 'context'], outputs: ['velocity'] },
  vaeDecoder: { inputs: ['latents'], outputs: ['frames'] },
} as const;

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

/** Validates parsed pack.json content of a runnable pack; throws EngineError('invalid-manifest') listing every bad field. */
export function parseManifest(raw: unknown, source = 'pack.json'): PackManifest {
  const e = new FieldErrors();
  const m = e.object(raw, '(root)') ?? ({} as Json);
  const header = readHeader(e, m);
  if (header.pipeline && !(RUNNABLE_PIPELINES as readonly string[]).includes(header.pipeline)) {
    e.add('pipeline', `"${header.pipeline}" is described but this version of WebGP cannot run it yet (it runs: ${RUNNABLE_PIPELINES.join(', ')})`);
  }
  const comps = e.object(m.components, 'components') ?? {};
  const vae = e.object(comps.vaeDecoder, 'components.vaeDecoder') ?? {};
  const tok = e.object(m.tokenizer, 'tokenizer') ?? {};
  const range = e.array(vae.outputRange, 'components.vaeDecoder.outputRange');
  const [lo, hi] = range ?? [];
  if (range && (range.length !== 2 || typeof lo !== 'number' || typeof hi !== 'number' || lo >= hi)) {
    e.add('components.vaeDecoder.outputRange', 'expected [low, high] with low < high');
  }
  const manifest: PackManifest = {
    ...header,
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
  };
  throwIfInvalid(e, source);
  return manifest;
}

/** Parses pack.json text, turning a JSON syntax error into the same named error. */
export function parseManifestText(text: string, source = 'pack.json'): PackManifest {
  return parseManifest(parseJsonText(text, source), source);
}
