/**
 * The SDXL-Turbo contract end to end in Node (onnxruntime-node) on test-sdxlturbo: two CLIP
 * tokenizers and text encoders (int32 / int64 ids padded to 77), their hidden states joined on
 * the last axis (first encoder first), the pooled `text_embeds` and `time_ids` = [H, W, 0, 0, H, W]
 * fed to the UNet, one ε step at t = 999, and the manifest checks that keep it data-driven.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine';
import { loadPack } from '../../src/engine/pack/load-pack';
import { parseManifest, parseManifestText } from '../../src/engine/pack/manifest';
import { manifestFiles } from '../../src/engine/pack/pack-files';
import { generate } from '../../src/engine/pipeline/generate';
import { defaultRequest } from '../../src/engine/request';
import { type OrtTensor, readFloats } from '../../src/engine/runtime';
import { encodeConditioning } from '../../src/engine/text/conditioning';
import { readPackTokenizer } from '../../src/engine/text/load-tokenizer';
import { encodePrompt } from '../../src/engine/text/tokenize';
import { thrown } from '../helpers/errors';
import { CPU_ONLY, diskPackSource, ortNodeModule } from '../helpers/ort-node';
import { readManifest, runGraph, TEST_PACKS_DIR, values } from '../helpers/test-packs';

const ID = 'test-sdxlturbo';
const PROMPT = 'a red ball on a blue table';
const src = () => diskPackSource(ID, TEST_PACKS_DIR);
const raw = () =>
  JSON.parse(readFileSync(join(TEST_PACKS_DIR, ID, 'pack.json'), 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;

describe('SDXL-Turbo contract (test-sdxlturbo)', () => {
  it('downloads both tokenizers (tokenizer/, tokenizer_2/ tokenizer.json) and the four graphs under onnx/', () => {
    expect(manifestFiles(readManifest(ID)).map((f) => f.path)).toEqual([
      'tokenizer/tokenizer.json',
      'tokenizer_2/tokenizer.json',
      'onnx/text_encoder_model_q4f16.onnx',
      'onnx/text_encoder_2_model_q4f16.onnx',
      'onnx/unet_model_q4f16.onnx',
      'onnx/vae_decoder_model_q4f16.onnx',
    ]);
  });

  it('context = [hidden_states.11 | hidden_states.31] on the last axis from int32 / int64 ids padded to 77; text_embeds from the second encoder', async () => {
    const m = readManifest(ID);
    const pack = await loadPack(src(), m, ortNodeModule, 'wasm');
    try {
      const c = await encodeConditioning(ortNodeModule, pack, PROMPT);
      expect(c.context.dims).toEqual([1, 77, 40]);
      expect(c.textEmbeds?.dims).toEqual([1, 24]);
      const ids = async (which: 'tokenizer' | 'tokenizer2') => {
        const spec = m[which];
        if (!spec) throw new Error(`no ${which}`);
        return encodePrompt(await readPackTokenizer(src(), spec), PROMPT, spec.maxLength, spec.padId, {
          truncation: spec.truncation,
        }).ids;
      };
      const [ids1, ids2] = [await ids('tokenizer'), await ids('tokenizer2')];
      // Padded with <|endoftext|> (the last id) and with id 0 ("!"), as the two real tokenizer configs say.
      expect([Number(ids1.at(-1)), Number(ids2.at(-1))]).toEqual([m.tokenizer.padId, 0]);
      expect(m.tokenizer.padId).toBe(
        (await readPackTokenizer(src(), m.tokenizer)).token_to_id('<|endoftext|>'),
      );
      const h1 = values(
        (
          await runGraph(ID, m.components.textEncoder, {
            input_ids: new ort.Tensor('int32', Int32Array.from(ids1, Number), [1, 77]),
          })
        )['hidden_states.11'],
      );
      const out2 = await runGraph(ID, m.components.textEncoder2!, {
        input_ids: new ort.Tensor('int64', ids2, [1, 77]),
      });
      const h2 = values(out2['hidden_states.31']);
      const ctx = await readFloats(c.context);
      for (const row of [0, 5, 76]) {
        expect(Array.from(ctx.subarray(row * 40, row * 40 + 16))).toEqual(
          Array.from(h1.subarray(row * 16, row * 16 + 16)),
        );
        expect(Array.from(ctx.subarray(row * 40 + 16, row * 40 + 40))).toEqual(
          Array.from(h2.subarray(row * 24, row * 24 + 24)),
        );
      }
      expect(Array.from(await readFloats(c.textEmbeds as OrtTensor))).toEqual(
        Array.from(values(out2.text_embeds)),
      );
    } finally {
      await pack.release();
    }
  });

  it('feeds the UNet text_embeds and time_ids = [H, W, 0, 0, H, W] with a float timestep 999, and decodes one varied image', async () => {
    const m = readManifest(ID);
    const pack = await loadPack(src(), m, ortNodeModule, 'wasm');
    const seen: Record<string, { dims: readonly number[]; data: number[] }>[] = [];
    const unet = pack.transformer;
    pack.transformer = {
      ...unet,
      run: async (inputs) => {
        seen.push(
          Object.fromEntries(
            await Promise.all(
              Object.entries(inputs).map(
                async ([k, t]) =>
                  [k, { dims: t.dims, data: Array.from(await readFloats(t)).slice(0, 8) }] as const,
              ),
            ),
          ),
        );
        return unet.run(inputs);
      },
    };
    try {
      const r = { ...defaultRequest(m, PROMPT), resolution: '64x48' };
      const out = await generate(pack, ortNodeModule, r);
      expect(out.sigmas[0]).toBeCloseTo(14.6146, 3);
      expect(seen).toHaveLength(1);
      const fed = seen[0]!;
      expect(Object.keys(fed).sort()).toEqual(['context', 'latents', 'textEmbeds', 'timeIds', 'timestep']);
      expect(fed.timeIds).toEqual({ dims: [1, 6], data: [48, 64, 0, 0, 48, 64] });
      expect(fed.timestep?.data).toEqual([999]);
      expect(fed.latents?.dims).toEqual([1, 4, 6, 8]);
      expect(out.frames.count).toBe(1);
      let [lo, hi] = [255, 0];
      for (let i = 0; i < out.frames.rgba.length; i += 4)
        [lo, hi] = [Math.min(lo, out.frames.rgba[i] as number), Math.max(hi, out.frames.rgba[i] as number)];
      expect(hi - lo).toBeGreaterThan(20);
    } finally {
      await pack.release();
    }
  });

  it('through the engine: the prompt changes the image (the joined context and pooled embeds reach the UNet)', async () => {
    const m = parseManifestText(readFileSync(join(TEST_PACKS_DIR, ID, 'pack.json'), 'utf8'));
    const engine = createEngine({
      ort: ortNodeModule,
      sourceFor: async () => src(),
      probe: async () => CPU_ONLY,
    });
    const a = await engine.generate('a', defaultRequest(m, PROMPT));
    const b = await engine.generate('b', defaultRequest(m, 'a green cat over the sea'));
    const again = await engine.generate('c', defaultRequest(m, PROMPT));
    expect(again.frames.rgba).toEqual(a.frames.rgba);
    expect(a.latent.some((v, i) => Math.abs(v - (b.latent[i] as number)) > 1e-4)).toBe(true);
  });

  it('pack.json: a second encoder needs tokenizer2 (and back), and textEmbeds needs exactly one pooled output', () => {
    const noTok2 = raw();
    delete noTok2.tokenizer2;
    expect(thrown(() => parseManifest(noTok2)).message).toContain(
      'tokenizer2: components.textEncoder2 needs its own tokenizer',
    );
    const noEnc2 = raw();
    delete noEnc2.components?.textEncoder2;
    expect(thrown(() => parseManifest(noEnc2)).message).toContain(
      'components.textEncoder2: tokenizer2 is only read for components.textEncoder2',
    );
    const noPooled = raw();
    (noPooled.components?.textEncoder2 as { outputs: Record<string, string> }).outputs = {
      hiddenStates: 'hidden_states.31',
    };
    expect(thrown(() => parseManifest(noPooled)).message).toContain(
      'components.transformer.inputs.textEmbeds: fed from the one text encoder that maps outputs.pooled; none does',
    );
    const badRole = raw();
    (badRole.components?.transformer as { inputs: Record<string, string> }).inputs.addTimeIds = 'time_ids';
    expect(thrown(() => parseManifest(badRole)).message).toContain(
      'components.transformer.inputs.addTimeIds: unknown role. Should be one of: latents, timestep, context, textEmbeds, timeIds',
    );
  });
});
