/**
 * The bundled pack.json of real packs (public/models/<id>/pack.json): runnable ones list only
 * files the registry knows, with the same sizes, and the generated test packs mirror their
 * contract (tensor names, roles, layouts, slots) so the pipelines tested on the test packs are the
 * ones the real packs run. SD-Turbo's and SDXL-Turbo's contracts are pinned value by value. The
 * prompt enhancer's real packs list in the registry the files the installer fetches, in their test
 * mirrors' layout.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ComponentSpec } from '../../src/engine/pack/components';
import { type PackManifest, parseManifestText } from '../../src/engine/pack/manifest';
import { manifestFiles } from '../../src/engine/pack/pack-files';
import { installFiles, parseInstallableManifestText } from '../../src/engine/pack/installable-manifest';
import { parseRegistry } from '../../src/engine/pack/registry';
import { folderReader } from '../../src/cli/pack-folder';
import { checkPackGraphs } from '../../src/engine/pack/verify-graphs';
import { realContract } from '../helpers/real-contract';
import { packDir, readManifest, TEST_PACKS_DIR } from '../helpers/test-packs';
import PINNED from '../helpers/real-contracts.json';
import {
  type MattingManifest,
  parseMediaManifestText,
  type SegmentManifest,
} from '../../src/engine/pack/media-manifest';
import { inspectOnnx } from '../../src/engine/onnx/inspect';
import { blobReader } from '../../src/engine/onnx/wire-reader';

const MODELS = join(import.meta.dirname, '..', '..', 'public', 'models');
const registry = parseRegistry(JSON.parse(readFileSync(join(MODELS, 'registry.json'), 'utf8')));
const bundledText = (id: string) => readFileSync(join(MODELS, id, 'pack.json'), 'utf8');
const realManifest = (id: string) => parseManifestText(bundledText(id), `${id}/pack.json`);

/** Which test pack carries which real pack's contract. */
const MIRRORS = [
  { test: 'test-zimage', real: 'z-image-turbo' },
  { test: 'test-fastwan', real: 'fastwan2.2-ti2v-5b' },
  { test: 'test-sdturbo', real: 'sd-turbo' },
  { test: 'test-sdxlturbo', real: 'sdxl-turbo' },
  { test: 'test-fastwan-81', real: 'fastwan2.2-ti2v-5b' },
];
const RUNNABLE_REAL = ['z-image-turbo', 'fastwan2.2-ti2v-5b', 'sd-turbo', 'sdxl-turbo'];

/** Fields that differ between a real pack and its tiny mirror without changing the contract. */
const NOT_CONTRACT = new Set([
  'file',
  'bytes',
  'sha256',
  'externalData',
  'dtype',
  'compute',
  'stages',
  'freeDimensions',
  'resident',
  'latentScale',
  'latentShift',
  'embedding',
]);

/** Per-channel VAE tables differ in values (random test tables) but not in meaning. */
function tableKind(t: unknown): string | undefined {
  if (!Array.isArray(t)) return undefined;
  return t.length > 1 ? 'per-channel' : 'one value';
}

/** A component's contract: everything but file names, sizes, hashes, dtypes, table values and repeat counts. */
function contract(c: ComponentSpec | undefined): unknown {
  if (!c) return undefined;
  const fields = c as ComponentSpec & Record<string, unknown>;
  const named = Object.fromEntries(Object.entries(fields).filter(([k]) => !NOT_CONTRACT.has(k)));
  // One entry per distinct stage kind: a repeated stage's copies share feeds and emits.
  const kinds = c.stages?.filter(
    (s, i, all) =>
      i === 0 ||
      JSON.stringify([s.feeds, s.emits]) !== JSON.stringify([all[i - 1]?.feeds, all[i - 1]?.emits]),
  );
  return {
    ...named,
    // A float timestep follows the boundary dtype (SDXL-Turbo's fp16, the float32 mirror's float32).
    ...(named.timestepType === c.dtype ? { timestepType: 'float, as the boundaries' } : {}),
    externalData: c.externalData.length > 0,
    stages: kinds?.map((s) => ({ feeds: s.feeds, emits: s.emits, externalData: s.externalData.length > 0 })),
    tables: [tableKind(fields.latentScale), tableKind(fields.latentShift)],
    embedding: (fields.embedding as { format: string } | undefined)?.format,
  };
}

