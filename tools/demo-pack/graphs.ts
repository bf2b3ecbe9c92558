/**
 * ONNX graphs of the demo packs: text encoder, transformer (analytic or random-weight) and
 * VAE decoder, all with free batch/sequence/latent dimensions so every resolution and frame
 * count in the manifest runs through the same files.
 */
import { GraphBuilder } from '../../src/engine/onnx/graph-builder';
import { BASE_FEATURES, EDGE_SHARPNESS, F, FEATURES, LATENT_CHANNELS } from './analytic';
import { randomMatrix } from './weights';

export const LATENT_DIMS = [1, LATENT_CHANNELS, 'latent_frames', 'latent_height', 'latent_width'];
export const SPATIAL_COMPRESSION = 8;
/** Decoder channel mix: rgb = clamp(z[0..2] + LUMA_MIX · z[3], −1, 1). */
export const LUMA_MIX = 0.25;
const HIDDEN = 32;

function textEncoderInputs(g: GraphBuilder): { ids: string; mask: string } {
  return {
    ids: g.input('input_ids', 'int64', [1, 'sequence_length']),
    mask: g.input('attention_mask', 'int64', [1, 'sequence_length']),
  };
}

function maskedOutput(g: GraphBuilder, hidden: string, mask: string): void {
  const maskF = g.op('Unsqueeze', [g.op('Cast', [mask], { to: 1 }), g.constI([-1])]);
  g.op('Mul', [hidden, maskF], {}, 'last_hidden_state');
  g.output('last_hidden_state', 'float32', [1, 'sequence_length', FEATURES]);
}

/** Analytic text encoder: embedding lookup, padded positions zeroed. */
export function analyticTextEncoder(table: Float32Array, vocabSize: number): Uint8Array {
  const g = new GraphBuilder('text_encoder');
  const { ids, mask } = textEncoderInputs(g);
  const emb = g.initializer('embed_tokens.weight', 'float32', [vocabSize, FEATURES], table);
  maskedOutput(g, g.op('Gather', [emb, ids], { axis: 0 }), mask);
  return g.toModel({ doc: 'WebGP demo text encoder (word features)' });
}

/** Random-weight text encoder with the same contract: tanh(E[ids]·W + b) · mask. */
export function randomTextEncoder(vocabSize: number, seed: number): Uint8Array {
  const g = new GraphBuilder('text_encoder');
  const { ids, mask } = textEncoderInputs(g);
  const emb = g.initializer(
    'embed_tokens.weight',
    'float32',
    [vocabSize, FEATURES],
    randomMatrix(vocabSize, FEATURES, seed, 1),
  );
  const w = g.initializer(
    'encoder.proj.weight',
    'float32',
    [FEATURES, FEATURES],
    randomMatrix(FEATURES, FEATURES, seed + 1, 0.5),
  );
  const b = g.initializer(
    'encoder.proj.bias',
    'float32',
    [FEATURES],
    randomMatrix(1, FEATURES, seed + 2, 0.1),
  );
  const hidden = g.op('Tanh', [
    g.op('Add', [g.op('MatMul', [g.op('Gather', [emb, ids], { axis: 0 }), w]), b]),
  ]);
  maskedOutput(g, hidden, mask);
  return g.toModel({ doc: 'WebGP random-weight text encoder (parity tests)' });
}

function transformerInputs(g: GraphBuilder): { x: string; ts: string; ctx: string } {
  return {
    x: g.input('hidden_states', 'float32', LATENT_DIMS),
    ts: g.input('timestep', 'float32', [1]),
    ctx: g.input('encoder_hidden_states', 'float32', [1, 'sequence_length', FEATURES]),
  };
}

/** Slices features [from, to) of a [1, FEATURES] tensor and reshapes it to a 5-D broadcastable shape. */
function featureSlice(g: GraphBuilder, p: string, from: number, to: number): string {
  const s = g.op('Slice', [p, g.constI([from]), g.constI([to]), g.constI([1])]);
  return g.op('Reshape', [s, g.constI([1, to - from, 1, 1, 1])]);
}

/** Normalised pixel-centre coordinates along one latent axis, reshaped to `shape`. */
function axisCoords(
  g: GraphBuilder,
  shape: string,
  axis: number,
  target: number[],
  centred: boolean,
): string {
  const size = g.op('Gather', [shape, g.constI([axis], [])], { axis: 0 });
  const idx = g.op('Cast', [g.op('Range', [g.constI([0], []), size, g.constI([1], [])])], { to: 1 });
  const sizeF = g.op('Cast', [size], { to: 1 });
  const coords = centred
    ? g.op('Div', [g.op('Add', [idx, g.constF([0.5], [])]), sizeF])
    : g.op('Sub', [
        g.op('Div', [idx, g.op('Max', [g.op('Sub', [sizeF, g.constF([1], [])]), g.constF([1], [])])]),
        g.constF([0.5], []),
      ]);
  return g.op('Reshape', [coords, g.constI(target)]);
}

/**
 * Analytic transformer: x0 = bg + m·(fg − bg), m = sigmoid(k·(r² − d²)) for a disc centred at
 * (cx + vx·τ, cy + vy·τ), τ ∈ [−½, ½] over the clip; output velocity (x_t − x0) / t.
 */
