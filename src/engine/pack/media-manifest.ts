/**
 * pack.json of the two video pipelines (schema webgp.pack/1, documented in docs/pack-format.md):
 *  - `segment-points` (SAM, the ORT-example contract): an image `encoder` run once per frame and a
 *    point-prompt `decoder`, plus the encoder's input preprocessing;
 *  - `matting-memory` (the MatAnyone2 ONNX contract): `imageKey`, `maskMemory`,
 *    `firstFrameRefine` and `propagate` graphs at a fixed H×W, the memory cadence and the
 *    channel dims the engine needs to make the initial sensory state.
 * Identity fields come from the shared header; the generation blocks are not needed.
 */
import { type ComponentSpec, parseComponent, type RoleSet } from './components';
import { type PackHeader, parseJsonText, readHeader, throwIfInvalid } from './header';
import { FieldErrors, type Json } from './validate-helpers';

export interface SegmentSpec {
  /** Longest side of the encoder input (S); frames are resized to it and padded bottom/right. */
  inputSize: number;
  /** Value range pixels are scaled to before mean/std: [0, 255] (canonical SAM) or [0, 1]. */
  pixelRange: [number, number];
  /** Per-channel mean and std applied after scaling (absent: none). */
  mean?: [number, number, number];
  std?: [number, number, number];
  /** Side of the decoder's `mask_input` (256 for SAM: 4× the embedding). */
  maskInputSize: number;
  /** How `origImSize` is fed: `values` [h, w] (ORT example), or `shape`: a dummy tensor of shape [h, w] (the WebNN decoder's `orig_im_size_shape`). */
  origImSize: 'values' | 'shape';
}

export interface SegmentManifest extends PackHeader {
  pipeline: 'segment-points';
  segment: SegmentSpec;
  components: { encoder: ComponentSpec; decoder: ComponentSpec };
}

/** Channel counts of the MatAnyone2 tensors (real: f16 1024, f8 512, f4 256, f2 64, pixFeat 256, key 64, value 256, objTokens 16). */
export interface MattingDims {
  f16: number;
  f8: number;
  f4: number;
  f2: number;
  pixFeat: number;
  key: number;
  value: number;
  objTokens: number;
}

export interface MattingSpec {
  /** The graphs' fixed frame size (multiples of 16); frames are fitted into it and padded. */
  width: number;
  height: number;
  /** Add the current frame to the memory every `memEvery` frames (0: only frame 0 is memory). */
  memEvery: number;
  /** Memory frames held at most (frame 0 included); the propagate graph's T axis. */
  maxMemFrames: number;
  dims: MattingDims;
  /** Defaults the Matting page starts with. */
  defaults: { warmupFrames: number; erode: number; dilate: number };
}

export interface MattingManifest extends PackHeader {
  pipeline: 'matting-memory';
  matting: MattingSpec;
  components: {
    imageKey: ComponentSpec;
    maskMemory: ComponentSpec;
    firstFrameRefine: ComponentSpec;
    propagate: ComponentSpec;
  };
}

const FEATURES = ['f16', 'f8', 'f4', 'f2', 'f1'] as const;

export const SEGMENT_ROLES: Record<keyof SegmentManifest['components'], RoleSet> = {
  encoder: { inputs: ['image'], outputs: ['embeddings'] },
  decoder: {
    inputs: ['embeddings', 'pointCoords', 'pointLabels', 'maskInput', 'hasMaskInput', 'origImSize'],
    outputs: ['masks', 'iouPredictions', 'lowResMasks'],
  },
};

export const MATTING_ROLES: Record<keyof MattingManifest['components'], RoleSet> = {
  imageKey: { inputs: ['image'], outputs: [...FEATURES, 'pixFeat', 'key', 'shrinkage', 'selection'] },
  maskMemory: {
    inputs: ['image', 'mask', 'sensory', 'pixFeat'],
    outputs: ['mskValue', 'newSensory', 'objMemory'],
  },
  firstFrameRefine: {
    inputs: [...FEATURES, 'pixFeat', 'lastMskValue', 'objMemory', 'sensory', 'lastMask'],
    outputs: ['prob', 'newSensory', 'logits'],
  },
  propagate: {
    inputs: [
      ...FEATURES,
      'pixFeat',
      'key',
      'selection',
      'memoryKey',
      'memoryShrinkage',
      'mskValue',
      'objMemory',
      'sensory',
      'lastMask',
      'lastPixFeat',
      'lastPredMask',
      'lastMskValue',
    ],
    outputs: ['prob', 'newSensory', 'logits', 'uncertProb'],
  },
};

function components<K extends string>(
  e: FieldErrors,
  v: unknown,
  roles: Record<K, RoleSet>,
): Record<K, ComponentSpec> {
  const comps = e.object(v, 'components') ?? {};
  for (const key of Object.keys(comps))
    if (!(key in roles))
      e.add(`components.${key}`, `unknown component. Should be one of: ${Object.keys(roles).join(', ')}`);
  const out = {} as Record<K, ComponentSpec>;
  for (const name of Object.keys(roles) as K[])
    out[name] = parseComponent(e, comps[name], `components.${name}`, roles[name]);
  return out;
}