function tokenizerContract(t: PackManifest['tokenizer'] | undefined) {
  if (!t) return undefined;
  const { format, padding, chatTemplate, idsType, truncation, maxLength } = t;
  return {
    format,
    padding,
    chatTemplate,
    idsType,
    truncation,
    ...(format === 'clip-bpe' ? { maxLength } : {}),
  };
}

/**
 * The exact contract of the real SD-Turbo pack (hf:schmuell/sd-turbo-ort-web as
 * microsoft/onnxruntime-inference-examples:js/sd-turbo/index.js feeds it): a changed tensor name,
 * dtype, layout, fixed dim or tokenizer setting fails here, and the mirror check below then
 * says whether test-sdturbo still matches.
 */
const SD_TURBO = {
  tokenizer: {
    format: 'clip-bpe',
    file: '',
    vocab: { file: 'tokenizer/vocab.json' },
    merges: { file: 'tokenizer/merges.txt' },
    maxLength: 77,
    padId: 0,
    padding: 'none',
    idsType: 'int32',
    truncation: 'keep-special',
  },
  textEncoder: {
    file: 'text_encoder/model.onnx',
    dtype: 'float32',
    compute: 'float16',
    freeDimensions: { batch_size: 1 },
    inputs: { inputIds: 'input_ids' },
    outputs: { hiddenStates: 'last_hidden_state' },
    mask: 'none',
    zeroFillPadding: false,
  },
  transformer: {
    file: 'unet/model.onnx',
    dtype: 'float32',
    compute: 'float16',
    freeDimensions: { batch_size: 1, num_channels: 4, height: 64, width: 64 },
    inputs: { latents: 'sample', timestep: 'timestep', context: 'encoder_hidden_states' },
    outputs: { prediction: 'out_sample' },
    prediction: 'epsilon',
    latentLayout: 'NCHW',
    timestepType: 'int64',
    timestepShape: 'scalar',
  },
  vaeDecoder: {
    file: 'vae_decoder/model.onnx',
    dtype: 'float32',
    compute: 'float16',
    freeDimensions: { batch_size: 1, num_channels_latent: 4, height_latent: 64, width_latent: 64 },
    inputs: { latents: 'latent_sample' },
    outputs: { frames: 'sample' },
    inputLayout: 'NCHW',
    outputLayout: 'NCHW',
    outputRange: [-1, 1],
    latentScale: [1 / 0.18215],
    latentShift: [0],
  },
};

const SDXL_TOKENIZERS =
  'https://raw.githubusercontent.com/microsoft/webnn-developer-preview/abc69b5a366a922e84d3766ff1aba198aa38f3bc/demos/sdxl-turbo/models/';

