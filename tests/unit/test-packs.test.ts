/** The generated real-contract test packs (tools/test-packs → test-packs/<id>/, by `npm run models`):
 * pack.json parses and lists exactly the files on disk with their bytes and sha256; every graph loads
 * in onnxruntime-node with its external data and has exactly the tensor names the manifest maps; the
 * helper graphs, tables, tokenizers and stage chains behave as the real packs' contracts say. */
import { createHash } from 'node:crypto';
import * as ort from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { inspectOnnx, type OnnxInfo } from '../../src/engine/onnx/inspect';
import { blobReader } from '../../src/engine/onnx/wire-reader';
import { componentGraphs } from '../../src/engine/pack/components';
import { checkContract } from '../../src/engine/pack/graph-contract';
import { presentComponents } from '../../src/engine/pack/manifest';
import { manifestFiles, manifestGraphs } from '../../src/engine/pack/pack-files';
import { gaussianNoise } from '../../src/engine/random';
import { f16BitsToF32 } from '../../src/engine/runtime';
import { buildSchedule } from '../../src/engine/schedule/schedules';
import { loadEmbeddingTable } from '../../src/engine/text/embedding-table';
import { readPackTokenizer } from '../../src/engine/text/load-tokenizer';
import { encodePrompt, loadTokenizer } from '../../src/engine/text/tokenize';
import { embeddingFloatTable } from '../../tools/test-packs/fastwan-text';
import { TEST_PACK_IDS } from '../../tools/test-packs/index';
import { diskPackSource } from '../helpers/ort-node';
import {
  f32,
  filesOnDisk,
  openGraph,
  readManifest,
  readPackFile,
  runGraph,
  runStages,
  stats,
  TEST_PACKS_DIR,
  values,
} from '../helpers/test-packs';

ortWeb.env.wasm.numThreads = 1;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const i64 = (v: number[], dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(v.map(BigInt)), dims);
const tokenizerOf = (id: string) => {
  const m = readManifest(id);
  return loadTokenizer(
    JSON.parse(new TextDecoder().decode(readPackFile(id, m.tokenizer.file))) as object,
    m.tokenizer.maxLength,
  );
};
/** A clip-bpe pack's tokenizer, read as the engine reads it. */
const packTokenizer = (id: string, spec = readManifest(id).tokenizer) =>
  readPackTokenizer(diskPackSource(id, TEST_PACKS_DIR), spec);

/** Graphs whose weights are in external data, as in the real packs (SD-Turbo's ORT-web graphs and SDXL-Turbo's webnn ones have none). */
const EXTERNAL: Record<string, string[]> = {
  'test-zimage': ['text_encoder_model_q4f16.onnx', 'transformer_model_q4f16.onnx'],
  'test-sdturbo': [],
  'test-sdxlturbo': [],
  'test-fastwan': ['layer_00.onnx', 'layer_01.onnx', 'block_00.onnx', 'block_01.onnx', 'block_02.onnx'],
};
EXTERNAL['test-fastwan-i2v'] = EXTERNAL['test-fastwan'] as string[];
EXTERNAL['test-fastwan-81'] = EXTERNAL['test-fastwan'] as string[];

