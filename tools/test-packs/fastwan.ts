/**
 * test-fastwan (t2v) and test-fastwan-i2v: tiny random-weight packs with FastWan2.2-TI2V's
 * block-streamed layout and I/O contract (REAL_PACKS §3a): JS int8 embedding table, per-layer
 * text encoder with additive mask and zero-filled padding, shell_pre → block_NN ×3 → shell_post
 * transformer with per-token int64 timesteps and ppf/pph/ppw constants, NTCHW decoder in [0, 1].
 */
import { demoVocabulary } from '../demo-pack/analytic';
import { PackFolder } from '../demo-pack/pack-folder';
import { tokenizerJson } from '../demo-pack/tokenizer-json';
import { block, FASTWAN_CHANNELS, PATCH, shellPost, shellPre } from './fastwan-dit';
import { embeddingFloatTable, quantizeRows, TEXT_DIM, TEXT_LEN, textLayer, textShellPost } from './fastwan-text';
import { fastwanVaeDecoder, fastwanVaeEncoder, LATENT_MEAN, LATENT_STD, SPATIAL, TEMPORAL } from './fastwan-vae';
import { expandTemplate, type GraphFile, testPackHeader, writeGraph, writeRepeatedGraphs, writeTestManifest } from './pack-json';

export const TEXT_LAYERS = 2;
export const BLOCKS = 3;
const EOS = '</s>';
const TEXT_DIR = 'onnx/text-encoder-q4f16/';
const DIT_DIR = 'onnx/transformer-q4f16-64/';

/**
 * The demo words plus UMT5's end-of-sequence token (appended by the tokenizer's post-processor),
 * at UMT5's ids: pad 0, `</s>` 1, unk 2 (google/umt5-xxl config: pad_token_id 0, eos_token_id 1).
 */
export function fastwanVocabulary(): string[] {
  const [pad, ...rest] = demoVocabulary();
  return [pad as string, EOS, ...rest];
}

const repeated = (n: number, make: (i: number, location: string) => GraphFile, dataTemplate: string) =>
  Array.from({ length: n }, (_, i) => make(i, expandTemplate(dataTemplate, i)));

function textEncoder(folder: PackFolder, rows: number): Record<string, unknown> {
  const { values, scales } = quantizeRows(embeddingFloatTable(rows), rows, TEXT_DIM);
  const table = folder.write(`${TEXT_DIR}embedding_q8.bin`, new Uint8Array(values.buffer));
  const scaleFile = folder.write(`${TEXT_DIR}embedding_scales.bin`, new Uint8Array(scales.buffer));
  const layers = writeRepeatedGraphs(folder, `${TEXT_DIR}layer_{i:2}.onnx`, 'layer_{i:2}.onnx.data', repeated(TEXT_LAYERS, textLayer, 'layer_{i:2}.onnx.data'));
  return {
    stages: [
      { ...layers, feeds: { hidden_states: 'hidden_states', attention_mask: 'attention_mask' }, emits: { hidden_states_out: 'hidden_states' } },
      { ...writeGraph(folder, `${TEXT_DIR}shell_post.onnx`, { model: textShellPost() }), feeds: { hidden_states: 'hidden_states' }, emits: { last_hidden_state: 'last_hidden_state' } },
    ],
    dtype: 'float32',
    inputs: { inputsEmbeds: 'hidden_states', attentionMask: 'attention_mask' },
    outputs: { hiddenStates: 'last_hidden_state' },
    mask: 'additive',
    zeroFillPadding: true,
    embedding: {
      file: `${TEXT_DIR}embedding_q8.bin`,
      ...table,
      scales: `${TEXT_DIR}embedding_scales.bin`,
      scalesBytes: scaleFile.bytes,
      scalesSha256: scaleFile.sha256,
      format: 'int8-row-scaled',
      rows,
      dim: TEXT_DIM,
    },
  };
}

function transformer(folder: PackFolder): Record<string, unknown> {
  const blocks = writeRepeatedGraphs(folder, `${DIT_DIR}block_{i:2}.onnx`, 'block_{i:2}.onnx.data', repeated(BLOCKS, block, 'block_{i:2}.onnx.data'));
  const same = (...names: string[]) => Object.fromEntries(names.map((n) => [n, n]));
  return {
    stages: [
      {
        ...writeGraph(folder, `${DIT_DIR}shell_pre.onnx`, { model: shellPre() }),
        feeds: { hidden_states: 'latents', timestep: 'timestep', encoder_hidden_states: 'encoder_hidden_states' },
        emits: same('tokens', 'enc_proj', 'timestep_proj', 'temb', 'freqs_cos', 'freqs_sin'),
      },
      { ...blocks, feeds: { hidden_states: 'tokens', encoder_hidden_states: 'enc_proj', ...same('timestep_proj', 'freqs_cos', 'freqs_sin') }, emits: { hidden_states_out: 'tokens' } },
      { ...writeGraph(folder, `${DIT_DIR}shell_post.onnx`, { model: shellPost() }), feeds: { hidden_states: 'tokens', ...same('temb', 'ppf', 'pph', 'ppw') }, emits: same('noise_pred') },
    ],
    resident: 2,
    constants: {
      ppf: { slot: 'latents', axis: 2, divide: PATCH[0] },
      pph: { slot: 'latents', axis: 3, divide: PATCH[1] },
      ppw: { slot: 'latents', axis: 4, divide: PATCH[2] },
    },
    dtype: 'float32',
    inputs: { latents: 'latents', timestep: 'timestep', context: 'encoder_hidden_states' },
    outputs: { prediction: 'noise_pred' },
    prediction: 'flow',
    latentLayout: 'NCTHW',
    timestepType: 'int64',
    timestepShape: 'per-token',
    patch: PATCH,
    lora: FASTWAN_LORA,
  };
}