/** The exact contract of hf:webnn/sdxl-turbo as microsoft/webnn-developer-preview:demos/sdxl-turbo/index.js feeds it. */
const SDXL_TURBO = {
  // Both tokenizer.json files come from the webnn demo itself (hf:webnn/sdxl-turbo ships none), pinned.
  tokenizer: {
    format: 'tokenizer-json',
    file: 'tokenizer/tokenizer.json',
    url: `${SDXL_TOKENIZERS}tokenizer/tokenizer.json`,
    bytes: 2224108,
    sha256: '6bacdebf8c6d6cd8179b17de6bfac2f350696d5a2a31ddebcccdf7de36d80411',
    maxLength: 77,
    padId: 49407,
    padding: 'max-length',
    idsType: 'int32',
    truncation: 'keep-special',
  },
  tokenizer2: {
    format: 'tokenizer-json',
    file: 'tokenizer_2/tokenizer.json',
    url: `${SDXL_TOKENIZERS}tokenizer_2/tokenizer.json`,
    bytes: 2224281,
    sha256: '9c1fb9970ae139a9e4d10b7e804bc1537f69d3824320f7f5a0ee936b040f2e91',
    maxLength: 77,
    padId: 0,
    padding: 'max-length',
    idsType: 'int64',
    truncation: 'keep-special',
  },
  textEncoder: {
    file: 'onnx/text_encoder_model_q4f16.onnx',
    bytes: 124433929,
    dtype: 'float16',
    freeDimensions: { batch_size: 1, sequence_length: 77 },
    inputs: { inputIds: 'input_ids' },
    outputs: { hiddenStates: 'hidden_states.11' },
    mask: 'none',
  },
  textEncoder2: {
    file: 'onnx/text_encoder_2_model_q4f16.onnx',
    bytes: 483677630,
    dtype: 'float16',
    freeDimensions: { batch_size: 1, sequence_length: 77 },
    inputs: { inputIds: 'input_ids' },
    outputs: { hiddenStates: 'hidden_states.31', pooled: 'text_embeds' },
    mask: 'none',
  },
  transformer: {
    file: 'onnx/unet_model_q4f16.onnx',
    bytes: 1965607674,
    dtype: 'float16',
    freeDimensions: {
      unet_sample_batch: 1,
      unet_sample_channels: 4,
      unet_sample_height: 64,
      unet_sample_width: 64,
      unet_time_batch: 1,
      unet_hidden_batch: 1,
      unet_hidden_sequence: 77,
      unet_text_embeds_batch: 1,
      unet_text_embeds_size: 1280,
      unet_time_ids_batch: 1,
      unet_time_ids_size: 6,
    },
    inputs: {
      latents: 'sample',
      timestep: 'timestep',
      context: 'encoder_hidden_states',
      textEmbeds: 'text_embeds',
      timeIds: 'time_ids',
    },
    outputs: { prediction: 'out_sample' },
    prediction: 'epsilon',
    latentLayout: 'NCHW',
    timestepType: 'float16',
    timestepShape: 'scalar',
  },
  vaeDecoder: {
    file: 'onnx/vae_decoder_model_q4f16.onnx',
    bytes: 97617257,
    dtype: 'float16',
    freeDimensions: { batch_size: 1, num_channels_latent: 4, height_latent: 64, width_latent: 64 },
    inputs: { latents: 'latent_sample' },
    outputs: { frames: 'sample' },
    inputLayout: 'NCHW',
    outputLayout: 'NCHW',
    outputRange: [-1, 1],
    latentScale: [1 / 0.13025],
    latentShift: [0],
  },
};

