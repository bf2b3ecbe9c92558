/**
 * The graph contract (src/engine/pack/graph-contract.ts, verify-graphs.ts, graph-limits.ts) on
 * generated packs with one graph swapped for a stub built with the project's graph builder:
 * each refusal is its own message naming graph and tensor; ifDeclared inputs may be absent (and
 * the runner then does not feed them); fixed dims become limits.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Dim, ELEM_CODE, type ElemType, GraphBuilder } from '../../src/engine/onnx/graph-builder';
import { type AnyManifest, parseAnyManifest } from '../../src/engine/pack/any-manifest';
import { checkLoadedGraph } from '../../src/engine/pack/graph-contract';
import { tightenLimits } from '../../src/engine/pack/graph-limits';
import { sessionIo } from '../../src/engine/pack/sessions';
import { runRoles } from '../../src/engine/matting/media-pack';
import { parseManifest } from '../../src/engine/pack/manifest';
import type { PackSource } from '../../src/engine/pack/pack-source';
import { checkPackGraphs, type PackFileReader, verifyGraphs } from '../../src/engine/pack/verify-graphs';
import { openComponent } from '../../src/engine/pipeline/component-runner';
import { rejection } from '../helpers/errors';
import { ortNodeModule, PACKS_DIR } from '../helpers/ort-node';
import { TEST_PACKS_DIR } from '../helpers/test-packs';

type Io = [name: string, type: ElemType, dims: Dim[]];

/** A graph with exactly this interface (each output a Cast of the first input; only the interface matters here). */
function stub(inputs: Io[], outputs: Io[]): Uint8Array {
  const g = new GraphBuilder('stub');
  const first = inputs.map(([n, t, d]) => g.input(n, t, d))[0] as string;
  for (const [n, t, d] of outputs) {
    g.op('Cast', [first], { to: ELEM_CODE[t] }, n);
    g.output(n, t, d);
  }
  return g.toModel();
}

/** The files of a generated pack folder, some replaced (`null`: removed). */
function folder(
  dir: string,
  swap: Record<string, Uint8Array | null> = {},
): PackFileReader & { bytes(path: string): Uint8Array } {
  const bytes = (path: string): Uint8Array => {
    const s = swap[path];
    if (s === null) throw new Error(`${path} removed`);
    return s ?? new Uint8Array(readFileSync(join(dir, path)));
  };
  return {
    bytes,
    size: async (path) =>
      swap[path] === null
        ? undefined
        : (swap[path]?.byteLength ??
          (existsSync(join(dir, path)) ? statSync(join(dir, path)).size : undefined)),
    read: async (path, offset, length) => bytes(path).subarray(offset, offset + length),
  };
}

const DEMO = join(PACKS_DIR, 'demo-t2v');
type Component = Record<string, unknown>;
type Raw = { components: { textEncoder: Component; transformer: Component; vaeDecoder: Component } } & Record<
  string,
  unknown
>;
const demoRaw = () => JSON.parse(readFileSync(join(DEMO, 'pack.json'), 'utf8')) as Raw;
const demo = (edit?: (m: Raw) => void) => {
  const raw = demoRaw();
  edit?.(raw);
  return parseManifest(raw);
};
const LATENT: Dim[] = [1, 4, 'frames', 'height', 'width'];
const transformer = (over: { inputs?: Io[]; drop?: string } = {}) =>
  stub(
    [
      ['hidden_states', 'float32', LATENT],
      ['timestep', 'float32', [1]],
      ['encoder_hidden_states', 'float32', [1, 'seq', 64]],
      ...(over.inputs ?? []),
    ].filter(([n]) => n !== over.drop) as Io[],
    [['noise_pred', 'float32', LATENT]],
  );
const problemsOf = async (
  m: AnyManifest = demo(),
  swap: Record<string, Uint8Array | null> = {},
  dir = DEMO,
) => (await checkPackGraphs(m, folder(dir, swap))).problems.map((p) => p.message);

