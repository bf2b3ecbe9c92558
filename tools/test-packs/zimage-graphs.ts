/**
 * Graphs of the test-zimage pack with Z-Image-Turbo's WebNN/WebGPU I/O contract (REAL_PACKS §1):
 * Qwen-like text encoder (int64 ids + mask), DiT transformer returning the negated velocity
 * `unified_results` without batch axis, the scheduler-step and VAE pre-process helper graphs.
 * Random weights, real tensor names, dtypes, layouts and free-dimension names.
 */
import { GraphBuilder } from '../../src/engine/onnx/graph-builder';
import { attention, feedForward, layerNorm, linear, rmsNorm, timestepEmbedding } from './layers';
import type { GraphFile } from './pack-json';
import { Params } from './params';

export const ZIMAGE_CHANNELS = 16;
const TEXT_DIM = 32;
const HIDDEN = 32;
const HEADS = 4;
/** diffusers' shift for Z-Image-Turbo, baked into the real scheduler_step graph. */
const SHIFT = 3;
export const VAE_SCALE = 0.3611;
export const VAE_SHIFT = 0.1159;
const C = ZIMAGE_CHANNELS;
const LATENT_DIMS = ['batch_size', C, 'num_frames', 'height', 'width'];

/**
 * input_ids, attention_mask (int64 [B, S]) → encoder_hidden_state [B, S, 32]: one masked attention
 * layer. Weights in `location` (external data), as in the real pack.
 */
export function zimageTextEncoder(vocabSize: number, location: string): GraphFile {
  const g = new GraphBuilder('text_encoder');
  const p = new Params(g, 101, location);
  const ids = g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const mask = g.input('attention_mask', 'int64', ['batch_size', 'total_sequence_length']);
  const emb = g.op('Gather', [p.weight('embed_tokens.weight', [vocabSize, TEXT_DIM], 1.7), ids], { axis: 0 });
  const keep = g.op('Cast', [mask], { to: 1 });
  const additive = g.op('Unsqueeze', [g.op('Mul', [g.op('Sub', [g.constF([1], []), keep]), g.constF([-65504], [])]), g.constI([1, 2])]);
  const n = rmsNorm(g, p, emb, 'layers.0.input_layernorm', TEXT_DIM);
  let h = g.op('Add', [emb, attention(g, p, 'layers.0.self_attn', n, n, TEXT_DIM, { heads: HEADS, mask: additive })]);
  h = g.op('Add', [h, feedForward(g, p, 'layers.0.mlp', rmsNorm(g, p, h, 'layers.0.post_attention_layernorm', TEXT_DIM), TEXT_DIM)]);
  g.op('Identity', [h], {}, 'encoder_hidden_state');
  g.output('encoder_hidden_state', 'float32', ['batch_size', 'sequence_length', TEXT_DIM]);
  return { model: g.toModel({ doc: 'WebGP test-zimage text encoder (random weights)' }), external: { path: location, data: p.externalData() } };
}

/**
 * hidden_states [B, 16, F, h, w], timestep [B] (1 − σ), encoder_hidden_states [1, S, 32] →
 * unified_results [16, F, h, w] = x0 − x with x0 = 1.5·tanh(DiT(x, t, text)) (the negated flow velocity).
 * Weights in `location` (external data).
 */