describe('bundled real pack manifests', () => {
  it.each(RUNNABLE_REAL)('%s is runnable and lists only registry files, with the registry sizes', (id) => {
    const m = realManifest(id);
    const entry = registry.find((e) => e.id === id);
    expect(entry?.source?.url).toMatch(/^https:\/\//);
    const known = new Map((entry?.files ?? []).map((f) => [f.path, f]));
    const files = manifestFiles(m);
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      const listed = known.get(f.path);
      expect(listed, `${f.path} is not in the registry entry`).toBeDefined();
      if (f.bytes !== undefined && listed?.bytes !== undefined && !listed.approx)
        expect(f.bytes, f.path).toBe(listed.bytes);
      // A file from another repository has the same url in both, and pinned bytes and sha256.
      expect(listed?.url, f.path).toBe(f.url);
      if (f.url) expect([f.bytes, f.sha256?.length], f.path).toEqual([listed?.bytes, 64]);
    }
  });

  it('FastWan expands to 24 text layers and shell_pre + 30 blocks + shell_post, each block with its .onnx.data', () => {
    const m = realManifest('fastwan2.2-ti2v-5b');
    expect(m.components.textEncoder.stages).toHaveLength(25);
    const dit = m.components.transformer.stages ?? [];
    expect(dit.map((s) => s.file)).toEqual([
      'onnx/transformer-480/shell_pre.onnx',
      ...Array.from(
        { length: 30 },
        (_, i) => `onnx/transformer-q4f16-480/block_${String(i).padStart(2, '0')}.onnx`,
      ),
      'onnx/transformer-q4f16-480/shell_post.onnx',
    ]);
    expect(dit[30]?.externalData).toEqual([
      { path: 'block_29.onnx.data', file: 'onnx/transformer-q4f16-480/block_29.onnx.data' },
    ]);
    expect(m.components.vaeDecoder.latentScale).toHaveLength(48);
  });

  it('Z-Image computes in fp16 behind float32 boundaries, so it still needs shader-f16', () => {
    const m = realManifest('z-image-turbo');
    expect(m.components.transformer.dtype).toBe('float32');
    expect(m.components.transformer.compute).toBe('float16');
  });

  it('SD-Turbo: CLIP BPE, unpadded int32 ids, int64 timestep, ε UNet, VAE behind 1/0.18215, one step at t = 999 (σ 14.6146)', () => {
    const m = realManifest('sd-turbo');
    expect(m.tokenizer).toEqual(SD_TURBO.tokenizer);
    expect(m.components.textEncoder).toMatchObject(SD_TURBO.textEncoder);
    expect(m.components.transformer).toMatchObject(SD_TURBO.transformer);
    expect(m.components.vaeDecoder).toMatchObject(SD_TURBO.vaeDecoder);
    expect(Object.keys(m.components).sort()).toEqual(['textEncoder', 'transformer', 'vaeDecoder']);
    expect(m.scheduler).toEqual({
      spacing: 'eps-trailing',
      trainSteps: 1000,
      timestep: { from: 'train-index', scale: 1 },
    });
    expect(m.latent).toEqual({ channels: 4, temporalCompression: 1, spatialCompression: 8 });
    expect([m.defaults.steps, m.defaults.guidance, m.defaults.resolution]).toEqual([1, 1, '512x512']);
    // The mirror feeds the same ids: same tokenizer files, length and pad id.
    const t = readManifest('test-sdturbo').tokenizer;
    expect([t.vocab?.file, t.merges?.file, t.maxLength, t.padId]).toEqual([
      'tokenizer/vocab.json',
      'tokenizer/merges.txt',
      77,
      0,
    ]);
  });

  it('SDXL-Turbo: two CLIP encoders (int32 / int64 ids padded to 77), pooled text_embeds, time_ids, fp16 boundaries, VAE behind 1/0.13025', () => {
    const m = realManifest('sdxl-turbo');
    expect(m.tokenizer).toEqual(SDXL_TURBO.tokenizer);
    expect(m.tokenizer2).toEqual(SDXL_TURBO.tokenizer2);
    expect(m.components.textEncoder).toMatchObject(SDXL_TURBO.textEncoder);
    expect(m.components.textEncoder2).toMatchObject(SDXL_TURBO.textEncoder2);
    expect(m.components.transformer).toMatchObject(SDXL_TURBO.transformer);
    expect(m.components.vaeDecoder).toMatchObject(SDXL_TURBO.vaeDecoder);
    expect(Object.keys(m.components).sort()).toEqual([
      'textEncoder',
      'textEncoder2',
      'transformer',
      'vaeDecoder',
    ]);
    expect(m.scheduler).toEqual({
      spacing: 'eps-trailing',
      trainSteps: 1000,
      timestep: { from: 'train-index', scale: 1 },
    });
    expect([m.defaults.steps, m.defaults.guidance, m.defaults.resolution]).toEqual([1, 1, '512x512']);
    // The mirror: same files under onnx/ and tokenizer(_2)/, the same fixed [1, 77] text dims, pads with EOS / 0.
    const t = readManifest('test-sdxlturbo');
    for (const name of ['textEncoder', 'textEncoder2', 'transformer', 'vaeDecoder'] as const)
      expect(t.components[name]?.file).toBe(m.components[name]?.file);
    const mirrored = (x: PackManifest['tokenizer'] | undefined) =>
      x && {
        format: x.format,
        file: x.file,
        maxLength: x.maxLength,
        padding: x.padding,
        idsType: x.idsType,
        truncation: x.truncation,
      };
    expect([mirrored(t.tokenizer), mirrored(t.tokenizer2)]).toEqual([
      mirrored(m.tokenizer),
      mirrored(m.tokenizer2),
    ]);
    expect([t.tokenizer.file, t.tokenizer2?.file, t.tokenizer2?.padId]).toEqual([
      'tokenizer/tokenizer.json',
      'tokenizer_2/tokenizer.json',
      0,
    ]);
    expect(t.components.textEncoder.freeDimensions).toEqual({ batch_size: 1, sequence_length: 77 });
    expect(t.components.textEncoder2?.freeDimensions).toEqual({ batch_size: 1, sequence_length: 77 });
  });

  it.each(MIRRORS)('$test mirrors the contract of $real', ({ test, real }) => {
    const t = readManifest(test);
    const r = realManifest(real);
    expect(t.pipeline).toBe(r.pipeline);
    expect(tokenizerContract(t.tokenizer)).toEqual(tokenizerContract(r.tokenizer));
    expect(tokenizerContract(t.tokenizer2)).toEqual(tokenizerContract(r.tokenizer2));
    expect(t.scheduler).toEqual(r.scheduler);
    expect(Object.keys(t.components).sort()).toEqual(Object.keys(r.components).sort());
    for (const name of Object.keys(r.components) as (keyof PackManifest['components'])[]) {
      expect(contract(t.components[name]), name).toEqual(contract(r.components[name]));
    }
  });

  it.each(Object.keys(PINNED))(
    '%s keeps its pinned contract: tensor names, dtypes, layouts, fixed values and limits',
    (id) => {
      expect(
        realContract(realManifest(id)),
        `${id}: update tests/helpers/real-contracts.json only with a cited source`,
      ).toEqual(PINNED[id as keyof typeof PINNED]);
    },
  );

  it("FastWan declares the frame limit its mirror's fixed-shape VAE decoder imposes (81 frames from 21 latent frames)", async () => {
    const mirror = await checkPackGraphs(
      readManifest('test-fastwan-81'),
      folderReader(packDir('test-fastwan-81')),
    );
    expect(mirror.problems).toEqual([]);
    const real = realManifest('fastwan2.2-ti2v-5b').limits;
    expect(mirror.limits.frames?.counts).toEqual(real.frames);
    expect(mirror.limits.frames?.reason).toContain('is exported for 21 latent frames');
    expect(real.reasons?.frames).toContain('is exported for 21 latent frames');
    // The mirror's pack.json itself leaves the limit out: install derives it.
    expect(readManifest('test-fastwan-81').limits.frames).toBeUndefined();
    const vae = mirror.graphs.get('onnx/vae_decoder-64.onnx')?.inputs[0];
    expect(vae).toEqual({ name: 'latents', type: 'float32', dims: [1, 21, 48, 4, 4] });
  });
});