describe('graph contract at install', () => {
  it('accepts the generated packs as they are, deriving no limits from symbolic dims', async () => {
    expect(await problemsOf()).toEqual([]);
    expect((await checkPackGraphs(demo(), folder(DEMO))).limits).toEqual({});
    const fastwan = JSON.parse(
      readFileSync(join(TEST_PACKS_DIR, 'test-fastwan', 'pack.json'), 'utf8'),
    ) as unknown;
    expect(await problemsOf(parseManifest(fastwan), {}, join(TEST_PACKS_DIR, 'test-fastwan'))).toEqual([]);
  });

  it('refuses a graph that lacks an input pack.json names, naming graph, tensor and role', async () => {
    const err = await rejection(
      verifyGraphs(demo(), folder(DEMO, { 'transformer.onnx': transformer({ drop: 'timestep' }) })),
    );
    expect(err.code).toBe('invalid-manifest');
    expect(err.message).toContain(
      'transformer.onnx has no input "timestep" (role timestep); its inputs are: hidden_states, encoder_hidden_states',
    );
  });

  it('refuses a dtype mismatch: what pack.json feeds and what the graph declares', async () => {
    const swapped = stub(
      [
        ['hidden_states', 'float32', LATENT],
        ['timestep', 'int64', [1]],
        ['encoder_hidden_states', 'float32', [1, 'seq', 64]],
      ],
      [['noise_pred', 'float32', LATENT]],
    );
    expect(await problemsOf(demo(), { 'transformer.onnx': swapped })).toEqual([
      'transformer.onnx input "timestep": pack.json (timestep: timestepType float32, timestepShape scalar) feeds float32, the graph declares int64',
    ]);
    // The other way round: pack.json says int64, the graph float32.
    expect(await problemsOf(demo((m) => (m.components.transformer.timestepType = 'int64')))).toEqual([
      'transformer.onnx input "timestep": pack.json (timestep: timestepType int64, timestepShape scalar) feeds int64, the graph declares float32',
    ]);
  });

  it('names the conversion of an fp16 component: float inputs are fed as float16', async () => {
    const problems = await problemsOf(demo((m) => (m.components.vaeDecoder.dtype = 'float16')));
    expect(problems).toContain(
      'vae_decoder.onnx input "latent_sample": pack.json (latents: dtype) feeds float16, the graph declares float32',
    );
    expect(problems).toContain(
      'vae_decoder.onnx output "sample": pack.json (frames: dtype) reads float16, the graph declares float32',
    );
  });

  it('refuses a rank mismatch (the latent layout fixes rank 5)', async () => {
    const swapped = stub(
      [
        ['hidden_states', 'float32', [1, 4, 'h', 'w']],
        ['timestep', 'float32', [1]],
        ['encoder_hidden_states', 'float32', [1, 'seq', 64]],
      ],
      [['noise_pred', 'float32', LATENT]],
    );
    expect(await problemsOf(demo(), { 'transformer.onnx': swapped })).toEqual([
      'transformer.onnx input "hidden_states": pack.json (latents: dtype) feeds float32 of rank 5, the graph declares rank 4 [1, 4, h, w]',
    ]);
  });

  it('refuses an input nothing in pack.json feeds', async () => {
    expect(
      await problemsOf(demo(), {
        'transformer.onnx': transformer({ inputs: [['guidance', 'float32', [1]]] }),
      }),
    ).toEqual([
      'transformer.onnx input "guidance": nothing in pack.json feeds it (components.transformer.inputs maps hidden_states, timestep, encoder_hidden_states), so a run would fail',
    ]);
  });

  it('reports every problem of a pack in one error', async () => {
    const err = await rejection(
      verifyGraphs(
        demo((m) => (m.components.transformer.timestepType = 'int64')),
        folder(DEMO, { 'transformer.onnx': transformer({ inputs: [['guidance', 'float32', [1]]] }) }),
      ),
    );
    expect(err.message).toContain('input "timestep"');
    expect(err.message).toContain('input "guidance"');
  });

  it('a missing graph file is missing-file, an unreadable one corrupt-model', async () => {
    const missing = await rejection(verifyGraphs(demo(), folder(DEMO, { 'vae_decoder.onnx': null })));
    expect(missing.code).toBe('missing-file');
    expect(missing.message).toContain('The pack has no vae_decoder.onnx');
    const garbage = await rejection(
      verifyGraphs(demo(), folder(DEMO, { 'vae_decoder.onnx': Uint8Array.of(0xff, 0xff, 0xff) })),
    );
    expect(garbage.code).toBe('corrupt-model');
    expect(garbage.message).toContain('vae_decoder.onnx could not be read as an ONNX graph');
  });

  it('a stage slot type mismatch names the consumer, the producer and the slot', async () => {
    const dir = join(TEST_PACKS_DIR, 'test-fastwan');
    const m = parseManifest(JSON.parse(readFileSync(join(dir, 'pack.json'), 'utf8')));
    const block = 'onnx/transformer-q4f16-64/block_01.onnx';
    const real = folder(dir);
    const info = (await checkPackGraphs(m, real)).graphs.get(block);
    const io = (list: { name: string; type: string; dims: Dim[] }[], f16: string): Io[] =>
      list.map((v) => [v.name, (v.name === f16 ? 'float16' : v.type) as ElemType, v.dims]);
    // Same interface as the real block, but hidden_states declared float16 (no external data: the .data file stays, unreferenced).
    const swapped = stub(io(info?.inputs ?? [], 'hidden_states'), io(info?.outputs ?? [], ''));
    const problems = await problemsOf(m, { [block]: swapped }, dir);
    expect(problems).toContain(
      `${block} input "hidden_states": onnx/transformer-q4f16-64/block_00.onnx output "hidden_states_out" (slot "tokens") feeds float32, the graph declares float16`,
    );
  });
});