export function zimageTransformer(location: string): GraphFile {
  const g = new GraphBuilder('transformer');
  const p = new Params(g, 202, location);
  p.nodePrefix = '/model/'; // the real export's node scopes (a wrapper holding the diffusers model as `model`; ZIMAGE_LORA)
  const x = g.input('hidden_states', 'float32', LATENT_DIMS);
  const t = g.input('timestep', 'float32', ['batch_size']);
  const ctx = g.input('encoder_hidden_states', 'float32', [1, 'seq_len', TEXT_DIM]);
  const tokens = g.op('Reshape', [g.op('Transpose', [x], { perm: [0, 2, 3, 4, 1] }), g.constI([0, -1, C])]);
  const temb = timestepEmbedding(g, p, 't_embedder', t, HIDDEN);
  let h = g.op('Add', [linear(g, p, tokens, 'x_embedder', C, HIDDEN), g.op('Unsqueeze', [temb, g.constI([1])])]);
  const cap = linear(g, p, rmsNorm(g, p, ctx, 'cap_embedder.0', TEXT_DIM), 'cap_embedder.1', TEXT_DIM, HIDDEN);
  const n1 = layerNorm(g, h, HIDDEN);
  h = g.op('Add', [h, attention(g, p, 'layers.0.attention', n1, n1, HIDDEN, { heads: HEADS })]);
  h = g.op('Add', [h, attention(g, p, 'layers.0.cross_attention', layerNorm(g, h, HIDDEN), cap, HIDDEN, { heads: HEADS })]);
  h = g.op('Add', [h, feedForward(g, p, 'layers.0.feed_forward', layerNorm(g, h, HIDDEN), HIDDEN)]);
  const x0 = g.op('Mul', [g.op('Tanh', [linear(g, p, layerNorm(g, h, HIDDEN), 'final_layer.linear', HIDDEN, C)]), g.constF([1.5], [])]);
  const gridShape = g.op('Gather', [g.op('Shape', [x]), g.constI([0, 2, 3, 4, 1])], { axis: 0 });
  const x0Latent = g.op('Transpose', [g.op('Reshape', [x0, gridShape])], { perm: [0, 4, 1, 2, 3] });
  g.op('Squeeze', [g.op('Sub', [x0Latent, x]), g.constI([0])], {}, 'unified_results');
  g.output('unified_results', 'float32', [C, 'num_frames', 'height', 'width']);
  return { model: g.toModel({ doc: 'WebGP test-zimage transformer (random weights)' }), external: { path: location, data: p.externalData() } };
}

/** σ_full(s) = shift·s / (1 + (shift − 1)·s) of a float tensor s. */
function shifted(g: GraphBuilder, s: string): string {
  return g.op('Div', [g.op('Mul', [s, g.constF([SHIFT], [])]), g.op('Add', [g.op('Mul', [s, g.constF([SHIFT - 1], [])]), g.constF([1], [])])]);
}

/**
 * noise_pred [16, F, h, w], latents [B, 16, F, h, w], step_info [i, N] → latents_out =
 * latents − (σ_next − σ_i)·noise_pred, with σ computed like the Z-Image driver:
 * t_i = linspace(1000·σ_full(1), 1000·σ_full(0.001), N)[i], σ_i = σ_full(t_i/1000), σ_next = 0 on the last step.
 */
export function zimageSchedulerStep(): Uint8Array {
  const g = new GraphBuilder('scheduler_step');
  const noise = g.input('noise_pred', 'float32', [C, 'num_frames', 'height', 'width']);
  const latents = g.input('latents', 'float32', LATENT_DIMS);
  const info = g.input('step_info', 'float32', [2]);
  const i = g.op('Gather', [info, g.constI([0], [])], { axis: 0 });
  const n = g.op('Gather', [info, g.constI([1], [])], { axis: 0 });
  const sigmaFull = (s: number) => (SHIFT * s) / (1 + (SHIFT - 1) * s);
  const start = 1000 * sigmaFull(1);
  const stop = 1000 * sigmaFull(0.001);
  const step = g.op('Div', [g.constF([stop - start], []), g.op('Max', [g.op('Sub', [n, g.constF([1], [])]), g.constF([1], [])])]);
  const sigmaAt = (index: string) => shifted(g, g.op('Div', [g.op('Add', [g.constF([start], []), g.op('Mul', [index, step])]), g.constF([1000], [])]));
  const next = g.op('Add', [i, g.constF([1], [])]);
  const sigma = sigmaAt(i);
  const sigmaNext = g.op('Mul', [sigmaAt(next), g.op('Cast', [g.op('Less', [next, n])], { to: 1 })]);
  g.op('Sub', [latents, g.op('Mul', [g.op('Sub', [sigmaNext, sigma]), noise])], {}, 'latents_out');
  g.output('latents_out', 'float32', LATENT_DIMS);
  return g.toModel({ doc: 'WebGP test-zimage flow-matching Euler step (shift 3)' });
}

/** latents [B, 16, 1, h, w] → scaled_latents [B, 16, h, w] = squeeze(x) / 0.3611 + 0.1159. */
export function zimageVaePreProcess(): Uint8Array {
  const g = new GraphBuilder('vae_pre_process');
  const x = g.input('latents', 'float32', ['batch_size', C, 1, 'height', 'width']);
  const squeezed = g.op('Squeeze', [x, g.constI([2])]);
  g.op('Add', [g.op('Div', [squeezed, g.constF([VAE_SCALE], [])]), g.constF([VAE_SHIFT], [])], {}, 'scaled_latents');
  g.output('scaled_latents', 'float32', ['batch_size', C, 'height', 'width']);
  return g.toModel({ doc: 'WebGP test-zimage VAE pre-process' });
}
