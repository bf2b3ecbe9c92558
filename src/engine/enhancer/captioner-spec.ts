/**
 * The `captioner` section of an image-captioner pack's pack.json (pipeline `image-captioner`):
 * the four graphs of a Florence-2 transformers.js export (vision encoder, token embeddings,
 * text encoder, decoder), the image preprocessing, the task prompt and the decoder's start and
 * stop tokens, as data. See docs/enhancer.md ("Captioner pack").
 */
import { EngineError } from '../errors';

export interface GraphFile {
  file: string;
  bytes?: number;
  sha256?: string;
}

export interface CaptionerSpec {
  visionEncoder: GraphFile;
  embedTokens: GraphFile;
  encoder: GraphFile;
  decoder: GraphFile;
  /** The square side the image is resized to (Florence-2: 768). */
  imageSize: number;
  /** Per-channel normalisation of pixel/255 (Florence-2: ImageNet mean and std). */
  mean: [number, number, number];
  std: [number, number, number];
  /** What the task token expands to (`<DETAILED_CAPTION>` → "Describe in detail what is shown in the image."). */
  taskPrompt: string;
  /** The decoder's first token (BART: `</s>`). */
  decoderStart: string;
  /** Stop tokens. */
  eos: string[];
  /** Decoder KV cache shape, for the zero-length past fed when the decoder declares one. */
  decoderLayers: number;
  heads: number;
  headDim: number;
  maxNewTokens: number;
}

type Raw = Record<string, unknown>;

function fail(field: string, what: string): never {
  throw new EngineError(
    'invalid-manifest',
    `pack.json captioner.${field} ${what}. Fix the pack's pack.json (see docs/enhancer.md).`,
    { [`captioner.${field}`]: what },
  );
}

function positive(raw: Raw, field: string): number {
  const v = raw[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) fail(field, 'must be a positive integer');
  return v;
}

function text(raw: Raw, field: string): string {
  const v = raw[field];
  if (typeof v !== 'string' || v.length === 0) fail(field, 'must be a non-empty string');
  return v;
}

function triple(raw: Raw, field: string, min: number): [number, number, number] {
  const v = raw[field];
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && x > min))
    fail(field, `must be three numbers above ${min}`);
  return v as [number, number, number];
}

function graph(raw: Raw, field: string): GraphFile {
  const g = raw[field];
  if (typeof g !== 'object' || g === null) fail(field, 'must be an object with file (and bytes, sha256)');
  const r = g as Raw;
  if (typeof r.file !== 'string' || !r.file) fail(`${field}.file`, 'must be a non-empty string');
  return {
    file: r.file,
    ...(typeof r.bytes === 'number' ? { bytes: r.bytes } : {}),
    ...(typeof r.sha256 === 'string' ? { sha256: r.sha256 } : {}),
  };
}

/** Reads and checks pack.json's `captioner` section. */
export function parseCaptionerSpec(section: unknown): CaptionerSpec {
  if (typeof section !== 'object' || section === null)
    throw new EngineError(
      'invalid-manifest',
      'pack.json has no captioner section: this is not an image-captioner pack. Install a captioner pack (pipeline image-captioner).',
    );
  const raw = section as Raw;
  const eos = raw.eos;
  if (!Array.isArray(eos) || eos.length === 0 || !eos.every((t) => typeof t === 'string'))
    fail('eos', 'must be a non-empty list of token strings');
  return {
    visionEncoder: graph(raw, 'visionEncoder'),
    embedTokens: graph(raw, 'embedTokens'),
    encoder: graph(raw, 'encoder'),
    decoder: graph(raw, 'decoder'),
    imageSize: positive(raw, 'imageSize'),
    mean: triple(raw, 'mean', -Infinity),
    std: triple(raw, 'std', 0),
    taskPrompt: text(raw, 'taskPrompt'),
    decoderStart: text(raw, 'decoderStart'),
    eos: eos as string[],
    decoderLayers: positive(raw, 'decoderLayers'),
    heads: positive(raw, 'heads'),
    headDim: positive(raw, 'headDim'),
    maxNewTokens: positive(raw, 'maxNewTokens'),
  };
}

/** The graph files a captioner pack lists, in load order. */
export function captionerFiles(spec: CaptionerSpec): GraphFile[] {
  return [spec.visionEncoder, spec.embedTokens, spec.encoder, spec.decoder];
}