describe('ifDeclared', () => {
  /** A text encoder without attention_mask: input_ids → an embedding lookup. */
  function encoderWithoutMask(): Uint8Array {
    const g = new GraphBuilder('text_encoder');
    const ids = g.input('input_ids', 'int64', [1, 'sequence_length']);
    const table = g.initializer(
      'embed',
      'float32',
      [64, 8],
      Float32Array.from({ length: 512 }, (_, i) => i / 512),
    );
    g.op('Gather', [table, ids], {}, 'last_hidden_state');
    g.output('last_hidden_state', 'float32', [1, 'sequence_length', 8]);
    return g.toModel();
  }

  it('a graph that lacks an input listed in ifDeclared is accepted, and the runner does not feed it', async () => {
    const swap = { 'text_encoder.onnx': encoderWithoutMask() };
    const strict = demo();
    expect(await problemsOf(strict, swap)).toEqual([
      expect.stringContaining('text_encoder.onnx has no input "attention_mask" (role attentionMask)'),
    ]);
    const m = demo(
      (raw) =>
        (raw.components.textEncoder = {
          ...raw.components.textEncoder,
          bytes: undefined,
          sha256: undefined,
          ifDeclared: ['attentionMask'],
        }),
    );
    expect(await problemsOf(m, swap)).toEqual([]);
    const files = folder(DEMO, swap);
    const source: PackSource = {
      label: 'test',
      readBytes: async (f) => files.bytes(f),
      readBlob: async (f) => new Blob([files.bytes(f) as Uint8Array<ArrayBuffer>]),
    };
    const runner = await openComponent(ortNodeModule, source, m.components.textEncoder, 'wasm', {
      gpuOutputs: false,
    });
    const ort = ortNodeModule;
    const out = await runner.run({
      inputIds: new ort.Tensor('int64', BigInt64Array.of(1n, 2n, 3n), [1, 3]),
      attentionMask: new ort.Tensor('int64', BigInt64Array.of(1n, 1n, 1n), [1, 3]),
    });
    expect(out.hiddenStates?.dims).toEqual([1, 3, 8]);
    await runner.release();
  });

  it('a video-pack role in ifDeclared is left out of the feeds when the session lacks it (MatAnyone 2 style)', async () => {
    const g = new GraphBuilder('first_frame_refine');
    const x = g.input('pix_feat', 'float32', [1, 3]);
    g.op('Identity', [x], {}, 'prob');
    g.output('prob', 'float32', [1, 3]);
    const session = await ortNodeModule.InferenceSession.create(g.toModel());
    const spec = {
      file: 'ffr.onnx',
      externalData: [],
      dtype: 'float32' as const,
      inputs: { pixFeat: 'pix_feat', f16: 'f16' },
      outputs: { prob: 'prob' },
      ifDeclared: ['f16'],
    };
    expect(checkLoadedGraph('firstFrameRefine', spec, undefined, 'ffr.onnx', sessionIo(session))).toEqual([]);
    const ort = ortNodeModule;
    const out = await runRoles(
      ort,
      { spec, session },
      {
        pixFeat: new ort.Tensor('float32', Float32Array.of(1, 2, 3), [1, 3]),
        f16: new ort.Tensor('float32', Float32Array.of(9), [1, 1]),
      },
    );
    expect(Array.from(await out.take('prob'))).toEqual([1, 2, 3]);
    out.dispose();
    const strict = { ...spec, ifDeclared: undefined };
    expect(checkLoadedGraph('firstFrameRefine', strict, undefined, 'ffr.onnx', sessionIo(session))).toEqual([
      expect.stringContaining('ffr.onnx has no input "f16" (role f16)'),
    ]);
    await session.release();
  });

  it('without ifDeclared the runner refuses the graph as it loads, with the same message', async () => {
    const files = folder(DEMO, { 'text_encoder.onnx': encoderWithoutMask() });
    const m = demo(
      (raw) =>
        (raw.components.textEncoder = { ...raw.components.textEncoder, bytes: undefined, sha256: undefined }),
    );
    const source: PackSource = {
      label: 'test',
      readBytes: async (f) => files.bytes(f),
      readBlob: async (f) => new Blob([files.bytes(f) as Uint8Array<ArrayBuffer>]),
    };
    const err = await rejection(
      openComponent(ortNodeModule, source, m.components.textEncoder, 'wasm', { gpuOutputs: false }),
    );
    expect(err.code).toBe('invalid-manifest');
    expect(err.message).toContain('text_encoder.onnx has no input "attention_mask" (role attentionMask)');
  });
});