/** The real decoder's latent T (REAL_PACKS.md §3a: latents [1, 21, 48, h, w]) at the test packs' 64×64. */
const FIXED_VAE = { frames: 21, height: 4, width: 4 };

/**
 * LoRA targets of the FastWan blocks, derived from their node names as the real export has them
 * (`/block/attn1/to_q/MatMul`, `_Q4` after MatMulNBits quantization): the same block in the
 * real manifest (tests/unit/real-packs.test.ts checks the rule matches these mirrored graphs).
 */
export const FASTWAN_LORA = {
  family: 'fastwan2.2-ti2v-5b',
  rules: [{ match: 'node', file: 'block_(\\d+)\\.onnx$', regex: '^/block/(.+)/MatMul(?:_Q4)?$', module: 'blocks.{f1}.$1' }],
};

/**
 * Writes test-fastwan (`i2v` false) or test-fastwan-i2v (with the VAE encoder); `fixedVae` gives
 * test-fastwan-81, whose VAE decoder is exported for 21 latent frames at 4×4 like the real one
 * (T = 21 → 81 frames; its pack.json does not say so: install derives the limit from the graph).
 */
export function writeFastWanPack(dir: string, i2v: boolean, fixedVae = false): void {
  const folder = new PackFolder(dir, true);
  const vocab = fastwanVocabulary();
  const tokenizer = folder.write('tokenizer/tokenizer.json', JSON.stringify(tokenizerJson(vocab, { eos: EOS })));
  const vaeEncoder = i2v
    ? { vaeEncoder: { ...writeGraph(folder, 'onnx/vae_encoder-64.onnx', { model: fastwanVaeEncoder() }), dtype: 'float32', inputs: { image: 'image' }, outputs: { latents: 'latents' }, imageLayout: 'NCTHW', imageRange: [-1, 1] } }
    : {};
  writeTestManifest(folder, {
    ...testPackHeader({
      id: fixedVae ? 'test-fastwan-81' : i2v ? 'test-fastwan-i2v' : 'test-fastwan',
      name: `Test pack: FastWan2.2 ${i2v ? 'image' : 'text'}-to-video contract${fixedVae ? ', fixed-shape VAE decoder' : ''} (random weights)`,
      description: 'Tiny random-weight graphs with the layout, tensor names, dtypes and block streaming of hf:cretz/FastWan2.2-TI2V-5B-ONNX-sharded, for pipeline tests.',
      pipeline: i2v ? 'i2v-flow-dit' : 't2v-flow-dit',
    }),
    tokenizer: { file: 'tokenizer/tokenizer.json', ...tokenizer, maxLength: TEXT_LEN, padId: 0, padding: 'max-length', idsType: 'int64', truncation: 'ids' },
    components: {
      textEncoder: textEncoder(folder, vocab.length),
      transformer: transformer(folder),
      vaeDecoder: {
        ...writeGraph(folder, 'onnx/vae_decoder-64.onnx', { model: fastwanVaeDecoder(fixedVae ? FIXED_VAE : undefined) }),
        dtype: 'float32',
        inputs: { latents: 'latents' },
        outputs: { frames: 'frames' },
        inputLayout: 'NTCHW',
        outputLayout: 'NTCHW',
        outputRange: [0, 1],
        latentScale: LATENT_STD,
        latentShift: LATENT_MEAN,
      },
      ...vaeEncoder,
    },
    latent: { channels: FASTWAN_CHANNELS, temporalCompression: TEMPORAL, spatialCompression: SPATIAL },
    timestepScale: 1000,
    scheduler: { spacing: 'flow-unipc', trainSteps: 1000, timestep: { from: 'sigma', scale: 1000, round: true } },
    defaults: { solver: 'unipc', steps: 4, shift: 8, guidance: 1, frames: fixedVae ? 81 : 9, resolution: '64x64', negativePrompt: '', fps: 16 },
    limits: { maxFrames: fixedVae ? 81 : 9, maxSteps: 8, resolutions: ['64x64', '96x64'] },
  });
}
