/**
 * test-zimage: a tiny random-weight pack with Z-Image-Turbo's file names and I/O contract
 * (t2i-flow-dit; REAL_PACKS §1): ChatML-wrapped unpadded prompt, external-data transformer
 * predicting the negated velocity, the pack's own scheduler-step and VAE pre-process graphs.
 */
import { demoVocabulary } from '../demo-pack/analytic';
import { PackFolder } from '../demo-pack/pack-folder';
import { tokenizerJson } from '../demo-pack/tokenizer-json';
import { imageDecoder } from './image-decoder';
import { testPackHeader, writeGraph, writeTestManifest } from './pack-json';
import { ZIMAGE_CHANNELS, zimageSchedulerStep, zimageTextEncoder, zimageTransformer, zimageVaePreProcess } from './zimage-graphs';

export const CHATML_TEMPLATE = '<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n';
const CHATML_SPECIAL = ['<|im_start|>', '<|im_end|>', '<|endoftext|>'];
const SPATIAL = 8;

/**
 * LoRA targets of the Z-Image transformer, from its node names: torch.onnx scopes each projection
 * by its diffusers module path under the export wrapper's `model` (`/model/layers.0/attention/to_q/MatMul`,
 * cretz/intabai web/scripts/export-zimage-transformer.py, `ZImageTransformerWrapper`), and ORT's
 * MatMulNBits quantizer appends `_Q4`. The module names are those of diffusers-format Z-Image
 * LoRAs (`layers.0.attention.to_q`, `to_out.0`, `feed_forward.w1`). Mirrored by test-zimage's graph,
 * copied in the real manifest (tests/unit/real-packs.test.ts checks the rule matches the mirror).
 */
export const ZIMAGE_LORA = {
  family: 'z-image-turbo',
  rules: [{ match: 'node', regex: '^/model/(.+)/MatMul(?:_Q4)?$', module: '$1' }],
};

/** The demo words plus the ChatML markers and role names. */
export function zimageVocabulary(): string[] {
  return [...new Set([...demoVocabulary(), ...CHATML_SPECIAL, 'user', 'assistant'])];
}

export function writeZImagePack(dir: string): void {
  const folder = new PackFolder(dir, true);
  const vocab = zimageVocabulary();
  const tokenizer = folder.write('tokenizer/tokenizer.json', JSON.stringify(tokenizerJson(vocab, { special: CHATML_SPECIAL })));
  const C = ZIMAGE_CHANNELS;
  const graph = (file: string, model: Uint8Array) => writeGraph(folder, `onnx/${file}`, { model });
  const io = { dtype: 'float32' };
  writeTestManifest(folder, {
    ...testPackHeader({
      id: 'test-zimage',
      name: 'Test pack: Z-Image-Turbo contract (random weights)',
      description: 'Tiny random-weight graphs with the file names, tensor names, dtypes and layouts of hf:webnn/Z-Image-Turbo, for pipeline tests.',
      pipeline: 't2i-flow-dit',
    }),
    tokenizer: { file: 'tokenizer/tokenizer.json', ...tokenizer, maxLength: 16, padId: vocab.indexOf('<|endoftext|>'), padding: 'none', chatTemplate: CHATML_TEMPLATE, idsType: 'int64' },
    components: {
      textEncoder: {
        ...writeGraph(folder, 'onnx/text_encoder_model_q4f16.onnx', zimageTextEncoder(vocab.length, 'text_encoder_model_q4f16.onnx_data')),
        ...io,
        inputs: { inputIds: 'input_ids', attentionMask: 'attention_mask' },
        outputs: { hiddenStates: 'encoder_hidden_state' },
        mask: 'int64',
      },
      transformer: {
        ...writeGraph(folder, 'onnx/transformer_model_q4f16.onnx', zimageTransformer('transformer_model_q4f16.onnx_data')),
        ...io,
        inputs: { latents: 'hidden_states', timestep: 'timestep', context: 'encoder_hidden_states' },
        outputs: { prediction: 'unified_results' },
        prediction: 'flow-negated',
        latentLayout: 'NCTHW',
        timestepType: 'float32',
        timestepShape: 'scalar',
        lora: ZIMAGE_LORA,
      },
      vaeDecoder: {
        ...graph(
          'vae_decoder_model_f16.onnx',
          imageDecoder({
            seed: 303,
            channels: C,
            factor: SPATIAL,
            gain: 0.5,
            input: { name: 'latent_sample', dims: ['batch_size', C, 'latent_height', 'latent_width'] },
            output: { name: 'sample', dims: ['batch_size', 3, 'height', 'width'] },
          }),
        ),
        ...io,
        inputs: { latents: 'latent_sample' },
        outputs: { frames: 'sample' },
        inputLayout: 'NCHW',
        outputLayout: 'NCHW',
        outputRange: [-1, 1],
      },
      schedulerStep: {
        ...graph('scheduler_step_model_f16.onnx', zimageSchedulerStep()),
        ...io,
        inputs: { noisePred: 'noise_pred', latents: 'latents', stepInfo: 'step_info' },
        outputs: { latents: 'latents_out' },
      },
      vaePreProcess: { ...graph('vae_pre_process_model_f16.onnx', zimageVaePreProcess()), ...io, inputs: { latents: 'latents' }, outputs: { latents: 'scaled_latents' } },
    },
    latent: { channels: C, temporalCompression: 1, spatialCompression: SPATIAL },
    timestepScale: 1,
    scheduler: { spacing: 'flow-diffusers-euler', trainSteps: 1000, timestep: { from: 'one-minus-sigma', scale: 1, forceLast: 1 } },
    defaults: { solver: 'euler', steps: 4, shift: 3, guidance: 1, frames: 1, resolution: '64x64', negativePrompt: '', fps: 16 },
    limits: { maxFrames: 1, maxSteps: 9, resolutions: ['64x64', '64x48'] },
  });
}
