/**
 * Block-streamed DiT of the FastWan test packs (REAL_PACKS §3a): `shell_pre` (patch embedding
 * [1, 2, 2], per-token timestep embedding and modulation, text projection, 3-D rotary
 * frequencies), Wan-style `block_NN` graphs with external data, and `shell_post`, which
 * un-patchifies with the int64 scalars ppf/pph/ppw, so a wrong value breaks the output.
 */
import { GraphBuilder } from '../../src/engine/onnx/graph-builder';
import { TEXT_DIM, TEXT_LEN } from './fastwan-text';
import { attention, feedForward, layerNorm, linear, modulate, silu, timestepEmbedding } from './layers';
import type { GraphFile } from './pack-json';
import { Params, type WeightAdjust } from './params';

export const FASTWAN_CHANNELS = 48;
export const PATCH: [number, number, number] = [1, 2, 2];
const C = FASTWAN_CHANNELS;
const HIDDEN = 32;
const HEADS = 4;
export const HEAD_DIM = HIDDEN / HEADS;
const PATCH_DIM = C * PATCH[1] * PATCH[2];
const LATENT_DIMS = ['batch', C, 'latent_frames', 'latent_height', 'latent_width'];
const TOKENS = [1, 'seq_len', HIDDEN];
const FREQS = [1, 'seq_len', 1, HEAD_DIM];
/** Rotary angle per position: rows f, y, x; one column per rotated pair of the head dimension. */
const ROPE_AXES = [
  [1, 0, 0, 0.2],
  [0, 1, 0, 0.3],
  [0, 0, 1, 0.5],
];

/** One int64 [1] dimension of `shape` divided by `divide`. */
function dim(g: GraphBuilder, shape: string, axis: number, divide = 1): string {
  const d = g.op('Slice', [shape, g.constI([axis]), g.constI([axis + 1])]);
  return divide === 1 ? d : g.op('Div', [d, g.constI([divide])]);
}

/** Position along one of the (frames, rows, cols) grid axes for every token, [seq, 1] float. */
function gridPositions(g: GraphBuilder, sizes: string[], axis: number): string {
  const count = g.op('Squeeze', [sizes[axis] as string, g.constI([0])]);
  const range = g.op('Cast', [g.op('Range', [g.constI([0], []), count, g.constI([1], [])])], { to: 1 });
  const along = g.op('Reshape', [range, g.constI([0, 1, 2].map((a) => (a === axis ? -1 : 1)))]);
  return g.op('Reshape', [g.op('Expand', [along, g.op('Concat', sizes, { axis: 0 })]), g.constI([-1, 1])]);
}

/**
 * hidden_states [1, 48, T, h, w], timestep int64 [1, seq], encoder_hidden_states [1, 16, 32] →
 * tokens [1, seq, 32], enc_proj [1, 16, 32], timestep_proj [1, seq, 6, 32], temb [1, seq, 32],
 * freqs_cos / freqs_sin [1, seq, 1, 8] (seq = T·h/2·w/2).
 */
export function shellPre(): Uint8Array {
  const g = new GraphBuilder('transformer_shell_pre');
  const p = new Params(g, 601);
  const x = g.input('hidden_states', 'float32', LATENT_DIMS);
  const t = g.input('timestep', 'int64', [1, 'ts_seq_len']);
  const ctx = g.input('encoder_hidden_states', 'float32', [1, TEXT_LEN, TEXT_DIM]);
  const shape = g.op('Shape', [x]);
  const sizes = [dim(g, shape, 2), dim(g, shape, 3, 2), dim(g, shape, 4, 2)];
  const [frames, rows, cols] = sizes as [string, string, string];
  const split = g.op('Concat', [g.constI([1, C]), frames, rows, g.constI([2]), cols, g.constI([2])], { axis: 0 });
  const patches = g.op('Transpose', [g.op('Reshape', [x, split])], { perm: [0, 2, 3, 5, 4, 6, 1] });
  const flat = g.op('Reshape', [patches, g.constI([1, -1, PATCH_DIM])]);
  g.op('Identity', [linear(g, p, flat, 'patch_embedding', PATCH_DIM, HIDDEN)], {}, 'tokens');
  const text = linear(g, p, silu(g, linear(g, p, ctx, 'condition_embedder.text_embedder.linear_1', TEXT_DIM, HIDDEN)), 'condition_embedder.text_embedder.linear_2', HIDDEN, HIDDEN);
  g.op('Identity', [text], {}, 'enc_proj');
  const temb = timestepEmbedding(g, p, 'condition_embedder.time_embedder', g.op('Div', [g.op('Cast', [t], { to: 1 }), g.constF([1000], [])]), HIDDEN);
  g.op('Identity', [temb], {}, 'temb');
  const proj = linear(g, p, silu(g, temb), 'condition_embedder.time_proj', HIDDEN, 6 * HIDDEN, 0.3);
  g.op('Reshape', [proj, g.constI([0, 0, 6, HIDDEN])], {}, 'timestep_proj');
  const positions = g.op('Concat', [0, 1, 2].map((a) => gridPositions(g, sizes, a)), { axis: 1 });
  const angles = g.op('MatMul', [positions, g.constF(ROPE_AXES.flat(), [3, HEAD_DIM / 2])]);
  const full = g.op('Concat', [angles, angles], { axis: -1 });
  g.op('Reshape', [g.op('Cos', [full]), g.constI([1, -1, 1, HEAD_DIM])], {}, 'freqs_cos');
  g.op('Reshape', [g.op('Sin', [full]), g.constI([1, -1, 1, HEAD_DIM])], {}, 'freqs_sin');
  g.output('tokens', 'float32', TOKENS);
  g.output('enc_proj', 'float32', [1, TEXT_LEN, HIDDEN]);
  g.output('timestep_proj', 'float32', [1, 'seq_len', 6, HIDDEN]);
  g.output('temb', 'float32', TOKENS);
  g.output('freqs_cos', 'float32', FREQS);
  g.output('freqs_sin', 'float32', FREQS);
  return g.toModel({ doc: 'WebGP test-fastwan transformer shell_pre (random weights)' });
}

