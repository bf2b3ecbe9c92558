/** pack.json manifests of the generated packs (schema webgp.pack/1). */
import { defaultScheduler } from '../../src/engine/pack/header';
import type { PackManifest, PreviewSpec } from '../../src/engine/pack/manifest';
import { LATENT_CHANNELS } from './analytic';
import { LUMA_MIX, SPATIAL_COMPRESSION } from './graphs';

export const TIMESTEP_SCALE = 1000;

/**
 * The demo VAE decoder is per-pixel linear (rgb = clamp(z[0..2] + LUMA_MIX·z[3], −1, 1), then
 * nearest upsampling), so these factors reproduce it exactly at latent resolution.
 */
export const DEMO_PREVIEW: PreviewSpec = {
  rgbFactors: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
    [LUMA_MIX, LUMA_MIX, LUMA_MIX],
  ],
  rgbBias: [0, 0, 0],
};
/**
 * The random test pack's LoRA targets: its MatMul weights carry Wan module names and are stored
 * [in, out] (ONNX MatMul), so LoRA deltas are transposed when merged.
 */
export const TEST_LORA = {
  family: 'webgp-test',
  targets: Object.fromEntries(
    ['blocks.0.ffn.0', 'blocks.0.ffn.2', 'text_embedding.0'].map((m) => [
      m,
      { initializer: `${m}.weight`, layout: 'in-out' as const },
    ]),
  ),
};
const PACKS_WITH_LORA = new Set(['test-t2v-random']);
/** Packs that ship `preview`; the random test pack leaves it out so the fallback projection is exercised. */
const PACKS_WITH_PREVIEW = new Set(['demo-t2v']);

type Files = { textEncoder: string; transformer: string; vaeDecoder: string };
type FileInfo = { bytes: number; sha256: string };

export function demoManifest(
  opts: { id: string; name: string; description: string; demo: boolean },
  files: Files,
  info: Record<string, FileInfo>,
): PackManifest {
  const fileOf = (f: string) => ({ file: f, ...info[f], externalData: [] });
  return {
    schema: 'webgp.pack/1',
    id: opts.id,
    version: '1.0.0',
    name: opts.name,
    description: opts.description,
    license: 'MIT',
    demo: opts.demo,
    pipeline: 't2v-flow-dit',
    tokenizer: {
      file: 'tokenizer.json',
      ...info['tokenizer.json'],
      maxLength: 32,
      padId: 0,
      padding: 'max-length',
      idsType: 'int64',
    },
    components: {
      textEncoder: {
        ...fileOf(files.textEncoder),
        dtype: 'float32',
        inputs: { inputIds: 'input_ids', attentionMask: 'attention_mask' },
        outputs: { hiddenStates: 'last_hidden_state' },
        mask: 'int64',
        zeroFillPadding: false,
      },
      transformer: {
        ...fileOf(files.transformer),
        dtype: 'float32',
        inputs: { latents: 'hidden_states', timestep: 'timestep', context: 'encoder_hidden_states' },
        outputs: { prediction: 'noise_pred' },
        prediction: 'flow',
        latentLayout: 'NCTHW',
        timestepType: 'float32',
        timestepShape: 'scalar',
        patch: [1, 1, 1],
        ...(PACKS_WITH_LORA.has(opts.id) ? { lora: TEST_LORA } : {}),
      },
      vaeDecoder: {
        ...fileOf(files.vaeDecoder),
        dtype: 'float32',
        inputs: { latents: 'latent_sample' },
        outputs: { frames: 'sample' },
        inputLayout: 'NCTHW',
        outputLayout: 'NTCHW',
        outputRange: [-1, 1],
        latentScale: new Array<number>(LATENT_CHANNELS).fill(1),
        latentShift: new Array<number>(LATENT_CHANNELS).fill(0),
      },
    },
    latent: { channels: LATENT_CHANNELS, temporalCompression: 1, spatialCompression: SPATIAL_COMPRESSION },
    timestepScale: TIMESTEP_SCALE,
    scheduler: defaultScheduler(TIMESTEP_SCALE),
    defaults: {
      solver: 'euler',
      steps: 8,
      shift: 3,
      guidance: 1,
      frames: 17,
      resolution: '256x256',
      negativePrompt: '',
      fps: 16,
    },
    limits: { maxFrames: 49, maxSteps: 50, resolutions: ['128x128', '256x256', '320x192', '192x320'] },
    ...(PACKS_WITH_PREVIEW.has(opts.id) ? { preview: DEMO_PREVIEW } : {}),
  };
}