/**
 * The video packs (sam-vit-b, matanyone2): their contracts are pinned here, so a changed tensor
 * name, dtype or fixed dim fails; test-sam / test-matanyone2 (test-packs/) must mirror them: the
 * same files, names, boundary dtypes, roles and ifDeclared, and graphs with the real ranks, the
 * real symbolic dims, and fixed dims wherever the real graphs fix them.
 */
describe('real video packs and their test mirrors', () => {
  const realVideo = (id: string) => parseMediaManifestText(bundledText(id), `${id}/pack.json`);
  const testVideo = (id: string) =>
    parseMediaManifestText(readFileSync(join(TEST_PACKS_DIR, id, 'pack.json'), 'utf8'), `${id}/pack.json`);
  const io = (c: ComponentSpec) => ({
    file: c.file,
    dtype: c.dtype,
    inputs: c.inputs,
    outputs: c.outputs,
    ifDeclared: c.ifDeclared,
  });
  const SAM_DIR = 'onnx/sam_vit_b_01ec64';
  const MA = (stem: string) => `matanyone2_onnx_1024_bs1/matanyone2_${stem}.onnx`;
  const same = (names: string[]) =>
    Object.fromEntries(names.map((n) => [n.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()), n]));
  const FEATS = ['f16', 'f8', 'f4', 'f2', 'f1', 'pix_feat'];

  /** sam-vit-b as WSAM feeds it (webnn-developer-preview demos/segment-anything/index.js at fedae01) and samexporter names its outputs. */
  const SAM = {
    encoder: {
      file: `${SAM_DIR}.encoder-fp16.onnx`,
      dtype: 'float32',
      inputs: { image: 'input_image' },
      outputs: { embeddings: 'image_embeddings' },
      ifDeclared: undefined,
    },
    decoder: {
      file: `${SAM_DIR}.decoder-orig-img-size-dynamic-fp16.onnx`,
      dtype: 'float32',
      inputs: {
        embeddings: 'image_embeddings',
        pointCoords: 'point_coords',
        pointLabels: 'point_labels',
        maskInput: 'mask_input',
        hasMaskInput: 'has_mask_input',
        origImSize: 'orig_im_size_shape',
      },
      outputs: { masks: 'masks', iouPredictions: 'iou_predictions', lowResMasks: 'low_res_masks' },
      ifDeclared: undefined,
    },
  };
  /** matanyone2 as tools/export_matanyone2_onnx.py names its graphs' inputs and outputs. */
  const MATANYONE2 = {
    imageKey: {
      file: MA('image_key'),
      dtype: 'float32',
      inputs: { image: 'image' },
      outputs: same([...FEATS, 'key', 'shrinkage', 'selection']),
      ifDeclared: undefined,
    },
    maskMemory: {
      file: MA('mask_memory'),
      dtype: 'float32',
      inputs: same(['image', 'mask', 'sensory', 'pix_feat']),
      outputs: same(['msk_value', 'new_sensory', 'obj_memory']),
      ifDeclared: undefined,
    },
    firstFrameRefine: {
      file: MA('first_frame_refine'),
      dtype: 'float32',
      inputs: same([...FEATS, 'last_msk_value', 'obj_memory', 'sensory', 'last_mask']),
      outputs: same(['prob', 'new_sensory', 'logits']),
      ifDeclared: ['f16'],
    },
    propagate: {
      file: MA('propagate'),
      dtype: 'float32',
      inputs: same([
        ...FEATS,
        'key',
        'selection',
        'memory_key',
        'memory_shrinkage',
        'msk_value',
        'obj_memory',
        'sensory',
        'last_mask',
        'last_pix_feat',
        'last_pred_mask',
        'last_msk_value',
      ]),
      outputs: same(['prob', 'new_sensory', 'logits', 'uncert_prob']),
      ifDeclared: ['f16', 'lastMskValue'],
    },
  };

  it('sam-vit-b: float32 boundaries around fp16 compute, WSAM names and the canonical SAM input (pinned)', () => {
    const m = realVideo('sam-vit-b') as SegmentManifest;
    expect({ encoder: io(m.components.encoder), decoder: io(m.components.decoder) }).toEqual(SAM);
    expect([m.components.encoder.compute, m.components.decoder.compute]).toEqual(['float16', 'float16']);
    expect(m.segment).toEqual({
      inputSize: 1024,
      pixelRange: [0, 255],
      mean: [123.675, 116.28, 103.53],
      std: [58.395, 57.12, 57.375],
      maskInputSize: 256,
      origImSize: 'shape',
    });
  });

  it('matanyone2: the export names, float32, ifDeclared for the dropped inputs, 1024² with T = 1 (pinned)', () => {
    const m = realVideo('matanyone2') as MattingManifest;
    expect(Object.fromEntries(Object.entries(m.components).map(([k, c]) => [k, io(c)]))).toEqual(MATANYONE2);
    expect(m.matting).toEqual({
      width: 1024,
      height: 1024,
      memEvery: 0,
      maxMemFrames: 1,
      dims: { f16: 1024, f8: 512, f4: 256, f2: 64, pixFeat: 256, key: 64, value: 256, objTokens: 16 },
      defaults: { warmupFrames: 10, erode: 10, dilate: 10 },
    });
  });

  it.each(['sam-vit-b', 'matanyone2'])(
    '%s lists only registry files and is downloadable (its pack.json parses)',
    (id) => {
      const m = realVideo(id);
      const entry = registry.find((e) => e.id === id);
      expect(entry?.source?.url).toMatch(/^https:\/\/huggingface\.co\//);
      const known = new Set((entry?.files ?? []).map((f) => f.path));
      for (const f of manifestFiles(m))
        expect(known.has(f.path), `${f.path} is not in the registry entry`).toBe(true);
    },
  );

  /** Rank and per-axis kind (number = fixed, the name = symbolic) of every tensor the real graphs have (REAL_PACKS §4–5, the exporters' dummy inputs and dynamic_axes). */
  const FIXED = 'fixed';
  const SAM_DIMS: Record<string, (string | typeof FIXED)[]> = {
    input_image: [FIXED, FIXED, FIXED, FIXED],
    image_embeddings: [FIXED, FIXED, FIXED, FIXED],
    point_coords: [FIXED, 'num_points', FIXED],
    point_labels: [FIXED, 'num_points'],
    mask_input: [FIXED, FIXED, FIXED, FIXED],
    has_mask_input: [FIXED],
    orig_im_size_shape: ['height', 'width'],
    iou_predictions: [FIXED, FIXED],
    low_res_masks: [FIXED, FIXED, FIXED, FIXED],
  };
  const MA_RANKS: Record<string, number> = {
    image: 4,
    f16: 4,
    f8: 4,
    f4: 4,
    f2: 4,
    f1: 4,
    pix_feat: 4,
    key: 4,
    shrinkage: 4,
    selection: 4,
    mask: 4,
    sensory: 5,
    new_sensory: 5,
    memory_key: 5,
    memory_shrinkage: 5,
    last_mask: 4,
    last_pix_feat: 4,
    last_pred_mask: 4,
    last_msk_value: 5,
    prob: 4,
    logits: 4,
    uncert_prob: 4,
  };
  /** msk_value and obj_memory gain the T axis as propagate inputs (and obj_memory as first_frame_refine's). */
  const maRank = (file: string, name: string, input: boolean) =>
    name === 'msk_value'
      ? input && file.includes('propagate')
        ? 6
        : 5
      : name === 'obj_memory'
        ? input && !file.includes('mask_memory')
          ? 5
          : 4
        : MA_RANKS[name];

  async function graphInfo(id: string, file: string) {
    const bytes = readFileSync(join(TEST_PACKS_DIR, id, file));
    return inspectOnnx(blobReader(new Blob([new Uint8Array(bytes)])), bytes.byteLength);
  }

  it.each([
    { test: 'test-sam', real: 'sam-vit-b' },
    { test: 'test-matanyone2', real: 'matanyone2' },
  ])('$test mirrors $real: files, names, dtypes, roles, ifDeclared, cadence', ({ test, real }) => {
    const t = testVideo(test);
    const r = realVideo(real);
    expect(t.pipeline).toBe(r.pipeline);
    const comps = (m: typeof t) =>
      Object.fromEntries(
        Object.entries(m.components as Record<string, ComponentSpec>).map(([k, c]) => [k, io(c)]),
      );
    expect(comps(t)).toEqual(comps(r));
    if (t.pipeline === 'segment-points' && r.pipeline === 'segment-points') {
      const { pixelRange, mean, std, origImSize } = r.segment;
      expect(t.segment).toMatchObject({ pixelRange, mean, std, origImSize });
    }
    if (t.pipeline === 'matting-memory' && r.pipeline === 'matting-memory') {
      expect({
        memEvery: t.matting.memEvery,
        maxMemFrames: t.matting.maxMemFrames,
        defaults: t.matting.defaults,
      }).toEqual({
        memEvery: r.matting.memEvery,
        maxMemFrames: r.matting.maxMemFrames,
        defaults: r.matting.defaults,
      });
    }
  });

  it('test-sam graphs have the real ranks, the symbolic dims WSAM overrides, and fixed dims elsewhere', async () => {
    for (const c of Object.values(SAM)) {
      const info = await graphInfo('test-sam', c.file);
      for (const v of [...info.inputs, ...info.outputs].filter((x) => x.name !== 'masks')) {
        expect(v.type, `${c.file} ${v.name}`).toBe('float32');
        expect(
          v.dims.map((d) => (typeof d === 'number' ? FIXED : d)),
          `${c.file} ${v.name}`,
        ).toEqual(SAM_DIMS[v.name]);
      }
      expect([...info.inputs.map((v) => v.name)].sort(), c.file).toEqual(Object.values(c.inputs).sort());
    }
  });

  it('test-matanyone2 graphs have the real ranks, every dim fixed, T = 1, and lack exactly the dropped inputs', async () => {
    const r = realVideo('matanyone2') as MattingManifest;
    for (const c of Object.values(r.components)) {
      const info = await graphInfo('test-matanyone2', c.file);
      const declared = Object.entries(c.inputs)
        .filter(([role]) => !c.ifDeclared?.includes(role))
        .map(([, n]) => n);
      expect(info.inputs.map((v) => v.name).sort(), c.file).toEqual(declared.sort());
      for (const [input, v] of [
        ...info.inputs.map((x) => [true, x] as const),
        ...info.outputs.map((x) => [false, x] as const),
      ]) {
        expect(
          { type: v.type, rank: v.dims.length, fixed: v.dims.every((d) => typeof d === 'number') },
          `${c.file} ${v.name}`,
        ).toEqual({ type: 'float32', rank: maRank(c.file, v.name, input), fixed: true });
      }
    }
    const propagate = await graphInfo('test-matanyone2', r.components.propagate.file);
    expect(propagate.inputs.find((v) => v.name === 'memory_key')?.dims[2]).toBe(r.matting.maxMemFrames);
  });
});

