/**
 * Writes the two demo video packs (deterministic, no network): `demo-sam` (segment-points, the
 * ORT-example SAM contract) and `demo-matanyone` (matting-memory, the MatAnyone2 contract), both
 * analytic so tests can assert their masks and mattes (see sam-graphs.ts, matanyone-graphs.ts).
 */
import { join } from 'node:path';
import type { ComponentSpec } from '../../src/engine/pack/components';
import type { MattingManifest, SegmentManifest } from '../../src/engine/pack/media-manifest';
import { type FileInfo, PackFolder } from '../demo-pack/pack-folder';
import { DEMO_MATTING, firstFrameRefineGraph, imageKeyGraph, maskMemoryGraph, propagateGraph } from './matanyone-graphs';
import { DEMO_SAM, samDecoder, samEncoder } from './sam-graphs';

/** Canonical SAM pixel mean and std (0–255 scale). */
const SAM_MEAN: [number, number, number] = [123.675, 116.28, 103.53];
const SAM_STD: [number, number, number] = [58.395, 57.12, 57.375];

const header = (id: string, name: string, description: string) => ({ schema: 'webgp.pack/1' as const, id, version: '1.0.0', name, description, license: 'MIT', demo: true });

/** Tensor names for roles given in camelCase: the MatAnyone2/SAM snake_case names. */
const snake = (role: string) => role.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const names = (roles: string[], rename: Record<string, string> = {}) => Object.fromEntries(roles.map((r) => [r, rename[r] ?? snake(r)]));

function component(info: FileInfo, file: string, inputs: Record<string, string>, outputs: Record<string, string>): ComponentSpec {
  return { file, ...info, externalData: [], dtype: 'float32', inputs, outputs };
}

function writeSam(dir: string): void {
  const folder = new PackFolder(dir, true);
  const enc = folder.write('sam_encoder.onnx', samEncoder());
  const dec = folder.write('sam_decoder.onnx', samDecoder());
  const manifest: Omit<SegmentManifest, 'latent' | 'timestepScale' | 'scheduler' | 'defaults' | 'limits'> = {
    ...header('demo-sam', 'WebGP demo SAM (analytic, not a real model)', 'A tiny generated point-prompt segmenter with the SAM ONNX contract: the mask is the pixels coloured like the positive clicks and unlike the negative ones.'),
    pipeline: 'segment-points',
    segment: { inputSize: DEMO_SAM.inputSize, pixelRange: [0, 255], mean: SAM_MEAN, std: SAM_STD, maskInputSize: DEMO_SAM.embedSize, origImSize: 'values' },
    components: {
      encoder: component(enc, 'sam_encoder.onnx', { image: 'input_image' }, { embeddings: 'image_embeddings' }),
      decoder: component(
        dec,
        'sam_decoder.onnx',
        names(['embeddings', 'pointCoords', 'pointLabels', 'maskInput', 'hasMaskInput', 'origImSize'], { embeddings: 'image_embeddings' }),
        names(['masks', 'iouPredictions', 'lowResMasks']),
      ),
    },
  };
  folder.writeManifest(manifest);
}

const FEATURES = ['f16', 'f8', 'f4', 'f2', 'f1'];

function writeMatAnyone(dir: string): void {
  const folder = new PackFolder(dir, true);
  const file = (stem: string, bytes: Uint8Array) => ({ name: `matanyone2_${stem}.onnx`, info: folder.write(`matanyone2_${stem}.onnx`, bytes) });
  const key = file('image_key', imageKeyGraph());
  const mem = file('mask_memory', maskMemoryGraph());
  const refine = file('first_frame_refine', firstFrameRefineGraph());
  const prop = file('propagate', propagateGraph());
  const c = (f: { name: string; info: FileInfo }, ins: string[], outs: string[]) => component(f.info, f.name, names(ins), names(outs));
  const manifest: Omit<MattingManifest, 'latent' | 'timestepScale' | 'scheduler' | 'defaults' | 'limits'> = {
    ...header('demo-matanyone', 'WebGP demo MatAnyone (analytic, not a real model)', 'A tiny generated matting model with the MatAnyone2 ONNX contract: the memory holds the masked region’s colour, and pixels coloured like it are matted in every later frame.'),
    pipeline: 'matting-memory',
    matting: { width: DEMO_MATTING.width, height: DEMO_MATTING.height, memEvery: 5, maxMemFrames: 3, dims: { ...DEMO_MATTING.dims }, defaults: { warmupFrames: 4, erode: 0, dilate: 0 } },
    components: {
      imageKey: c(key, ['image'], [...FEATURES, 'pixFeat', 'key', 'shrinkage', 'selection']),
      maskMemory: c(mem, ['image', 'mask', 'sensory', 'pixFeat'], ['mskValue', 'newSensory', 'objMemory']),
      firstFrameRefine: c(refine, [...FEATURES, 'pixFeat', 'lastMskValue', 'objMemory', 'sensory', 'lastMask'], ['prob', 'newSensory', 'logits']),
      propagate: c(
        prop,
        [...FEATURES, 'pixFeat', 'key', 'selection', 'memoryKey', 'memoryShrinkage', 'mskValue', 'objMemory', 'sensory', 'lastMask', 'lastPixFeat', 'lastPredMask', 'lastMskValue'],
        ['prob', 'newSensory', 'logits', 'uncertProb'],
      ),
    },
  };
  folder.writeManifest(manifest);
}

/** Writes demo-sam/ and demo-matanyone/ under `outDir`. */
export function makeMattingPacks(outDir: string): void {
  writeSam(join(outDir, 'demo-sam'));
  writeMatAnyone(join(outDir, 'demo-matanyone'));
}
