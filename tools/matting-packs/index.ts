/**
 * Writes the two demo video packs (deterministic, no network): `demo-sam` (segment-points, the
 * ORT-example SAM contract) and `demo-matanyone` (matting-memory, the MatAnyone2 contract), both
 * analytic so tests can assert their masks and mattes (see sam-graphs.ts, matanyone-graphs.ts).
 * The test packs mirroring the real video packs are in test-packs.ts.
 */
import { join } from 'node:path';
import type { MattingManifest, SegmentManifest } from '../../src/engine/pack/media-manifest';
import { PackFolder } from '../demo-pack/pack-folder';
import {
  DEMO_MATTING,
  firstFrameRefineGraph,
  imageKeyGraph,
  maskMemoryGraph,
  propagateGraph,
} from './matanyone-graphs';
import { component, header, MATTING_GRAPH_ROLES, names, SAM_MEAN, SAM_STD } from './manifest-parts';
import { DEMO_SAM, samDecoder, samEncoder } from './sam-graphs';

type VideoManifest<M> = Omit<M, 'latent' | 'timestepScale' | 'scheduler' | 'defaults' | 'limits'>;

function writeSam(dir: string): void {
  const folder = new PackFolder(dir, true);
  const enc = folder.write('sam_encoder.onnx', samEncoder());
  const dec = folder.write('sam_decoder.onnx', samDecoder());
  const manifest: VideoManifest<SegmentManifest> = {
    ...header(
      'demo-sam',
      'WebGP demo SAM (analytic, not a real model)',
      'A tiny generated point-prompt segmenter with the SAM ONNX contract: the mask is the pixels coloured like the positive clicks and unlike the negative ones.',
    ),
    pipeline: 'segment-points',
    segment: {
      inputSize: DEMO_SAM.inputSize,
      pixelRange: [0, 255],
      mean: SAM_MEAN,
      std: SAM_STD,
      maskInputSize: DEMO_SAM.embedSize,
      origImSize: 'values',
    },
    components: {
      encoder: component(
        enc,
        'sam_encoder.onnx',
        { image: 'input_image' },
        { embeddings: 'image_embeddings' },
      ),
      decoder: component(
        dec,
        'sam_decoder.onnx',
        names(['embeddings', 'pointCoords', 'pointLabels', 'maskInput', 'hasMaskInput', 'origImSize'], {
          embeddings: 'image_embeddings',
        }),
        names(['masks', 'iouPredictions', 'lowResMasks']),
      ),
    },
  };
  folder.writeManifest(manifest);
}

function writeMatAnyone(dir: string): void {
  const folder = new PackFolder(dir, true);
  const graphs = {
    imageKey: imageKeyGraph(),
    maskMemory: maskMemoryGraph(),
    firstFrameRefine: firstFrameRefineGraph(),
    propagate: propagateGraph(),
  };
  const c = (role: keyof typeof graphs) => {
    const { stem, inputs, outputs } = MATTING_GRAPH_ROLES[role];
    const file = `matanyone2_${stem}.onnx`;
    return component(folder.write(file, graphs[role]), file, names(inputs), names(outputs));
  };
  const manifest: VideoManifest<MattingManifest> = {
    ...header(
      'demo-matanyone',
      'WebGP demo MatAnyone (analytic, not a real model)',
      'A tiny generated matting model with the MatAnyone2 ONNX contract: the memory holds the masked region’s colour, and pixels coloured like it are matted in every later frame.',
    ),
    pipeline: 'matting-memory',
    matting: {
      width: DEMO_MATTING.width,
      height: DEMO_MATTING.height,
      memEvery: 5,
      maxMemFrames: 3,
      dims: { ...DEMO_MATTING.dims },
      defaults: { warmupFrames: 4, erode: 0, dilate: 0 },
    },
    components: {
      imageKey: c('imageKey'),
      maskMemory: c('maskMemory'),
      firstFrameRefine: c('firstFrameRefine'),
      propagate: c('propagate'),
    },
  };
  folder.writeManifest(manifest);
}

/** Writes demo-sam/ and demo-matanyone/ under `outDir`. */
export function makeMattingPacks(outDir: string): void {
  writeSam(join(outDir, 'demo-sam'));
  writeMatAnyone(join(outDir, 'demo-matanyone'));
}