describe('fixed dims become limits', () => {
  const vae = (dims: Dim[]) =>
    stub([['latent_sample', 'float32', dims]], [['sample', 'float32', [1, 'frames', 3, 'height', 'width']]]);

  it('a fixed latent T allows one frame count, a fixed h/w only the resolutions that match', async () => {
    const r = await checkPackGraphs(demo(), folder(DEMO, { 'vae_decoder.onnx': vae([1, 4, 21, 16, 'w']) }));
    expect(r.problems).toEqual([]);
    expect(r.limits).toEqual({
      frames: { counts: [21], reason: 'its VAE decoder (vae_decoder.onnx) is exported for 21 latent frames' },
      resolutions: {
        list: ['128x128'],
        reason: 'its VAE decoder (vae_decoder.onnx) is exported for any×128 px',
      },
    });
    const tightened = tightenLimits(demoRaw(), r.limits);
    const header = parseAnyManifest(tightened);
    expect(header.limits).toMatchObject({ frames: [21], maxFrames: 21, resolutions: ['128x128'] });
    expect(header.defaults.frames).toBe(21);
  });

  it('fixed dims that contradict pack.json are contract errors: batch, channels, frames beyond the limits, text length', async () => {
    expect(await problemsOf(demo(), { 'vae_decoder.onnx': vae([2, 4, 'T', 'h', 'w']) })).toEqual([
      expect.stringContaining('vae_decoder.onnx input "latent_sample" fixes batch 2'),
    ]);
    expect(await problemsOf(demo(), { 'vae_decoder.onnx': vae([1, 16, 'T', 'h', 'w']) })).toEqual([
      'vae_decoder.onnx input "latent_sample": pack.json says latent.channels 4, the graph fixes 16 channels',
    ]);
    expect(await problemsOf(demo(), { 'vae_decoder.onnx': vae([1, 4, 60, 'h', 'w']) })).toEqual([
      'vae_decoder.onnx input "latent_sample" is exported for 60 latent frames (60 frames), above limits.maxFrames (49)',
    ]);
    const fixedT = demo(
      (m) =>
        ((m.limits as Record<string, unknown>).frames = [9]) &&
        ((m.defaults as Record<string, unknown>).frames = 9),
    );
    expect(await problemsOf(fixedT, { 'vae_decoder.onnx': vae([1, 4, 21, 'h', 'w']) })).toEqual([
      'vae_decoder.onnx input "latent_sample" is exported for 21 latent frames (21 frames), which limits.frames (9) rules out',
    ]);
    const text = stub(
      [
        ['input_ids', 'int64', [1, 77]],
        ['attention_mask', 'int64', [1, 77]],
      ],
      [['last_hidden_state', 'float32', [1, 77, 64]]],
    );
    expect(await problemsOf(demo(), { 'text_encoder.onnx': text })).toContain(
      'text_encoder.onnx input "input_ids": pack.json pads text to tokenizer.maxLength 32, the graph fixes the text length at 77',
    );
  });
});