describe.each(TEST_PACK_IDS)('%s', (id) => {
  const m = readManifest(id);

  it('pack.json lists exactly the files on disk, each with its bytes and sha256', () => {
    expect(m.id).toBe(id);
    expect(m.demo).toBe(true);
    const listed = manifestFiles(m);
    expect([...listed.map((f) => f.path), 'pack.json'].sort()).toEqual(filesOnDisk(id));
    for (const f of listed) {
      const bytes = readPackFile(id, f.path);
      expect({ path: f.path, bytes: f.bytes, sha256: f.sha256 }).toEqual({
        path: f.path,
        bytes: bytes.byteLength,
        sha256: sha256(bytes),
      });
    }
  });

  it('every graph loads with its external data and holds the graph contract of its manifest', async () => {
    const graphs = manifestGraphs(m);
    const infos = new Map<string, OnnxInfo>();
    for (const contract of graphs) {
      const bytes = readPackFile(id, contract.file);
      const info = await inspectOnnx(
        blobReader(new Blob([bytes as Uint8Array<ArrayBuffer>])),
        bytes.byteLength,
      );
      expect(info.externalData, contract.file).toEqual(contract.externalData);
      infos.set(contract.file, info);
      const spec = presentComponents(m)
        .flatMap(([, c]) => componentGraphs(c))
        .find((g) => g.file === contract.file);
      if (!spec) throw new Error(`no graph spec for ${contract.file}`);
      const session = await openGraph(id, spec);
      expect([...session.inputNames].sort(), contract.file).toEqual(info.inputs.map((i) => i.name).sort());
      await session.release();
    }
    expect(checkContract(m, (f) => infos.get(f)).problems).toEqual([]);
    expect(graphs.filter((g) => g.externalData.length).map((g) => g.file.split('/').at(-1))).toEqual(
      EXTERNAL[id],
    );
  });

  it('every graph also loads in onnxruntime-web (wasm), external data given as {path, data}', async () => {
    for (const g of presentComponents(m).flatMap(([, c]) => componentGraphs(c))) {
      const externalData = g.externalData.map((x) => ({ path: x.path, data: readPackFile(id, x.file) }));
      const session = await ortWeb.InferenceSession.create(readPackFile(id, g.file), {
        executionProviders: ['wasm'],
        externalData,
      });
      await session.release();
    }
  });

  it('every graph boundary is float32 except the real contract’s integer inputs', async () => {
    const ints = new Set(['input_ids', 'timestep', 'ppf', 'pph', 'ppw', 'attention_mask']);
    for (const contract of manifestGraphs(m)) {
      const bytes = readPackFile(id, contract.file);
      const info = await inspectOnnx(
        blobReader(new Blob([bytes as Uint8Array<ArrayBuffer>])),
        bytes.byteLength,
      );
      for (const v of [...info.inputs, ...info.outputs])
        if (v.type !== 'float32')
          expect(ints.has(v.name), `${contract.file}: ${v.name} ${v.type}`).toBe(true);
    }
  });
});

describe('test-zimage', () => {
  const id = 'test-zimage';
  const m = readManifest(id);
  const c = m.components;

  it('scheduler_step computes the Z-Image σ in-graph, agreeing with buildSchedule(flow-diffusers-euler, N, shift 3)', async () => {
    const session = await openGraph(id, c.schedulerStep!);
    const latents = f32(gaussianNoise(16, 1), [1, 16, 1, 1, 1]);
    const noise = f32(gaussianNoise(16, 2), [16, 1, 1, 1]);
    for (let n = 1; n <= 9; n++) {
      const { sigmas } = buildSchedule(m.scheduler, n, 3);
      for (let i = 0; i < n; i++) {
        const out = values(
          (await session.run({ noise_pred: noise, latents, step_info: f32([i, n], [2]) })).latents_out,
        );
        const dSigma = (sigmas[i + 1] as number) - (sigmas[i] as number);
        out.forEach((v, k) =>
          expect(
            Math.abs(v - ((latents.data[k] as number) - dSigma * (noise.data[k] as number))),
            `N=${n} i=${i}`,
          ).toBeLessThan(1e-6),
        );
      }
    }
    await session.release();
  });

  it('the ChatML markers are single added tokens and prompts are not padded', () => {
    const tok = tokenizerOf(id);
    const text = m.tokenizer.chatTemplate!.replace('{prompt}', 'a red ball');
    const ids = tok.encode(text).ids;
    const start = tok.token_to_id('<|im_start|>');
    const end = tok.token_to_id('<|im_end|>');
    expect(ids.filter((i) => i === start)).toHaveLength(2);
    expect(ids.filter((i) => i === end)).toHaveLength(1);
    expect(ids.length).toBeLessThanOrEqual(m.tokenizer.maxLength);
    expect(m.tokenizer.padding).toBe('none');
  });

  it('text → 4 steps (transformer + scheduler_step) → pre-process → decoder gives a finite, varied 64×48 image in [−1, 1]', async () => {
    const ids = tokenizerOf(id).encode(m.tokenizer.chatTemplate!.replace('{prompt}', 'a red ball')).ids;
    const text = await runGraph(id, c.textEncoder, {
      input_ids: i64(ids, [1, ids.length]),
      attention_mask: i64(
        ids.map(() => 1),
        [1, ids.length],
      ),
    });
    const context = text.encoder_hidden_state as ort.Tensor;
    expect(context.dims).toEqual([1, ids.length, 32]);
    const [h, w] = [6, 8];
    let latents: ort.Tensor = f32(gaussianNoise(16 * h * w, 7), [1, 16, 1, h, w]);
    const { timesteps } = buildSchedule(m.scheduler, 4, 3);
    const transformer = await openGraph(id, c.transformer);
    const step = await openGraph(id, c.schedulerStep!);
    for (let i = 0; i < 4; i++) {
      const out = await transformer.run({
        hidden_states: latents,
        timestep: f32([timesteps[i] as number], [1]),
        encoder_hidden_states: context,
      });
      expect(out.unified_results?.dims).toEqual([16, 1, h, w]);
      latents = (
        await step.run({
          noise_pred: out.unified_results as ort.Tensor,
          latents,
          step_info: f32([i, 4], [2]),
        })
      ).latents_out as ort.Tensor;
    }
    await Promise.all([transformer.release(), step.release()]);
    const scaled = (await runGraph(id, c.vaePreProcess!, { latents })).scaled_latents as ort.Tensor;
    expect(scaled.dims).toEqual([1, 16, h, w]);
    values(scaled).forEach((v, k) => expect(v).toBeCloseTo((latents.data[k] as number) / 0.3611 + 0.1159, 4));
    const image = (await runGraph(id, c.vaeDecoder, { latent_sample: scaled })).sample as ort.Tensor;
    expect(image.dims).toEqual([1, 3, 48, 64]);
    const s = stats(values(image));
    expect(s).toMatchObject({ finite: true });
    expect(s.min).toBeGreaterThanOrEqual(-1);
    expect(s.max).toBeLessThanOrEqual(1);
    expect(s.std).toBeGreaterThan(0.1);
  });
});

