/**
 * The demo MatAnyone pack's graphs, with the MatAnyone2 ONNX contract (REAL_PACKS §5: tensor
 * names, ranks and the hₖ = H/16 structure) at tiny channel counts (DEMO_MATTING.dims, carried in
 * pack.json). The matte is analytic: features are pooled colours, a memory value holds the
 * masked region's mean colour and the unmasked region's mean colour, and refine/propagate output
 * alpha = sigmoid(k·(|c − bg|² − |c − fg|²)) per pixel, with fg/bg averaged over the memory.
 * Options give the variants the test packs need: a fixed memory length T, and the inputs the
 * real export drops (unused `f16` in first_frame_refine and propagate, `last_msk_value` in
 * propagate) left out.
 */
import { GraphBuilder } from '../../src/engine/onnx/graph-builder';

export const DEMO_MATTING = {
  width: 128,
  height: 128,
  /** Sharpness of the alpha edge (per squared colour distance in 0–1 units). */
  sharpness: 3,
  dims: { f16: 3, f8: 3, f4: 3, f2: 3, pixFeat: 3, key: 3, value: 6, objTokens: 1 },
} as const;
const H = DEMO_MATTING.height;
const W = DEMO_MATTING.width;
const HK = H / 16;
const WK = W / 16;
const FEATURE_SCALES = { f16: 16, f8: 8, f4: 4, f2: 2 } as const;

/** Graph variants: `memFrames` is propagate's T (a fixed size, or the demo's symbolic `mem_frames`); `dropUnused` leaves out what the real export drops. */
export interface MattingGraphOptions {
  memFrames: number | 'mem_frames';
  dropUnused: boolean;
}
const DEMO_OPTIONS: MattingGraphOptions = { memFrames: 'mem_frames', dropUnused: false };

function featureInputs(g: GraphBuilder, dropUnused: boolean): string {
  for (const [name, s] of Object.entries(FEATURE_SCALES))
    if (!(dropUnused && name === 'f16')) g.input(name, 'float32', [1, 3, H / s, W / s]);
  g.input('pix_feat', 'float32', [1, 3, HK, WK]);
  return g.input('f1', 'float32', [1, 3, H, W]);
}

const pool = (g: GraphBuilder, x: string, s: number, out?: string) =>
  g.op('AveragePool', [x], { kernel_shape: [s, s], strides: [s, s] }, out);

/** image [1,3,H,W] → f16…f1 (pooled colours), pix_feat, key (pooled colours), shrinkage and selection (ones). */
export function imageKeyGraph(): Uint8Array {
  const g = new GraphBuilder('image_key');
  const image = g.input('image', 'float32', [1, 3, H, W]);
  g.op('Identity', [image], {}, 'f1');
  for (const [name, s] of Object.entries(FEATURE_SCALES)) {
    pool(g, image, s, name);
    g.output(name, 'float32', [1, 3, H / s, W / s]);
  }
  g.output('f1', 'float32', [1, 3, H, W]);
  const pooled = pool(g, image, 16);
  g.op('Identity', [pooled], {}, 'pix_feat');
  g.op('Identity', [pooled], {}, 'key');
  const ones = g.op('Add', [g.op('Mul', [pooled, g.constF([0], [])]), g.constF([1], [])]);
  g.op('Identity', [ones], {}, 'selection');
  g.op('ReduceMax', [ones], { axes: [1], keepdims: 1 }, 'shrinkage');
  for (const name of ['pix_feat', 'key', 'selection']) g.output(name, 'float32', [1, 3, HK, WK]);
  g.output('shrinkage', 'float32', [1, 1, HK, WK]);
  return g.toModel({ doc: 'WebGP demo MatAnyone image_key (pooled colours)' });
}

/** Mean colour [1,3] of `image` weighted by `weight` [1,1,H,W]; also returns the weight's sum [1,1]. */
function weightedMean(g: GraphBuilder, image: string, weight: string): { mean: string; total: string } {
  const total = g.op('ReduceSum', [weight, g.constI([2, 3])], { keepdims: 0 });
  const sum = g.op('ReduceSum', [g.op('Mul', [image, weight]), g.constI([2, 3])], { keepdims: 0 });
  return { mean: g.op('Div', [sum, g.op('Add', [total, g.constF([1e-6], [])])]), total };
}

/** image, mask, sensory, pix_feat → msk_value = [fg mean, bg mean] (mask > ½ / ≤ ½) over the hₖ×wₖ grid, new_sensory, obj_memory. */
export function maskMemoryGraph(): Uint8Array {
  const g = new GraphBuilder('mask_memory');
  const { value, objTokens } = DEMO_MATTING.dims;
  const image = g.input('image', 'float32', [1, 3, H, W]);
  const mask = g.input('mask', 'float32', [1, 1, H, W]);
  const sensory = g.input('sensory', 'float32', [1, 1, value, HK, WK]);
  g.input('pix_feat', 'float32', [1, 3, HK, WK]);
  // The region is the mask above ½, so faint alpha far from the object never dilutes its colour.
  const region = g.op('Cast', [g.op('Greater', [mask, g.constF([0.5], [])])], { to: 1 });
  const fg = weightedMean(g, image, region);
  const bg = weightedMean(g, image, g.op('Sub', [g.constF([1], []), region]));
  const colours = g.op('Concat', [fg.mean, bg.mean], { axis: 1 });
  const grid = g.op(
    'Add',
    [g.op('Reshape', [colours, g.constI([1, 1, value, 1, 1])]), g.op('Mul', [sensory, g.constF([0], [])])],
    {},
    'msk_value',
  );
  g.op('Identity', [grid], {}, 'new_sensory');
  const area = g.op('Div', [fg.total, g.constF([H * W], [])]);
  g.op(
    'Reshape',
    [g.op('Concat', [colours, area], { axis: 1 }), g.constI([1, 1, objTokens, value + 1])],
    {},
    'obj_memory',
  );
  g.output('msk_value', 'float32', [1, 1, value, HK, WK]);
  g.output('new_sensory', 'float32', [1, 1, value, HK, WK]);
  g.output('obj_memory', 'float32', [1, 1, objTokens, value + 1]);
  return g.toModel({ doc: 'WebGP demo MatAnyone mask_memory (region mean colours)' });
}

