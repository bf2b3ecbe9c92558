/**
 * test-sdturbo: a tiny random-weight pack with SD-Turbo's ORT-web I/O contract (t2i-eps-unet;
 * public/models/sd-turbo/pack.json, REAL_PACKS §2a, the OSD column): a CLIP BPE tokenizer from
 * tokenizer/vocab.json + merges.txt feeding unpadded int32 ids (S = real length, up to 77), a
 * CLIP-like text encoder with no mask, a UNet-shaped ε-predictor with an int64 timestep, and the
 * VAE decoder behind 1/0.18215. Every boundary is float32, as in the real graphs (they compute in
 * fp16 inside, which the test graphs do not: SwiftShader has no shader-f16).
 */
import { GraphBuilder } from '../../src/engine/onnx/graph-builder';
import { demoVocabulary } from '../demo-pack/analytic';
import { PackFolder } from '../demo-pack/pack-folder';
import { clipVocab } from './clip-vocab';
import { epsUnetBody } from './eps-unet';
import { imageDecoder } from './image-decoder';
import { attention, feedForward, layerNorm, linear, timestepEmbedding } from './layers';
import { testPackHeader, writeGraph, writeTestManifest } from './pack-json';
import { Params } from './params';

const C = 4;
const DIM = 32;
const HEADS = 4;
/** CLIP's context: 77 positions (the real text encoder's position table). */
const MAX_LENGTH = 77;
const SPATIAL = 8;
/** ε = u + EPS_DETAIL·tanh(net): close to the scaled input, so x0 = x − σ·ε stays O(1) at σ ≈ 14.6. */
const EPS_DETAIL = 0.02;

/** input_ids int32 [B, S ≤ 77] → last_hidden_state [B, S, 32]: embeddings + positions, one attention layer. */
function textEncoder(vocabSize: number): Uint8Array {
  const g = new GraphBuilder('text_encoder');
  const p = new Params(g, 401);
  const ids = g.input('input_ids', 'int32', ['batch_size', 'sequence_length']);
  const tokens = g.op('Gather', [p.weight('text_model.embeddings.token_embedding.weight', [vocabSize, DIM], 1.7), ids], { axis: 0 });
  const length = g.op('Shape', [ids], { start: 1, end: 2 });
  const positions = g.op('Slice', [p.weight('text_model.embeddings.position_embedding.weight', [MAX_LENGTH, DIM], 0.5), g.constI([0]), length, g.constI([0])]);
  let h = g.op('Add', [tokens, positions]);
  const n = layerNorm(g, h, DIM);
  h = g.op('Add', [h, attention(g, p, 'text_model.encoder.layers.0.self_attn', n, n, DIM, { heads: HEADS })]);
  h = g.op('Add', [h, feedForward(g, p, 'text_model.encoder.layers.0.mlp', layerNorm(g, h, DIM), DIM)]);
  g.op('Identity', [layerNorm(g, h, DIM)], {}, 'last_hidden_state');
  g.output('last_hidden_state', 'float32', ['batch_size', 'sequence_length', DIM]);
  return g.toModel({ doc: 'WebGP test-sdturbo text encoder (random weights)' });
}

/** sample [B, 4, h, w] (x/√(σ²+1)), timestep int64 [1], encoder_hidden_states [B, S, 32] → out_sample ε [B, 4, h, w]. */
function unet(): Uint8Array {
  const g = new GraphBuilder('unet');
  const p = new Params(g, 402);
  const dims = ['batch_size', 'num_channels', 'height', 'width'];
  const x = g.input('sample', 'float32', dims);
  const t = g.input('timestep', 'int64', [1]);
  const ctx = g.input('encoder_hidden_states', 'float32', ['batch_size', 'sequence_length', DIM]);
  const tokens = g.op('Reshape', [g.op('Transpose', [x], { perm: [0, 2, 3, 1] }), g.constI([0, -1, C])]);
  const temb = timestepEmbedding(g, p, 'time_embedding', g.op('Div', [g.op('Cast', [t], { to: 1 }), g.constF([1000], [])]), DIM);
  const h = g.op('Add', [linear(g, p, tokens, 'conv_in', C, DIM), temb]);
  epsUnetBody(g, p, x, h, () => ctx, { channels: C, dim: DIM, heads: HEADS, detail: EPS_DETAIL, dims });
  return g.toModel({ doc: 'WebGP test-sdturbo UNet (random weights)' });
}

export function writeSdTurboPack(dir: string): void {
  const folder = new PackFolder(dir, true);
  const clip = clipVocab(demoVocabulary());
  const vocabSize = Object.keys(clip.vocab).length;
  const vocab = folder.write('tokenizer/vocab.json', clip.vocabJson);
  const merges = folder.write('tokenizer/merges.txt', clip.mergesTxt);
  const graph = (file: string, model: Uint8Array) => ({ ...writeGraph(folder, file, { model }), dtype: 'float32' });
  const decoder = imageDecoder({
    seed: 403,
    channels: C,
    factor: SPATIAL,
    gain: 0.6,
    input: { name: 'latent_sample', dims: ['batch_size', 'num_channels_latent', 'height_latent', 'width_latent'] },
    output: { name: 'sample', dims: ['batch_size', 3, 'height', 'width'] },
  });
  writeTestManifest(folder, {
    ...testPackHeader({
      id: 'test-sdturbo',
      name: 'Test pack: SD-Turbo contract (random weights)',
      description: 'Tiny random-weight graphs with the file names, tensor names, dtypes and layouts of hf:schmuell/sd-turbo-ort-web, for pipeline tests.',
      pipeline: 't2i-eps-unet',
    }),
    tokenizer: { format: 'clip-bpe', vocab: { file: 'tokenizer/vocab.json', ...vocab }, merges: { file: 'tokenizer/merges.txt', ...merges }, maxLength: MAX_LENGTH, padId: 0, padding: 'none', idsType: 'int32' },
    components: {
      textEncoder: { ...graph('text_encoder/model.onnx', textEncoder(vocabSize)), inputs: { inputIds: 'input_ids' }, outputs: { hiddenStates: 'last_hidden_state' }, mask: 'none' },
      transformer: {
        ...graph('unet/model.onnx', unet()),
        inputs: { latents: 'sample', timestep: 'timestep', context: 'encoder_hidden_states' },
        outputs: { prediction: 'out_sample' },
        prediction: 'epsilon',
        latentLayout: 'NCHW',
        timestepType: 'int64',
        timestepShape: 'scalar',
      },
      vaeDecoder: {
        ...graph('vae_decoder/model.onnx', decoder),
        inputs: { latents: 'latent_sample' },
        outputs: { frames: 'sample' },
        inputLayout: 'NCHW',
        outputLayout: 'NCHW',
        outputRange: [-1, 1],
        latentScale: 1 / 0.18215,
      },
    },
    latent: { channels: C, temporalCompression: 1, spatialCompression: SPATIAL },
    timestepScale: 1,
    scheduler: { spacing: 'eps-trailing', trainSteps: 1000, timestep: { from: 'train-index', scale: 1 } },
    defaults: { solver: 'euler', steps: 1, shift: 1, guidance: 1, frames: 1, resolution: '32x32', negativePrompt: '', fps: 16 },
    limits: { maxFrames: 1, maxSteps: 4, resolutions: ['32x32', '64x48'] },
  });
}