describe('test-sdturbo', () => {
  const id = 'test-sdturbo';
  const m = readManifest(id);
  const c = m.components;

  it('unpadded int32 CLIP ids → one ε step at t = 999 → x0/0.18215 → a finite, varied 32×32 image', async () => {
    const tok = await packTokenizer(id);
    const ids = encodePrompt(tok, 'a blue fish in the ocean', m.tokenizer.maxLength, m.tokenizer.padId, {
      padding: m.tokenizer.padding,
      truncation: m.tokenizer.truncation,
    }).ids;
    // BOS, one token per word (the test vocabulary merges whole words), EOS; no padding.
    expect(ids).toHaveLength(8);
    expect(Number(ids[0])).toBe(tok.token_to_id('<|startoftext|>'));
    expect(Number(ids.at(-1))).toBe(tok.token_to_id('<|endoftext|>'));
    const text = await runGraph(id, c.textEncoder, {
      input_ids: new ort.Tensor('int32', Int32Array.from(ids, Number), [1, ids.length]),
    });
    expect((text.last_hidden_state as ort.Tensor).dims).toEqual([1, 8, 32]);
    const { sigmas, timesteps } = buildSchedule(m.scheduler, 1, 1);
    expect(timesteps).toEqual([999]);
    const sigma = sigmas[0] as number;
    const x = gaussianNoise(4 * 4 * 4, 3).map((v) => v * sigma);
    const scaledIn = f32(
      x.map((v) => v / Math.sqrt(sigma * sigma + 1)),
      [1, 4, 4, 4],
    );
    const eps = values(
      (
        await runGraph(id, c.transformer, {
          sample: scaledIn,
          timestep: new ort.Tensor('int64', BigInt64Array.of(999n), [1]),
          encoder_hidden_states: text.last_hidden_state as ort.Tensor,
        })
      ).out_sample,
    );
    const x0 = x.map((v, k) => v - sigma * (eps[k] as number));
    expect(Math.max(...x0.map(Math.abs))).toBeLessThan(3);
    const scale = c.vaeDecoder.latentScale[0] as number;
    const image = (
      await runGraph(id, c.vaeDecoder, {
        latent_sample: f32(
          x0.map((v) => v * scale),
          [1, 4, 4, 4],
        ),
      })
    ).sample as ort.Tensor;
    expect(image.dims).toEqual([1, 3, 32, 32]);
    const s = stats(values(image));
    expect(s.finite && s.min >= -1 && s.max <= 1).toBe(true);
    expect(s.std).toBeGreaterThan(0.1);
  });
});