describe('LoRA target rules of real packs', () => {
  it('every rule of a real manifest names weights of its mirrored test graphs (a rule that matches none fails)', async () => {
    const { deriveTargets, readTransformerWeights } = await import('../../src/engine/lora/derive-targets');
    const { diskPackSource } = await import('../helpers/ort-node');
    const { TEST_PACKS_DIR } = await import('../helpers/test-packs');
    const withRules = MIRRORS.filter((m) => realManifest(m.real).components.transformer.lora?.rules);
    expect(withRules.map((m) => m.real)).toEqual(
      expect.arrayContaining(['fastwan2.2-ti2v-5b', 'z-image-turbo']),
    );
    for (const m of withRules) {
      const spec = realManifest(m.real).components.transformer.lora!;
      const transformer = readManifest(m.test).components.transformer;
      const { spec: derived, unused } = deriveTargets(
        spec,
        await readTransformerWeights(diskPackSource(m.test, TEST_PACKS_DIR), transformer),
      );
      expect(unused, `${m.real}: rules matching no weight of ${m.test}`).toEqual([]);
      expect(Object.keys(derived.targets).length, m.real).toBeGreaterThan(0);
    }
  });

  it('FastWan: the rule names every attention and FFN projection of every block, and no shell weight', async () => {
    const { deriveTargets, readTransformerWeights } = await import('../../src/engine/lora/derive-targets');
    const { diskPackSource } = await import('../helpers/ort-node');
    const { TEST_PACKS_DIR } = await import('../helpers/test-packs');
    const transformer = readManifest('test-fastwan').components.transformer;
    const { spec } = deriveTargets(
      realManifest('fastwan2.2-ti2v-5b').components.transformer.lora!,
      await readTransformerWeights(diskPackSource('test-fastwan', TEST_PACKS_DIR), transformer),
    );
    const per = [
      'attn1.to_q',
      'attn1.to_k',
      'attn1.to_v',
      'attn1.to_out',
      'attn2.to_q',
      'attn2.to_k',
      'attn2.to_v',
      'attn2.to_out',
      'ffn.fc1',
      'ffn.fc2',
    ];
    expect(Object.keys(spec.targets).sort()).toEqual(
      [0, 1, 2].flatMap((b) => per.map((x) => `blocks.${b}.${x}`)).sort(),
    );
    expect(spec.targets['blocks.2.ffn.fc1']).toMatchObject({
      initializer: 'ffn.fc1.weight',
      layout: 'in-out',
      file: 'onnx/transformer-q4f16-64/block_02.onnx',
    });
  });

  it('Z-Image: the rule names every linear layer of the mirror by its diffusers module path', async () => {
    const { deriveTargets, readTransformerWeights } = await import('../../src/engine/lora/derive-targets');
    const { diskPackSource } = await import('../helpers/ort-node');
    const { TEST_PACKS_DIR } = await import('../helpers/test-packs');
    const transformer = readManifest('test-zimage').components.transformer;
    const { spec } = deriveTargets(
      realManifest('z-image-turbo').components.transformer.lora!,
      await readTransformerWeights(diskPackSource('test-zimage', TEST_PACKS_DIR), transformer),
    );
    const attention = (a: string) => ['to_q', 'to_k', 'to_v', 'to_out'].map((x) => `layers.0.${a}.${x}`);
    expect(Object.keys(spec.targets)).toEqual(
      expect.arrayContaining([
        ...attention('attention'),
        ...attention('cross_attention'),
        'layers.0.feed_forward.fc1',
        'layers.0.feed_forward.fc2',
        'x_embedder',
        'cap_embedder.1',
        'final_layer.linear',
      ]),
    );
    expect(spec.targets['layers.0.attention.to_q']).toMatchObject({ layout: 'in-out' });
  });
});

describe('real prompt-enhancer packs, the registry and their test mirrors', () => {
  const ENHANCER_MIRRORS = [
    { test: 'test-llm', real: 'qwen2.5-0.5b-instruct' },
    { test: 'test-captioner', real: 'florence-2-base-ft' },
  ];
  const paths = (id: string) =>
    installFiles(parseInstallableManifestText(bundledText(id), `${id}/pack.json`)).map((f) => f.path);

  it.each(ENHANCER_MIRRORS)(
    '$real: the registry lists the files the installer fetches, and $test has the same layout',
    ({ test, real }) => {
      const entry = registry.find((e) => e.id === real);
      expect(entry?.pipeline).toBe(parseInstallableManifestText(bundledText(real)).pipeline);
      expect(entry?.files.map((f) => f.path).sort()).toEqual([...paths(real)].sort());
      expect(paths(test)).toEqual(paths(real));
    },
  );
});