/** prob [1,2,H,W] = [1 − α, α] and logits [−z, z], z = k·(|f1 − bg|² − |f1 − fg|²), from memory colours [1,6,1,1]. */
function colourMatte(g: GraphBuilder, f1: string, colours: string): void {
  const fg = g.op('Slice', [colours, g.constI([0]), g.constI([3]), g.constI([1])]);
  const bg = g.op('Slice', [colours, g.constI([3]), g.constI([6]), g.constI([1])]);
  const dist = (c: string) => {
    const d = g.op('Sub', [f1, c]);
    return g.op('ReduceSum', [g.op('Mul', [d, d]), g.constI([1])], { keepdims: 1 });
  };
  const z = g.op('Mul', [g.op('Sub', [dist(bg), dist(fg)]), g.constF([DEMO_MATTING.sharpness], [])]);
  const alpha = g.op('Sigmoid', [z]);
  g.op('Concat', [g.op('Sub', [g.constF([1], []), alpha]), alpha], { axis: 1 }, 'prob');
  g.op('Concat', [g.op('Neg', [z]), z], { axis: 1 }, 'logits');
  g.output('prob', 'float32', [1, 2, H, W]);
  g.output('logits', 'float32', [1, 2, H, W]);
}

/** Mean memory colours [1,6,1,1] of a value tensor, averaging every axis after the channel axis (2). */
function memoryColours(g: GraphBuilder, value: string, axes: number[]): string {
  return g.op('Reshape', [
    g.op('ReduceMean', [value], { axes, keepdims: 0 }),
    g.constI([1, DEMO_MATTING.dims.value, 1, 1]),
  ]);
}

/** Frame 0: the mask's colours (last_msk_value) matte the frame. */
export function firstFrameRefineGraph(opts = DEMO_OPTIONS): Uint8Array {
  const g = new GraphBuilder('first_frame_refine');
  const { value, objTokens } = DEMO_MATTING.dims;
  const f1 = featureInputs(g, opts.dropUnused);
  const last = g.input('last_msk_value', 'float32', [1, 1, value, HK, WK]);
  g.input('obj_memory', 'float32', [1, 1, 1, objTokens, value + 1]);
  const sensory = g.input('sensory', 'float32', [1, 1, value, HK, WK]);
  g.input('last_mask', 'float32', [1, 1, H, W]);
  colourMatte(g, f1, memoryColours(g, last, [3, 4]));
  g.op('Identity', [sensory], {}, 'new_sensory');
  g.output('new_sensory', 'float32', [1, 1, value, HK, WK]);
  return g.toModel({ doc: 'WebGP demo MatAnyone first_frame_refine (colour matte)' });
}

/** Later frames: the memory's colours (averaged over its T frames) matte the frame. */
export function propagateGraph(opts = DEMO_OPTIONS): Uint8Array {
  const g = new GraphBuilder('propagate');
  const { value, objTokens, key } = DEMO_MATTING.dims;
  const T = opts.memFrames;
  const f1 = featureInputs(g, opts.dropUnused);
  g.input('key', 'float32', [1, key, HK, WK]);
  g.input('selection', 'float32', [1, key, HK, WK]);
  g.input('memory_key', 'float32', [1, key, T, HK, WK]);
  g.input('memory_shrinkage', 'float32', [1, 1, T, HK, WK]);
  const memory = g.input('msk_value', 'float32', [1, 1, value, T, HK, WK]);
  g.input('obj_memory', 'float32', [1, 1, T, objTokens, value + 1]);
  const sensory = g.input('sensory', 'float32', [1, 1, value, HK, WK]);
  g.input('last_mask', 'float32', [1, 1, H, W]);
  g.input('last_pix_feat', 'float32', [1, 3, HK, WK]);
  g.input('last_pred_mask', 'float32', [1, 1, H, W]);
  if (!opts.dropUnused) g.input('last_msk_value', 'float32', [1, 1, value, HK, WK]);
  colourMatte(g, f1, memoryColours(g, memory, [3, 4, 5]));
  g.op('Identity', [sensory], {}, 'new_sensory');
  const alpha = g.op('Slice', ['prob', g.constI([1]), g.constI([2]), g.constI([1])]);
  g.op(
    'Sub',
    [
      g.constF([1], []),
      g.op('Abs', [g.op('Sub', [g.op('Mul', [alpha, g.constF([2], [])]), g.constF([1], [])])]),
    ],
    {},
    'uncert_prob',
  );
  g.output('new_sensory', 'float32', [1, 1, value, HK, WK]);
  g.output('uncert_prob', 'float32', [1, 1, H, W]);
  return g.toModel({ doc: 'WebGP demo MatAnyone propagate (colour matte from the memory)' });
}
