/**
 * The video test packs (written to test-packs/ by `npm run models`, not served by the app): each
 * mirrors a real video pack's contract exactly (file names and folders, tensor names, float32
 * boundaries, roles, ifDeclared, ranks, which dims are fixed) at a tiny size, with the demo packs'
 * analytic graphs so results can be asserted:
 *  - `test-sam` ↔ sam-vit-b (hf:webnn/segment-anything-model-webnn): WebNN file names under onnx/,
 *    `orig_im_size_shape` fed by its shape [H, W] (free dims height, width, num_points);
 *  - `test-matanyone2` ↔ matanyone2 (matanyone2_onnx_1024_bs1/): every shape fixed, T = 1, and
 *    first_frame_refine / propagate without the inputs the real export drops (f16; last_msk_value).
 */
import { join } from 'node:path';
import type { MattingManifest, SegmentManifest } from '../../src/engine/pack/media-manifest';
import { PackFolder } from '../demo-pack/pack-folder';
import { component, header, MATTING_GRAPH_ROLES, names, SAM_MEAN, SAM_STD } from './manifest-parts';
import {
  DEMO_MATTING,
  firstFrameRefineGraph,
  imageKeyGraph,
  maskMemoryGraph,
  type MattingGraphOptions,
  propagateGraph,
} from './matanyone-graphs';
import { DEMO_SAM, samDecoder, samEncoder } from './sam-graphs';

export const VIDEO_TEST_PACK_IDS = ['test-sam', 'test-matanyone2'] as const;

/** The real matanyone2 export's memory length (manifest.json memory_frames) and its dropped inputs, by component. */
export const MATANYONE2_T = 1;
export const MATANYONE2_DROPPED = { firstFrameRefine: ['f16'], propagate: ['f16', 'lastMskValue'] } as const;

type VideoManifest<M> = Omit<M, 'latent' | 'timestepScale' | 'scheduler' | 'defaults' | 'limits'>;

function writeTestSam(dir: string): void {
  const folder = new PackFolder(dir, true);
  const encFile = 'onnx/sam_vit_b_01ec64.encoder-fp16.onnx';
  const decFile = 'onnx/sam_vit_b_01ec64.decoder-orig-img-size-dynamic-fp16.onnx';
  const manifest: VideoManifest<SegmentManifest> = {
    ...header(
      'test-sam',
      'Test SAM (sam-vit-b contract, analytic)',
      'Tiny analytic segmenter with the contract of sam-vit-b (hf:webnn/segment-anything-model-webnn): same files, tensor names, float32 boundaries and orig_im_size_shape; 256 px input, 3×128×128 embeddings.',
    ),
    pipeline: 'segment-points',
    segment: {
      inputSize: DEMO_SAM.inputSize,
      pixelRange: [0, 255],
      mean: SAM_MEAN,
      std: SAM_STD,
      maskInputSize: DEMO_SAM.embedSize,
      origImSize: 'shape',
    },
    components: {
      encoder: component(
        folder.write(encFile, samEncoder()),
        encFile,
        { image: 'input_image' },
        { embeddings: 'image_embeddings' },
      ),
      decoder: component(
        folder.write(decFile, samDecoder('shape')),
        decFile,
        names(['embeddings', 'pointCoords', 'pointLabels', 'maskInput', 'hasMaskInput', 'origImSize'], {
          embeddings: 'image_embeddings',
          origImSize: 'orig_im_size_shape',
        }),
        names(['masks', 'iouPredictions', 'lowResMasks']),
      ),
    },
  };
  folder.writeManifest(manifest);
}

/** Writes a matanyone2-contract pack; `memFrames` other than the real T makes the bank-padding variant. */
export function writeTestMatAnyone2(
  dir: string,
  id = 'test-matanyone2',
  memFrames: number = MATANYONE2_T,
): void {
  const folder = new PackFolder(dir, true);
  const opts: MattingGraphOptions = { memFrames, dropUnused: true };
  const graphs = {
    imageKey: imageKeyGraph(),
    maskMemory: maskMemoryGraph(),
    firstFrameRefine: firstFrameRefineGraph(opts),
    propagate: propagateGraph(opts),
  };
  const c = (role: keyof typeof graphs) => {
    const { stem, inputs, outputs } = MATTING_GRAPH_ROLES[role];
    const file = `matanyone2_onnx_1024_bs1/matanyone2_${stem}.onnx`;
    const spec = component(folder.write(file, graphs[role]), file, names(inputs), names(outputs));
    const dropped = (MATANYONE2_DROPPED as Record<string, readonly string[]>)[role];
    return dropped ? { ...spec, ifDeclared: [...dropped] } : spec;
  };
  const manifest: VideoManifest<MattingManifest> = {
    ...header(
      id,
      `Test MatAnyone 2 (matanyone2 contract, analytic${memFrames === MATANYONE2_T ? '' : `, T = ${memFrames}`})`,
      'Tiny analytic matting model with the contract of matanyone2 (hf:zerochocobo/matanyone2_onnx, matanyone2_onnx_1024_bs1): same files, names, fixed shapes and memory length, and no f16 / last_msk_value inputs where the real export drops them; 128×128 frames.',
    ),
    pipeline: 'matting-memory',
    matting: {
      width: DEMO_MATTING.width,
      height: DEMO_MATTING.height,
      memEvery: memFrames === MATANYONE2_T ? 0 : 2,
      maxMemFrames: memFrames,
      dims: { ...DEMO_MATTING.dims },
      defaults: { warmupFrames: 10, erode: 10, dilate: 10 },
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

/** Writes test-sam/ and test-matanyone2/ under `outDir`. */
export function makeVideoTestPacks(outDir: string): void {
  writeTestSam(join(outDir, 'test-sam'));
  writeTestMatAnyone2(join(outDir, 'test-matanyone2'));
}
