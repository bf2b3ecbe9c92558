/**
 * test-sdxlturbo: a tiny random-weight pack with the I/O of hf:webnn/sdxl-turbo as the webnn
 * demo feeds it (microsoft/webnn-developer-preview:demos/sdxl-turbo/index.js; REAL_PACKS §2b):
 * two CLIP tokenizers (tokenizer/, tokenizer_2/: tokenizer.json, as the webnn demo ships them) padded to 77;
 * onnx/text_encoder_model_q4f16.onnx `input_ids` **int32** [1, 77] → `hidden_states.11`;
 * onnx/text_encoder_2_model_q4f16.onnx `input_ids` **int64** [1, 77] → `hidden_states.31` and
 * pooled `text_embeds`; onnx/unet_model_q4f16.onnx `sample`, `timestep` [1], `encoder_hidden_states`
 * (the two hidden states joined), `text_embeds`, `time_ids` [1, 6] → `out_sample` (ε); and
 * onnx/vae_decoder_model_q4f16.onnx `latent_sample` → `sample`, behind 1/0.13025. Every float
 * boundary is float32 where the real ones are fp16 (SwiftShader has no shader-f16), so the
 * timestep is float32 here and float16 in the real pack. Widths: 16 and 24 (→ 40), pooled 24.
 */
import { GraphBuilder } from '../../src/engine/onnx/graph-builder';
import { demoVocabulary } from '../demo-pack/analytic';
import { PackFolder } from '../demo-pack/pack-folder';
import { clipTokenizerJson } from '../../src/engine/text/clip-bpe';
import { clipVocab } from './clip-vocab';
import { epsUnetBody } from './eps-unet';
import { imageDecoder } from './image-decoder';
import { attention, feedForward, layerNorm, linear, timestepEmbedding } from './layers';
import { testPackHeader, writeGraph, writeTestManifest } from './pack-json';
import { Params } from './params';

const C = 4;
const D1 = 16;
const D2 = 24;
const DIM = 32;
const HEADS = 4;
const SEQ = 77;
const SPATIAL = 8;
/** ε = u + EPS_DETAIL·tanh(net): x0 = x − σ·ε stays O(1) at σ ≈ 14.6, as in test-sdturbo. */
const EPS_DETAIL = 0.02;

/** input_ids [batch_size, sequence_length] → hidden states [B, S, width] (+ pooled = projected mean). */
function textEncoder(name: string, seed: number, vocabSize: number, idsType: 'int32' | 'int64', width: number, hiddenName: string, pooled: boolean): Uint8Array {
  const g = new GraphBuilder(name);
  const p = new Params(g, seed);
  const ids = g.input('input_ids', idsType, ['batch_size', 'sequence_length']);
  const tokens = g.op('Gather', [p.weight('text_model.embeddings.token_embedding.weight', [vocabSize, width], 1.7), ids], { axis: 0 });
  let h = g.op('Add', [tokens, p.weight('text_model.embeddings.position_embedding.weight', [SEQ, width], 0.5)]);
  const n = layerNorm(g, h, width);
  h = g.op('Add', [h, attention(g, p, 'text_model.encoder.layers.0.self_attn', n, n, width, { heads: HEADS })]);
  h = g.op('Add', [h, feedForward(g, p, 'text_model.encoder.layers.0.mlp', layerNorm(g, h, width), width)]);
  const out = layerNorm(g, h, width);
  g.op('Identity', [out], {}, hiddenName);
  g.output(hiddenName, 'float32', ['batch_size', 'sequence_length', width]);
  if (pooled) {
    g.op('Identity', [linear(g, p, g.op('ReduceMean', [out], { axes: [1], keepdims: 0 }), 'text_projection', width, D2)], {}, 'text_embeds');
    g.output('text_embeds', 'float32', ['batch_size', D2]);
  }
  return g.toModel({ doc: `WebGP test-sdxlturbo ${name} (random weights)` });
}

/** sample, timestep [1], encoder_hidden_states [B, 77, 40], text_embeds [B, 24], time_ids [B, 6] → out_sample ε. */
function unet(): Uint8Array {
  const g = new GraphBuilder('unet');
  const p = new Params(g, 504);
  const dims = ['unet_sample_batch', 'unet_sample_channels', 'unet_sample_height', 'unet_sample_width'];
  const x = g.input('sample', 'float32', dims);
  const t = g.input('timestep', 'float32', ['unet_time_batch']);
  const ctx = g.input('encoder_hidden_states', 'float32', ['unet_hidden_batch', 'unet_hidden_sequence', D1 + D2]);
  const pooled = g.input('text_embeds', 'float32', ['unet_text_embeds_batch', 'unet_text_embeds_size']);
  const timeIds = g.input('time_ids', 'float32', ['unet_time_ids_batch', 'unet_time_ids_size']);
  const tokens = g.op('Reshape', [g.op('Transpose', [x], { perm: [0, 2, 3, 1] }), g.constI([0, -1, C])]);
  // Added conditioning, as SDXL's add_embedding: timestep + pooled text + size ids (scaled to ~1).
  const added = g.op('Add', [linear(g, p, pooled, 'add_embedding.text', D2, DIM), linear(g, p, g.op('Div', [timeIds, g.constF([512], [])]), 'add_embedding.time_ids', 6, DIM)]);
  const temb = g.op('Add', [timestepEmbedding(g, p, 'time_embedding', g.op('Div', [t, g.constF([1000], [])]), DIM), g.op('Unsqueeze', [added, g.constI([1])])]);
  const h = g.op('Add', [linear(g, p, tokens, 'conv_in', C, DIM), temb]);
  const context = () => linear(g, p, ctx, 'mid_block.attentions.0.context_proj', D1 + D2, DIM);
  epsUnetBody(g, p, x, h, context, { channels: C, dim: DIM, heads: HEADS, detail: EPS_DETAIL, dims });
  return g.toModel({ doc: 'WebGP test-sdxlturbo UNet (random weights)' });
}