export function analyticTransformer(timestepScale: number): Uint8Array {
  const g = new GraphBuilder('transformer');
  const { x, ts, ctx } = transformerInputs(g);
  const p = g.op('Add', [
    g.op('ReduceSum', [ctx, g.constI([1])], { keepdims: 0 }),
    g.constF(BASE_FEATURES, [1, FEATURES]),
  ]);
  const fg = featureSlice(g, p, F.fg, F.fg + LATENT_CHANNELS);
  const bg = featureSlice(g, p, F.bg, F.bg + LATENT_CHANNELS);
  const [cx, cy, vx, vy, r] = [F.cx, F.cy, F.vx, F.vy, F.radius].map((i) => featureSlice(g, p, i, i + 1)) as [
    string,
    string,
    string,
    string,
    string,
  ];
  const shape = g.op('Shape', [x]);
  const tau = axisCoords(g, shape, 2, [1, 1, -1, 1, 1], false);
  const ys = axisCoords(g, shape, 3, [1, 1, 1, -1, 1], true);
  const xs = axisCoords(g, shape, 4, [1, 1, 1, 1, -1], true);
  const dx = g.op('Sub', [xs, g.op('Add', [cx, g.op('Mul', [vx, tau])])]);
  const dy = g.op('Sub', [ys, g.op('Add', [cy, g.op('Mul', [vy, tau])])]);
  const d2 = g.op('Add', [g.op('Mul', [dx, dx]), g.op('Mul', [dy, dy])]);
  const m = g.op('Sigmoid', [
    g.op('Mul', [g.op('Sub', [g.op('Mul', [r, r]), d2]), g.constF([EDGE_SHARPNESS], [])]),
  ]);
  const x0 = g.op('Add', [bg, g.op('Mul', [m, g.op('Sub', [fg, bg])])]);
  const t = g.op('Div', [ts, g.constF([timestepScale], [])]);
  g.op('Div', [g.op('Sub', [x, x0]), t], {}, 'noise_pred');
  g.output('noise_pred', 'float32', LATENT_DIMS);
  return g.toModel({ doc: 'WebGP analytic flow transformer: exact velocity towards a prompt-defined clip' });
}

/**
 * Random-weight transformer with the same contract (a per-position MLP conditioned on text and
 * time). `adjust` may change an initializer's values (tests bake LoRA deltas in with it).
 */
export function randomTransformer(
  seed: number,
  timestepScale: number,
  adjust: (name: string, w: Float32Array) => Float32Array = (_, w) => w,
): Uint8Array {
  const g = new GraphBuilder('transformer');
  const { x, ts, ctx } = transformerInputs(g);
  const C = LATENT_CHANNELS;
  const init = (name: string, dims: number[], w: Float32Array) =>
    g.initializer(name, 'float32', dims, adjust(name, w));
  const win = init('blocks.0.ffn.0.weight', [C, HIDDEN], randomMatrix(C, HIDDEN, seed, 0.6));
  const wctx = init(
    'text_embedding.0.weight',
    [FEATURES, HIDDEN],
    randomMatrix(FEATURES, HIDDEN, seed + 1, 0.3),
  );
  const wt = init('time_embedding.0.weight', [HIDDEN], randomMatrix(1, HIDDEN, seed + 2, 0.5));
  const wout = init('blocks.0.ffn.2.weight', [HIDDEN, C], randomMatrix(HIDDEN, C, seed + 3, 0.4));
  const xl = g.op('Transpose', [x], { perm: [0, 2, 3, 4, 1] });
  const pooled = g.op('MatMul', [g.op('ReduceSum', [ctx, g.constI([1])], { keepdims: 0 }), wctx]);
  const t = g.op('Mul', [g.op('Div', [ts, g.constF([timestepScale], [])]), wt]);
  const h = g.op('Tanh', [g.op('Add', [g.op('Add', [g.op('MatMul', [xl, win]), pooled]), t])]);
  g.op('Transpose', [g.op('MatMul', [h, wout])], { perm: [0, 4, 1, 2, 3] }, 'noise_pred');
  g.output('noise_pred', 'float32', LATENT_DIMS);
  return g.toModel({ doc: 'WebGP random-weight transformer (parity tests)' });
}

/** VAE decoder: channel mix to RGB in [−1, 1], nearest ×8 upsampling; output NTCHW frames. */
export function vaeDecoder(): Uint8Array {
  const g = new GraphBuilder('vae_decoder');
  const z = g.input('latent_sample', 'float32', LATENT_DIMS);
  const mix = g.constF([1, 0, 0, 0, 1, 0, 0, 0, 1, LUMA_MIX, LUMA_MIX, LUMA_MIX], [LATENT_CHANNELS, 3]);
  const rgb = g.op('Clip', [
    g.op('MatMul', [g.op('Transpose', [z], { perm: [0, 2, 3, 4, 1] }), mix]),
    g.constF([-1], []),
    g.constF([1], []),
  ]);
  const frames = g.op('Transpose', [g.op('Squeeze', [rgb, g.constI([0])])], { perm: [0, 3, 1, 2] });
  const s = SPATIAL_COMPRESSION;
  const up = g.op('Resize', [frames, '', g.constF([1, 1, s, s])], {
    mode: 'nearest',
    coordinate_transformation_mode: 'asymmetric',
    nearest_mode: 'floor',
  });
  g.op('Unsqueeze', [up, g.constI([0])], {}, 'sample');
  g.output('sample', 'float32', [1, 'frames', 3, 'height', 'width']);
  return g.toModel({ doc: 'WebGP demo VAE decoder' });
}