describe('test-fastwan', () => {
  const id = 'test-fastwan';
  const m = readManifest(id);
  const c = m.components;
  const table = c.textEncoder.embedding!;
  const q = new Int8Array(readPackFile(id, table.file).buffer);
  const scales = f16BitsToF32(new Uint16Array(readPackFile(id, table.scales!).buffer));
  /** Row `r` of the table decoded by hand: int8 · float16 scale. */
  const row = (r: number) =>
    Array.from(q.subarray(r * table.dim, (r + 1) * table.dim), (v) => v * (scales[r] as number));

  it('the int8 table has [rows, dim] int8 rows and float16 row scales; a row decodes as int8 · scale, as the engine looks it up', async () => {
    expect([q.length, scales.length]).toEqual([table.rows * table.dim, table.rows]);
    const reference = embeddingFloatTable(table.rows);
    const engineTable = await loadEmbeddingTable(diskPackSource(id, TEST_PACKS_DIR), table);
    for (const r of [0, 7, table.rows - 1]) {
      const scale = scales[r] as number;
      expect(Array.from(engineTable.lookup([r]))).toEqual(row(r).map(Math.fround));
      row(r).forEach((v, k) =>
        expect(Math.abs(v - (reference[r * table.dim + k] as number))).toBeLessThanOrEqual(scale / 2 + 1e-6),
      );
      expect(
        Math.max(...Array.from(q.subarray(r * table.dim, (r + 1) * table.dim), Math.abs)),
      ).toBeGreaterThanOrEqual(126);
    }
  });

  it('the tokenizer appends </s> through its post-processor; prompts pad to 16 with id 0', () => {
    const tok = tokenizerOf(id);
    const enc = encodePrompt(tok, 'a red ball', m.tokenizer.maxLength, m.tokenizer.padId);
    expect(Number(enc.ids[enc.length - 1])).toBe(tok.token_to_id('</s>'));
    expect([...enc.ids.slice(enc.length)].every((v) => v === 0n)).toBe(true);
  });

  it('runs the text-encoder and transformer stage chains by hand at 96×64, 9 frames, then decodes', async () => {
    const enc = encodePrompt(
      tokenizerOf(id),
      'a red ball rolling left',
      m.tokenizer.maxLength,
      m.tokenizer.padId,
    );
    const embeds = new Float32Array(m.tokenizer.maxLength * table.dim);
    for (let s = 0; s < m.tokenizer.maxLength; s++) embeds.set(row(Number(enc.ids[s])), s * table.dim);
    const mask = Float32Array.from({ length: m.tokenizer.maxLength }, (_, s) =>
      s < enc.length ? 0 : -65504,
    );
    const text = await runStages(id, c.textEncoder, {
      hidden_states: f32(embeds, [1, 16, table.dim]),
      attention_mask: f32(mask, [1, 1, 1, 16]),
    });
    const hidden = values(text.get('last_hidden_state')).slice();
    expect(text.get('last_hidden_state')?.dims).toEqual([1, 16, table.dim]);
    hidden.fill(0, enc.length * table.dim);

    const [T, h, w] = [(9 - 1) / 4 + 1, 64 / 16, 96 / 16];
    const seq = T * (h / 2) * (w / 2);
    const latents = f32(gaussianNoise(48 * T * h * w, 5), [1, 48, T, h, w]);
    const slots = await runStages(id, c.transformer, {
      latents,
      timestep: i64(new Array(seq).fill(1000), [1, seq]),
      encoder_hidden_states: f32(hidden, [1, 16, table.dim]),
    });
    const shapes = Object.fromEntries(
      [
        'tokens',
        'enc_proj',
        'timestep_proj',
        'temb',
        'freqs_cos',
        'freqs_sin',
        'noise_pred',
        'ppf',
        'pph',
        'ppw',
      ].map((n) => [n, slots.get(n)?.dims]),
    );
    expect(shapes).toEqual({
      tokens: [1, seq, 32],
      enc_proj: [1, 16, 32],
      timestep_proj: [1, seq, 6, 32],
      temb: [1, seq, 32],
      freqs_cos: [1, seq, 1, 8],
      freqs_sin: [1, seq, 1, 8],
      noise_pred: [1, 48, T, h, w],
      ppf: [],
      pph: [],
      ppw: [],
    });
    const v = stats(values(slots.get('noise_pred')));
    expect(v.finite && v.std > 0.1).toBe(true);

    // x0 = x − σ·v at σ = 1, then the decoder's NTCHW input latent·std + mean per channel.
    const x0 = values(latents).map((x, k) => x - (values(slots.get('noise_pred'))[k] as number));
    const plane = h * w;
    const ntchw = new Float32Array(x0.length);
    for (let ch = 0; ch < 48; ch++) {
      for (let t = 0; t < T; t++) {
        for (let p = 0; p < plane; p++)
          ntchw[(t * 48 + ch) * plane + p] =
            (x0[(ch * T + t) * plane + p] as number) * (c.vaeDecoder.latentScale[ch] as number) +
            (c.vaeDecoder.latentShift[ch] as number);
      }
    }
    const frames = (await runGraph(id, c.vaeDecoder, { latents: f32(ntchw, [1, T, 48, h, w]) }))
      .frames as ort.Tensor;
    expect(frames.dims).toEqual([1, 9, 3, 64, 96]);
    const f = stats(values(frames));
    expect(f.finite && f.min >= 0 && f.max <= 1 && f.std > 0.05).toBe(true);
  });

  it('shell_post un-patchifies with ppf/pph/ppw: swapped pph/ppw rearrange the output, a wrong ppf fails', async () => {
    const post = c.transformer.stages!.at(-1)!;
    const feeds = (ppf: number, pph: number, ppw: number) => ({
      hidden_states: f32(gaussianNoise(18 * 32, 1), [1, 18, 32]),
      temb: f32(gaussianNoise(18 * 32, 2), [1, 18, 32]),
      ppf: i64([ppf], []),
      pph: i64([pph], []),
      ppw: i64([ppw], []),
    });
    expect((await runGraph(id, post, feeds(3, 2, 3))).noise_pred?.dims).toEqual([1, 48, 3, 4, 6]);
    expect((await runGraph(id, post, feeds(3, 3, 2))).noise_pred?.dims).toEqual([1, 48, 3, 6, 4]);
    await expect(runGraph(id, post, feeds(2, 2, 3))).rejects.toThrow();
  });
});