export function writeSdxlTurboPack(dir: string): void {
  const folder = new PackFolder(dir, true);
  const clip = clipVocab(demoVocabulary());
  const vocabSize = Object.keys(clip.vocab).length;
  const eos = vocabSize - 1;
  // The real pack takes both tokenizer.json files from the webnn demo (CLIP's, with <|endoftext|> kept last).
  const tokenizerJson = JSON.stringify(clipTokenizerJson(clip.vocab, clip.merges));
  const tokenizer = (sub: string, padId: number, idsType: 'int32' | 'int64') => ({
    file: `${sub}/tokenizer.json`,
    ...folder.write(`${sub}/tokenizer.json`, tokenizerJson),
    maxLength: SEQ,
    padId,
    padding: 'max-length',
    idsType,
    truncation: 'keep-special',
  });
  const graph = (file: string, model: Uint8Array) => ({ ...writeGraph(folder, file, { model }), dtype: 'float32' });
  const decoder = imageDecoder({
    seed: 505,
    channels: C,
    factor: SPATIAL,
    gain: 0.6,
    input: { name: 'latent_sample', dims: ['batch_size', 'num_channels_latent', 'height_latent', 'width_latent'] },
    output: { name: 'sample', dims: ['batch_size', 3, 'height', 'width'] },
  });
  const ids = { batch_size: 1, sequence_length: SEQ };
  writeTestManifest(folder, {
    ...testPackHeader({
      id: 'test-sdxlturbo',
      name: 'Test pack: SDXL-Turbo contract (random weights)',
      description: 'Tiny random-weight graphs with the file names, tensor names, id types and fixed [1, 77] text dims of hf:webnn/sdxl-turbo (float32 boundaries where the real ones are fp16), for pipeline tests.',
      pipeline: 't2i-eps-unet',
    }),
    // tokenizer pads with <|endoftext|>, tokenizer_2 with "!" (id 0), as the webnn demo's tokenizer configs say.
    tokenizer: tokenizer('tokenizer', eos, 'int32'),
    tokenizer2: tokenizer('tokenizer_2', 0, 'int64'),
    components: {
      textEncoder: {
        ...graph('onnx/text_encoder_model_q4f16.onnx', textEncoder('text_encoder', 501, vocabSize, 'int32', D1, 'hidden_states.11', false)),
        freeDimensions: ids,
        inputs: { inputIds: 'input_ids' },
        outputs: { hiddenStates: 'hidden_states.11' },
        mask: 'none',
      },
      textEncoder2: {
        ...graph('onnx/text_encoder_2_model_q4f16.onnx', textEncoder('text_encoder_2', 502, vocabSize, 'int64', D2, 'hidden_states.31', true)),
        freeDimensions: ids,
        inputs: { inputIds: 'input_ids' },
        outputs: { hiddenStates: 'hidden_states.31', pooled: 'text_embeds' },
        mask: 'none',
      },
      transformer: {
        ...graph('onnx/unet_model_q4f16.onnx', unet()),
        freeDimensions: { unet_sample_batch: 1, unet_sample_channels: C, unet_time_batch: 1, unet_hidden_batch: 1, unet_hidden_sequence: SEQ, unet_text_embeds_batch: 1, unet_text_embeds_size: D2, unet_time_ids_batch: 1, unet_time_ids_size: 6 },
        inputs: { latents: 'sample', timestep: 'timestep', context: 'encoder_hidden_states', textEmbeds: 'text_embeds', timeIds: 'time_ids' },
        outputs: { prediction: 'out_sample' },
        prediction: 'epsilon',
        latentLayout: 'NCHW',
        timestepType: 'float32',
        timestepShape: 'scalar',
      },
      vaeDecoder: {
        ...graph('onnx/vae_decoder_model_q4f16.onnx', decoder),
        freeDimensions: { batch_size: 1, num_channels_latent: C },
        inputs: { latents: 'latent_sample' },
        outputs: { frames: 'sample' },
        inputLayout: 'NCHW',
        outputLayout: 'NCHW',
        outputRange: [-1, 1],
        latentScale: 1 / 0.13025,
      },
    },
    latent: { channels: C, temporalCompression: 1, spatialCompression: SPATIAL },
    timestepScale: 1,
    scheduler: { spacing: 'eps-trailing', trainSteps: 1000, timestep: { from: 'train-index', scale: 1 } },
    defaults: { solver: 'euler', steps: 1, shift: 1, guidance: 1, frames: 1, resolution: '32x32', negativePrompt: '', fps: 16 },
    limits: { maxFrames: 1, maxSteps: 4, resolutions: ['32x32', '64x48'] },
  });
}
