/**
 * The demo SAM pack's graphs, with the ORT-example SAM contract (REAL_PACKS §4) at tiny dims:
 * the encoder's "embedding" is the normalised image average-pooled 2×2 (3 channels at S/2, not
 * 256 at S/16); the decoder marks cells whose colour is within DEMO_SAM.tolerance (squared
 * distance in normalised units) of a positive click's colour and nearer to it than to every
 * negative click's, then upsamples, crops the padding and resizes to `orig_im_size` as SAM does.
 * `origImSize: 'shape'` gives the WebNN decoder's variant: the size arrives as the shape [H, W] of
 * a dummy `orig_im_size_shape` input (free dims `height`, `width`).
 */
import { GraphBuilder } from '../../src/engine/onnx/graph-builder';

export const DEMO_SAM = { inputSize: 256, embedSize: 128, channels: 3, tolerance: 9 } as const;
const BIG = 1e4;

/** input_image f32 [1,3,S,S] → image_embeddings [1,3,S/2,S/2]. */
export function samEncoder(): Uint8Array {
  const g = new GraphBuilder('sam_encoder');
  const S = DEMO_SAM.inputSize;
  const image = g.input('input_image', 'float32', [1, 3, S, S]);
  g.op('AveragePool', [image], { kernel_shape: [2, 2], strides: [2, 2] }, 'image_embeddings');
  g.output('image_embeddings', 'float32', [1, DEMO_SAM.channels, DEMO_SAM.embedSize, DEMO_SAM.embedSize]);
  return g.toModel({ doc: 'WebGP demo SAM encoder (analytic: pooled normalised colours)' });
}

/** Cell index of each point: floor(y·E/S)·E + floor(x·E/S), clamped to the grid; [N] int64. */
function pointCells(g: GraphBuilder, coords: string): string {
  const E = DEMO_SAM.embedSize;
  const cell = g.op('Clip', [
    g.op('Floor', [g.op('Mul', [coords, g.constF([E / DEMO_SAM.inputSize], [])])]),
    g.constF([0], []),
    g.constF([E - 1], []),
  ]);
  const xy = g.op('Reshape', [cell, g.constI([-1, 2])]);
  const x = g.op('Gather', [xy, g.constI([0], [])], { axis: 1 });
  const y = g.op('Gather', [xy, g.constI([1], [])], { axis: 1 });
  return g.op('Cast', [g.op('Add', [g.op('Mul', [y, g.constF([E], [])]), x])], { to: 7 });
}

/** Min over the points whose label equals `label` of the per-cell distances [cells, N] → [cells]. */
function minOver(g: GraphBuilder, d: string, labels: string, label: number): string {
  const other = g.op('Sub', [
    g.constF([1], []),
    g.op('Cast', [g.op('Equal', [labels, g.constF([label], [])])], { to: 1 }),
  ]);
  return g.op('ReduceMin', [g.op('Add', [d, g.op('Mul', [other, g.constF([BIG], [])])])], {
    axes: [1],
    keepdims: 0,
  });
}

/** The point-prompt decoder: ORT-example SAM inputs and outputs (or the WebNN size-by-shape input). */
export function samDecoder(origImSize: 'values' | 'shape' = 'values'): Uint8Array {
  const g = new GraphBuilder('sam_decoder');
  const { embedSize: E, channels: C, inputSize: S } = DEMO_SAM;
  const emb = g.input('image_embeddings', 'float32', [1, C, E, E]);
  const coords = g.input('point_coords', 'float32', [1, 'num_points', 2]);
  const labels = g.op('Reshape', [g.input('point_labels', 'float32', [1, 'num_points']), g.constI([-1])]);
  const maskInput = g.input('mask_input', 'float32', [1, 1, E, E]);
  const hasMask = g.input('has_mask_input', 'float32', [1]);
  const orig =
    origImSize === 'shape'
      ? g.op('Cast', [g.op('Shape', [g.input('orig_im_size_shape', 'float32', ['height', 'width'])])], {
          to: 1,
        })
      : g.input('orig_im_size', 'float32', [2]);
  const cells = g.op('Transpose', [g.op('Reshape', [emb, g.constI([C, E * E])])], { perm: [1, 0] });
  const picked = g.op('Gather', [cells, pointCells(g, coords)], { axis: 0 });
  const diff = g.op('Sub', [
    g.op('Unsqueeze', [cells, g.constI([1])]),
    g.op('Unsqueeze', [picked, g.constI([0])]),
  ]);
  const d = g.op('ReduceSum', [g.op('Mul', [diff, diff]), g.constI([2])], { keepdims: 0 });
  const dPos = minOver(g, d, labels, 1);
  const dNeg = minOver(g, d, labels, 0);
  const score = g.op('Min', [
    g.op('Sub', [g.constF([DEMO_SAM.tolerance], []), dPos]),
    g.op('Sub', [dNeg, dPos]),
  ]);
  // A prior mask is accepted but, in this analytic model, has no effect.
  const unused = g.op('Mul', [
    g.op('ReduceSum', [g.op('Mul', [maskInput, hasMask])], { keepdims: 0 }),
    g.constF([0], []),
  ]);
  const low = g.op('Add', [g.op('Reshape', [score, g.constI([1, 1, E, E])]), unused], {}, 'low_res_masks');
  g.op(
    'Reshape',
    [g.op('ReduceMax', [g.op('Sigmoid', [low])], { keepdims: 0 }), g.constI([1, 1])],
    {},
    'iou_predictions',
  );
  const up = g.op('Resize', [low, '', g.constF([1, 1, S / E, S / E])], { mode: 'linear' });
  // Crop the padding: the frame's resized size is round(side · S / longest side).
  const scale = g.op('Div', [g.constF([S], []), g.op('ReduceMax', [orig], { keepdims: 0 })]);
  const valid = g.op(
    'Cast',
    [g.op('Floor', [g.op('Add', [g.op('Mul', [orig, scale]), g.constF([0.5], [])])])],
    { to: 7 },
  );
  const cropped = g.op('Slice', [up, g.constI([0, 0]), valid, g.constI([2, 3])]);
  const sizes = g.op('Concat', [g.constI([1, 1]), g.op('Cast', [orig], { to: 7 })], { axis: 0 });
  g.op('Resize', [cropped, '', '', sizes], { mode: 'linear' }, 'masks');
  g.output(
    'masks',
    'float32',
    origImSize === 'shape' ? [1, 1, 'height', 'width'] : [1, 1, 'orig_h', 'orig_w'],
  );
  g.output('iou_predictions', 'float32', [1, 1]);
  g.output('low_res_masks', 'float32', [1, 1, E, E]);
  return g.toModel({ doc: 'WebGP demo SAM decoder (analytic: colour similarity to the clicks)' });
}