function triple(e: FieldErrors, v: unknown, path: string): [number, number, number] | undefined {
  if (v === undefined) return undefined;
  const arr = e.array(v, path) ?? [];
  if (arr.length !== 3) e.add(path, 'expected three numbers (r, g, b)');
  const nums = arr.map((x, i) => e.number(x, `${path}[${i}]`));
  return arr.length === 3 && nums.every((n) => n !== undefined)
    ? (nums as [number, number, number])
    : undefined;
}

function segmentSpec(e: FieldErrors, v: unknown): SegmentSpec {
  const s = e.object(v, 'segment') ?? {};
  const range = (e.array(s.pixelRange ?? [0, 255], 'segment.pixelRange') ?? []) as number[];
  if (range.length !== 2 || !(range[0] === 0 && (range[1] === 1 || range[1] === 255)))
    e.add('segment.pixelRange', 'expected [0, 255] or [0, 1]');
  const mean = triple(e, s.mean, 'segment.mean');
  const std = triple(e, s.std, 'segment.std');
  if ((mean === undefined) !== (std === undefined))
    e.add('segment.std', 'give both mean and std, or neither');
  if (std?.some((x) => x <= 0)) e.add('segment.std', 'must be above 0');
  return {
    inputSize: e.number(s.inputSize, 'segment.inputSize', { min: 16, max: 4096, integer: true }) ?? 1024,
    pixelRange: [0, range[1] === 1 ? 1 : 255],
    ...(mean && std ? { mean, std } : {}),
    maskInputSize:
      e.number(s.maskInputSize, 'segment.maskInputSize', { min: 1, max: 4096, integer: true }) ?? 256,
    origImSize:
      s.origImSize === undefined
        ? 'values'
        : ((e.string(s.origImSize, 'segment.origImSize', { oneOf: ['values', 'shape'] }) ?? 'values') as
            'values' | 'shape'),
  };
}

function mattingSpec(e: FieldErrors, v: unknown): MattingSpec {
  const s = e.object(v, 'matting') ?? {};
  const side = (k: 'width' | 'height') => {
    const n = e.number(s[k], `matting.${k}`, { min: 16, max: 4096, integer: true });
    if (n !== undefined && n % 16 !== 0) e.add(`matting.${k}`, 'must be a multiple of 16');
    return n ?? 16;
  };
  const d = e.object(s.dims, 'matting.dims') ?? {};
  const dims = Object.fromEntries(
    (['f16', 'f8', 'f4', 'f2', 'pixFeat', 'key', 'value', 'objTokens'] as const).map((k) => [
      k,
      e.number(d[k], `matting.dims.${k}`, { min: 1, integer: true }) ?? 1,
    ]),
  ) as unknown as MattingDims;
  const def = (s.defaults ?? {}) as Json;
  const num = (x: unknown, path: string, fallback: number) =>
    e.number(x ?? fallback, path, { min: 0, max: 30, integer: true }) ?? fallback;
  return {
    width: side('width'),
    height: side('height'),
    memEvery: e.number(s.memEvery, 'matting.memEvery', { min: 0, integer: true }) ?? 0,
    maxMemFrames: e.number(s.maxMemFrames, 'matting.maxMemFrames', { min: 1, max: 64, integer: true }) ?? 1,
    dims,
    defaults: {
      warmupFrames: num(def.warmupFrames, 'matting.defaults.warmupFrames', 10),
      erode: num(def.erode, 'matting.defaults.erode', 10),
      dilate: num(def.dilate, 'matting.defaults.dilate', 10),
    },
  };
}

/** Validates pack.json content of a segment-points or matting-memory pack; throws EngineError('invalid-manifest'). */
export function parseMediaManifest(raw: unknown, source = 'pack.json'): SegmentManifest | MattingManifest {
  const e = new FieldErrors();
  const m = e.object(raw, '(root)') ?? ({} as Json);
  const header = readHeader(e, m);
  let manifest: SegmentManifest | MattingManifest;
  if (header.pipeline === 'segment-points') {
    manifest = {
      ...header,
      pipeline: 'segment-points',
      segment: segmentSpec(e, m.segment),
      components: components(e, m.components, SEGMENT_ROLES),
    };
  } else {
    if (header.pipeline !== 'matting-memory')
      e.add(
        'pipeline',
        `expected "segment-points" or "matting-memory" for a video pack, got "${header.pipeline}"`,
      );
    manifest = {
      ...header,
      pipeline: 'matting-memory',
      matting: mattingSpec(e, m.matting),
      components: components(e, m.components, MATTING_ROLES),
    };
  }
  throwIfInvalid(e, source);
  return manifest;
}

/** Parses pack.json text of a video pack. */
export function parseMediaManifestText(
  text: string,
  source = 'pack.json',
): SegmentManifest | MattingManifest {
  return parseMediaManifest(parseJsonText(text, source), source);
}
