/**
 * Graph building blocks of the generated test packs (tiny DiT/T5/CLIP-like layers): linear
 * projections, norms, multi-head attention with optional additive mask and rotary embedding,
 * sinusoidal timestep features. Weights come from Params, scaled so activations stay O(1).
 */
import type { GraphBuilder } from '../../src/engine/onnx/graph-builder';
import type { Params } from './params';
import { matMulNBits, quantize4 } from './quantize';

/** A module path as torch.onnx scopes nodes: attributes joined by `/`, list indices kept (`layers.0/attention/to_q`). */
const scope = (name: string) => name.replace(/\.(?!\d)/g, '/');

/** x·W + b over the last axis; W uniform with std gain/√inDim so unit-variance inputs stay O(gain). */
export function linear(g: GraphBuilder, p: Params, x: string, name: string, inDim: number, outDim: number, gain = 1): string {
  if (p.quantizeBlock !== undefined) {
    const values = p.values(`${name}.weight`, [inDim, outDim], gain * Math.sqrt(3 / inDim));
    const q = quantize4(values, inDim, outDim, p.quantizeBlock);
    const y = matMulNBits(g, x, { weight: `${name}.weight_Q4`, node: `${p.nodePrefix ?? ''}${scope(name)}/MatMul_Q4` }, q, inDim, outDim, p.quantizeBlock);
    return g.op('Add', [y, p.weight(`${name}.bias`, [outDim], 0.05)]);
  }
  const w = p.weight(`${name}.weight`, [inDim, outDim], gain * Math.sqrt(3 / inDim));
  const b = p.weight(`${name}.bias`, [outDim], 0.05);
  if (p.nodePrefix === undefined) return g.op('Add', [g.op('MatMul', [x, w]), b]);
  const y = g.fresh('matmul');
  g.node('MatMul', [x, w], [y], {}, { name: `${p.nodePrefix}${scope(name)}/MatMul` });
  return g.op('Add', [y, b]);
}

export function silu(g: GraphBuilder, x: string): string {
  return g.op('Mul', [x, g.op('Sigmoid', [x])]);
}

/** T5-style RMSNorm over the last axis with a learned scale near 1. */
export function rmsNorm(g: GraphBuilder, p: Params, x: string, name: string, dim: number): string {
  const ms = g.op('ReduceMean', [g.op('Mul', [x, x])], { axes: [-1], keepdims: 1 });
  const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [ms, g.constF([1e-6], [])])])]);
  return g.op('Mul', [g.op('Mul', [x, inv]), p.weight(`${name}.weight`, [dim], 0.2, 1)]);
}

/** LayerNorm over the last axis without affine parameters (Wan's norm1/norm3). */
export function layerNorm(g: GraphBuilder, x: string, dim: number): string {
  const ones = g.constF(new Float32Array(dim).fill(1));
  const zeros = g.constF(new Float32Array(dim));
  return g.op('LayerNormalization', [x, ones, zeros], { axis: -1, epsilon: { float: 1e-6 } });
}

/** adaLN: LayerNorm(x)·(1 + scale) + shift. */
export function modulate(g: GraphBuilder, x: string, shift: string, scale: string, dim: number): string {
  const scaled = g.op('Mul', [layerNorm(g, x, dim), g.op('Add', [scale, g.constF([1], [])])]);
  return g.op('Add', [scaled, shift]);
}

/** Rotary embedding (rotate-half convention) on [B, S, heads, d] with cos/sin broadcast as [B, S, 1, d]. */
export function rope(g: GraphBuilder, x: string, cos: string, sin: string, headDim: number): string {
  const half = headDim / 2;
  const x1 = g.op('Slice', [x, g.constI([0]), g.constI([half]), g.constI([-1])]);
  const x2 = g.op('Slice', [x, g.constI([half]), g.constI([headDim]), g.constI([-1])]);
  const rotated = g.op('Concat', [g.op('Neg', [x2]), x1], { axis: -1 });
  return g.op('Add', [g.op('Mul', [x, cos]), g.op('Mul', [rotated, sin])]);
}

export interface AttentionOptions {
  heads: number;
  /** Added to the scores, broadcast to [B, heads, Sq, Sk] (e.g. an additive [1, 1, 1, Sk] mask). */
  mask?: string;
  /** Rotary cos/sin [B, S, 1, headDim] applied to queries and keys (self-attention only). */
  rotary?: { cos: string; sin: string };
}

/** Multi-head attention of `query` [B, Sq, dim] over `context` [B, Sk, dim] with q/k/v/o projections. */
export function attention(g: GraphBuilder, p: Params, name: string, query: string, context: string, dim: number, o: AttentionOptions): string {
  const hd = dim / o.heads;
  const split = (x: string) => g.op('Reshape', [x, g.constI([0, 0, o.heads, hd])]);
  let q = split(linear(g, p, query, `${name}.to_q`, dim, dim));
  let k = split(linear(g, p, context, `${name}.to_k`, dim, dim));
  const v = split(linear(g, p, context, `${name}.to_v`, dim, dim));
  if (o.rotary) {
    q = rope(g, q, o.rotary.cos, o.rotary.sin, hd);
    k = rope(g, k, o.rotary.cos, o.rotary.sin, hd);
  }
  const qt = g.op('Transpose', [q], { perm: [0, 2, 1, 3] });
  const kt = g.op('Transpose', [k], { perm: [0, 2, 3, 1] });
  const vt = g.op('Transpose', [v], { perm: [0, 2, 1, 3] });
  let scores = g.op('Mul', [g.op('MatMul', [qt, kt]), g.constF([1 / Math.sqrt(hd)], [])]);
  if (o.mask) scores = g.op('Add', [scores, o.mask]);
  const out = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), vt]);
  const merged = g.op('Reshape', [g.op('Transpose', [out], { perm: [0, 2, 1, 3] }), g.constI([0, 0, dim])]);
  return linear(g, p, merged, `${name}.to_out`, dim, dim);
}

/** Two-layer MLP with SiLU, dim → 2·dim → dim. */
export function feedForward(g: GraphBuilder, p: Params, name: string, x: string, dim: number, gain = 1): string {
  return linear(g, p, silu(g, linear(g, p, x, `${name}.fc1`, dim, 2 * dim)), `${name}.fc2`, 2 * dim, dim, gain);
}

/**
 * Sinusoidal features [..., dim] = [cos(t·f_k), sin(t·f_k)] of a float tensor t in about [0, 1],
 * f_k = π(k + 1)/2. Angles stay below 4π: WebGPU's sin/cos lose precision on the ~1000-radian
 * angles of the usual 10000^(−k/half) table fed raw timesteps, and GPU runs should match wasm.
 */
export function sinusoid(g: GraphBuilder, t: string, dim: number): string {
  const half = dim / 2;
  const freqs = Array.from({ length: half }, (_, k) => (Math.PI * (k + 1)) / 2);
  const angles = g.op('Mul', [g.op('Unsqueeze', [t, g.constI([-1])]), g.constF(freqs)]);
  return g.op('Concat', [g.op('Cos', [angles]), g.op('Sin', [angles])], { axis: -1 });
}

/** Timestep embedding of t in about [0, 1]: sinusoid → linear → SiLU → linear, [..., dim]. */
export function timestepEmbedding(g: GraphBuilder, p: Params, name: string, t: string, dim: number, freqDim = 16): string {
  return linear(g, p, silu(g, linear(g, p, sinusoid(g, t, freqDim), `${name}.linear_1`, freqDim, dim)), `${name}.linear_2`, dim, dim);
}