/** Chunk k of a [1, seq, n, H] modulation tensor, as [1, seq, H]. */
function chunk(g: GraphBuilder, mod: string, k: number): string {
  return g.op('Squeeze', [g.op('Slice', [mod, g.constI([k]), g.constI([k + 1]), g.constI([2])]), g.constI([2])]);
}

/**
 * A Wan block: modulated rotary self-attention, cross-attention on enc_proj, modulated MLP; gated
 * residuals. `quantizeBlock`: linear layers as MatMulNBits (tests of LoRA on quantized blocks).
 */
export function block(index: number, location: string, adjust?: WeightAdjust, quantizeBlock?: number): GraphFile {
  const g = new GraphBuilder(`transformer_block_${index}`);
  const p = new Params(g, 610 + index, location, adjust);
  p.nodePrefix = '/block/'; // the real blocks' node names (BlockWrapper.block, see REAL_PACKS §3a / IS export)
  if (quantizeBlock !== undefined) p.quantizeBlock = quantizeBlock; // q4 linear layers, as the real q4f16 blocks
  const x = g.input('hidden_states', 'float32', TOKENS);
  const enc = g.input('encoder_hidden_states', 'float32', [1, TEXT_LEN, HIDDEN]);
  const tproj = g.input('timestep_proj', 'float32', [1, 'seq_len', 6, HIDDEN]);
  const cos = g.input('freqs_cos', 'float32', FREQS);
  const sin = g.input('freqs_sin', 'float32', FREQS);
  const mod = g.op('Add', [tproj, p.weight('scale_shift_table', [1, 1, 6, HIDDEN], 0.1)]);
  const [shift, scale, gate, cShift, cScale, cGate] = [0, 1, 2, 3, 4, 5].map((k) => chunk(g, mod, k)) as [string, string, string, string, string, string];
  const n1 = modulate(g, x, shift, scale, HIDDEN);
  let h = g.op('Add', [x, g.op('Mul', [attention(g, p, 'attn1', n1, n1, HIDDEN, { heads: HEADS, rotary: { cos, sin } }), gate])]);
  h = g.op('Add', [h, attention(g, p, 'attn2', layerNorm(g, h, HIDDEN), enc, HIDDEN, { heads: HEADS })]);
  const ff = feedForward(g, p, 'ffn', modulate(g, h, cShift, cScale, HIDDEN), HIDDEN);
  g.op('Add', [h, g.op('Mul', [ff, cGate])], {}, 'hidden_states_out');
  g.output('hidden_states_out', 'float32', TOKENS);
  return { model: g.toModel({ doc: `WebGP test-fastwan transformer block ${index} (random weights)` }), external: { path: location, data: p.externalData() } };
}

/** hidden_states, temb [1, seq, 32], ppf/pph/ppw int64 0-d → noise_pred [1, 48, ppf, 2·pph, 2·ppw] (flow velocity). */
export function shellPost(): Uint8Array {
  const g = new GraphBuilder('transformer_shell_post');
  const p = new Params(g, 620);
  const x = g.input('hidden_states', 'float32', TOKENS);
  const temb = g.input('temb', 'float32', TOKENS);
  const [f, h, w] = ['ppf', 'pph', 'ppw'].map((n) => g.op('Unsqueeze', [g.input(n, 'int64', []), g.constI([0])])) as [string, string, string];
  const mod = g.op('Add', [g.op('Unsqueeze', [temb, g.constI([2])]), p.weight('scale_shift_table', [1, 1, 2, HIDDEN], 0.1)]);
  const out = linear(g, p, modulate(g, x, chunk(g, mod, 0), chunk(g, mod, 1), HIDDEN), 'proj_out', HIDDEN, PATCH_DIM);
  const velocity = g.op('Mul', [g.op('Tanh', [out]), g.constF([1.5], [])]);
  const grid = g.op('Reshape', [velocity, g.op('Concat', [g.constI([1]), f, h, w, g.constI([2, 2, C])], { axis: 0 })]);
  const ordered = g.op('Transpose', [grid], { perm: [0, 6, 1, 2, 4, 3, 5] });
  const two = g.constI([2]);
  const shape = g.op('Concat', [g.constI([1, C]), f, g.op('Mul', [h, two]), g.op('Mul', [w, two])], { axis: 0 });
  g.op('Reshape', [ordered, shape], {}, 'noise_pred');
  g.output('noise_pred', 'float32', LATENT_DIMS);
  return g.toModel({ doc: 'WebGP test-fastwan transformer shell_post (random weights)' });
}