describe('video packs', () => {
  type MediaRaw = { components: Record<string, Component>; segment: Component; matting: Component };
  const media = (id: string, edit: (m: MediaRaw) => void) => {
    const raw = JSON.parse(readFileSync(join(PACKS_DIR, id, 'pack.json'), 'utf8')) as MediaRaw;
    edit(raw);
    return parseAnyManifest(raw);
  };

  it('the demo SAM and MatAnyone packs hold their contract', async () => {
    for (const id of ['demo-sam', 'demo-matanyone'])
      expect(
        await problemsOf(
          media(id, () => undefined),
          {},
          join(PACKS_DIR, id),
        ),
        id,
      ).toEqual([]);
  });

  it('a SAM pack.json saying float16 for float32 graphs is refused per tensor (the audit finding), and a different inputSize than the encoder fixes', async () => {
    const dir = join(PACKS_DIR, 'demo-sam');
    const f16 = await problemsOf(
      media('demo-sam', (m) => ((m.components.decoder as Component).dtype = 'float16')),
      {},
      dir,
    );
    expect(f16).toContain(
      'sam_decoder.onnx input "point_coords": pack.json (pointCoords: dtype) feeds float16, the graph declares float32',
    );
    expect(f16).toContain(
      'sam_decoder.onnx input "orig_im_size": pack.json (origImSize: origImSize "values", converted to dtype float16) feeds float16, the graph declares float32',
    );
    expect(
      await problemsOf(
        media('demo-sam', (m) => (m.segment.inputSize = 512)),
        {},
        dir,
      ),
    ).toEqual([
      'sam_encoder.onnx input "input_image": pack.json says segment.inputSize 512×512, the graph fixes 256×256',
    ]);
    expect(
      await problemsOf(
        media('demo-sam', (m) => (m.segment.origImSize = 'shape')),
        {},
        dir,
      ),
    ).toEqual([
      'sam_decoder.onnx input "orig_im_size": pack.json (origImSize: origImSize "shape") feeds float32 of rank 2, the graph declares rank 1 [2]',
    ]);
  });

  it('a matting pack whose frame size differs from the graphs is refused', async () => {
    const problems = await problemsOf(
      media('demo-matanyone', (m) => (m.matting.width = 256)),
      {},
      join(PACKS_DIR, 'demo-matanyone'),
    );
    expect(problems).toContain(
      'matanyone2_image_key.onnx input "image": pack.json says matting.height/width 256×128, the graph fixes 128×128',
    );
  });
});
