/**
 * The four tiny graphs of test-captioner, with the tensor names of the transformers.js
 * Florence-2 export (REAL_PACKS §6): `vision_encoder` (pixel_values → image_features),
 * `embed_tokens` (input_ids → inputs_embeds), `encoder_model` (inputs_embeds, attention_mask →
 * last_hidden_state), `decoder_model_merged` (inputs_embeds, encoder_hidden_states,
 * encoder_attention_mask, use_cache_branch, past_key_values.0.* → logits). Embeddings are one-hot
 * (width vocab + 3); the image feature carries the image's mean R, G, B in the last three slots.
 * The decoder's logits are a successor table over the last token plus, after the `gate` token,
 * COLOUR_MARGIN × the mean of each channel (masked mean over the encoder states) on that
 * channel's colour word, so greedy decoding names the dominant colour.
 */
import { GraphBuilder } from '../../src/engine/onnx/graph-builder';

export const SUCCESSOR_MARGIN = 10;
export const COLOUR_MARGIN = 20;

export interface CaptionerGraphSpec {
  vocab: number;
  /** next[t]: the token after t (−1: none; the colour term decides). */
  next: number[];
  /** The token after which the colour word comes. */
  gate: number;
  /** Token ids of the words for red, green and blue. */
  colours: [number, number, number];
  mean: readonly number[];
  std: readonly number[];
  heads: number;
  headDim: number;
}

const width = (s: CaptionerGraphSpec) => s.vocab + 3;

/** pixel_values [B,3,H,W] → image_features [B,1,D]: the de-normalised channel means in the last three slots. */
export function visionEncoder(s: CaptionerGraphSpec): Uint8Array {
  const g = new GraphBuilder('vision_encoder');
  const D = width(s);
  g.input('pixel_values', 'float32', ['batch_size', 3, 'height', 'width']);
  const means = g.op('ReduceMean', ['pixel_values'], { axes: [2, 3], keepdims: 0 });
  const raw = g.op('Add', [g.op('Mul', [means, g.constF([...s.std])]), g.constF([...s.mean])]);
  const place = new Float32Array(3 * D);
  for (let c = 0; c < 3; c++) place[c * D + s.vocab + c] = 1;
  const features = g.op('MatMul', [raw, g.constF(place, [3, D])]);
  g.op('Unsqueeze', [features, g.constI([1])], {}, 'image_features');
  g.output('image_features', 'float32', ['batch_size', 1, D]);
  return g.toModel({ producer: 'webgp-test-packs' });
}

/** input_ids [B,S] → inputs_embeds [B,S,D], one-hot. */
export function embedTokens(s: CaptionerGraphSpec): Uint8Array {
  const g = new GraphBuilder('embed_tokens');
  const D = width(s);
  g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const table = new Float32Array(s.vocab * D);
  for (let t = 0; t < s.vocab; t++) table[t * D + t] = 1;
  g.op('Gather', [g.constF(table, [s.vocab, D]), 'input_ids'], {}, 'inputs_embeds');
  g.output('inputs_embeds', 'float32', ['batch_size', 'sequence_length', D]);
  return g.toModel({ producer: 'webgp-test-packs' });
}

const maskF = (g: GraphBuilder, mask: string) =>
  g.op('Unsqueeze', [g.op('Cast', [mask], { to: 1 }), g.constI([-1])]);

/** inputs_embeds × attention_mask → last_hidden_state. */
export function encoderModel(s: CaptionerGraphSpec): Uint8Array {
  const g = new GraphBuilder('encoder_model');
  const D = width(s);
  g.input('inputs_embeds', 'float32', ['batch_size', 'encoder_sequence_length', D]);
  g.input('attention_mask', 'int64', ['batch_size', 'encoder_sequence_length']);
  g.op('Mul', ['inputs_embeds', maskF(g, 'attention_mask')], {}, 'last_hidden_state');
  g.output('last_hidden_state', 'float32', ['batch_size', 'encoder_sequence_length', D]);
  return g.toModel({ producer: 'webgp-test-packs' });
}

/** The merged decoder's inputs → logits [B,T,vocab] (successor + gated colour term). */
export function decoderModelMerged(s: CaptionerGraphSpec): Uint8Array {
  const g = new GraphBuilder('decoder_model_merged');
  const D = width(s);
  const V = s.vocab;
  const x = g.input('inputs_embeds', 'float32', ['batch_size', 'decoder_sequence_length', D]);
  const enc = g.input('encoder_hidden_states', 'float32', ['batch_size', 'encoder_sequence_length', D]);
  const mask = g.input('encoder_attention_mask', 'int64', ['batch_size', 'encoder_sequence_length']);
  const succ = new Float32Array(D * V);
  s.next.forEach((n, t) => n >= 0 && (succ[t * V + n] = SUCCESSOR_MARGIN));
  let logits = g.op('MatMul', [x, g.constF(succ, [D, V])]);
  const m = maskF(g, mask);
  const sum = (v: string) => g.op('ReduceSum', [v, g.constI([1])], { keepdims: 1 });
  const pooled = g.op('Div', [sum(g.op('Mul', [enc, m])), sum(m)]);
  const colour = new Float32Array(D * V);
  s.colours.forEach((id, c) => (colour[(V + c) * V + id] = COLOUR_MARGIN));
  const gate = new Float32Array(D);
  gate[s.gate] = 1;
  const gated = g.op('Mul', [g.op('MatMul', [x, g.constF(gate, [D, 1])]), g.op('MatMul', [pooled, g.constF(colour, [D, V])])]);
  logits = g.op('Add', [logits, gated]);
  // The cache inputs are declared (and consumed, as zeros) so the driver's feeds are checked.
  const unused = [g.op('Cast', [g.input('use_cache_branch', 'bool', [1])], { to: 1 })];
  for (const part of ['decoder', 'encoder'])
    for (const kind of ['key', 'value']) {
      const past = g.input(`past_key_values.0.${part}.${kind}`, 'float32', ['batch_size', s.heads, `past_${part}_sequence_length`, s.headDim]);
      unused.push(g.op('ReduceSum', [g.op('Cast', [g.op('Shape', [past])], { to: 1 }), g.constI([0])], { keepdims: 1 }));
    }
  const zero = g.op('Mul', [unused.reduce((a, b) => g.op('Add', [a, b])), g.constF([0])]);
  g.op('Add', [logits, zero], {}, 'logits');
  g.output('logits', 'float32', ['batch_size', 'decoder_sequence_length', V]);
  return g.toModel({ producer: 'webgp-test-packs' });
}
