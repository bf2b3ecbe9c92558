/**
 * The tiny ε-UNet body test-sdturbo and test-sdxlturbo share: a transformer mid-block (self-
 * attention, cross-attention on the text context, feed-forward) over the latent's pixels, whose
 * output is the input plus a small tanh detail, so ε stays close to the scaled input and
 * x0 = x − σ·ε stays O(1) at σ ≈ 14.6. Writes `out_sample` with the input's dims.
 */
import type { GraphBuilder } from '../../src/engine/onnx/graph-builder';
import { attention, feedForward, layerNorm, linear } from './layers';
import type { Params } from './params';

export interface EpsUnetBody {
  /** Latent channels and the mid-block width. */
  channels: number;
  dim: number;
  heads: number;
  /** Gain of the tanh detail added to the input. */
  detail: number;
  /** The `sample` input's dims, also those of `out_sample`. */
  dims: (string | number)[];
}

/**
 * From `h` (the embedded tokens of latent `x`, [B, h·w, dim]) to `out_sample`; `context` gives the
 * cross-attention context once self-attention is built (an SDXL pack projects its wider context there).
 */
export function epsUnetBody(g: GraphBuilder, p: Params, x: string, h: string, context: () => string, o: EpsUnetBody): void {
  const n = layerNorm(g, h, o.dim);
  let y = g.op('Add', [h, attention(g, p, 'mid_block.attentions.0.attn1', n, n, o.dim, { heads: o.heads })]);
  const ctx = context();
  y = g.op('Add', [y, attention(g, p, 'mid_block.attentions.0.attn2', layerNorm(g, y, o.dim), ctx, o.dim, { heads: o.heads })]);
  y = g.op('Add', [y, feedForward(g, p, 'mid_block.attentions.0.ff', layerNorm(g, y, o.dim), o.dim)]);
  const detail = g.op('Mul', [g.op('Tanh', [linear(g, p, layerNorm(g, y, o.dim), 'conv_out', o.dim, o.channels)]), g.constF([o.detail], [])]);
  const gridShape = g.op('Gather', [g.op('Shape', [x]), g.constI([0, 2, 3, 1])], { axis: 0 });
  const detailGrid = g.op('Transpose', [g.op('Reshape', [detail, gridShape])], { perm: [0, 3, 1, 2] });
  g.op('Add', [x, detailGrid], {}, 'out_sample');
  g.output('out_sample', 'float32', o.dims);
}