describe('test-fastwan-i2v', () => {
  const id = 'test-fastwan-i2v';
  const m = readManifest(id);
  const c = m.components;

  it('the VAE encoder maps an image to [1, 48, 1, h, w] latents that the decoder turns back into it', async () => {
    expect(m.pipeline).toBe('i2v-flow-dit');
    // An image constant over each 16×16 block: the encoder's block mean loses nothing.
    const [H, W] = [64, 96];
    const blocks = gaussianNoise(3 * (H / 16) * (W / 16), 9).map((v) => Math.tanh(v));
    const image = Float32Array.from(
      { length: 3 * H * W },
      (_, k) =>
        blocks[
          Math.floor(k / (H * W)) * 24 + Math.floor((k % (H * W)) / W / 16) * 6 + Math.floor((k % W) / 16)
        ] as number,
    );
    const latents = (await runGraph(id, c.vaeEncoder!, { image: f32(image, [1, 3, 1, H, W]) }))
      .latents as ort.Tensor;
    expect(latents.dims).toEqual([1, 48, 1, 4, 6]);
    const frames = (await runGraph(id, c.vaeDecoder, { latents: f32(values(latents), [1, 1, 48, 4, 6]) }))
      .frames as ort.Tensor;
    expect(frames.dims).toEqual([1, 1, 3, H, W]);
    values(frames).forEach((v, k) => expect(Math.abs(v - ((image[k] as number) + 1) / 2)).toBeLessThan(1e-3));
  });
});
