/** The image captioner on the generated test-captioner pack (onnxruntime-node): the caption names
 * the start image's dominant colour, the Florence-2 feeds (pixel_values size and normalisation,
 * image features before the task prompt, mask of ones, zero-length past, cache branch off),
 * abort, and the manifest checks. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captionImage, pixelValues, releaseCaptioner } from '../../src/engine/enhancer/captioner';
import { parseCaptionerSpec } from '../../src/engine/enhancer/captioner-spec';
import { openCaptionerPack } from '../../src/engine/enhancer/open-captioner';
import { pngDataUrl } from '../../src/engine/media/png-decode';
import type { OrtSession, OrtTensor } from '../../src/engine/runtime';
import { TEST_CAPTIONER_ID, testCaption } from '../../tools/test-packs/captioner';
import { diskPackSource, ortNodeModule } from '../helpers/ort-node';
import { png } from '../helpers/png';
import { TEST_PACKS_DIR } from '../helpers/test-packs';

const open = () =>
  openCaptionerPack(ortNodeModule, diskPackSource(TEST_CAPTIONER_ID, TEST_PACKS_DIR), 'wasm');

/** A w×h RGB PNG data URL filled with `rgb`, with a grey square in the middle. */
function image(rgb: [number, number, number], w = 48, h = 40): string {
  const px = new Uint8Array(w * h * 3);
  for (let p = 0; p < w * h; p++) {
    const y = Math.floor(p / w);
    const x = p % w;
    const centre = x > w / 3 && x < (2 * w) / 3 && y > h / 3 && y < (2 * h) / 3;
    px.set(centre ? [128, 128, 128] : rgb, p * 3);
  }
  return pngDataUrl(png(w, h, 2, 3, px, 0));
}

describe('captioner (test-captioner pack)', () => {
  it('names the dominant colour of the image', async () => {
    const c = await open();
    expect(await captionImage(ortNodeModule, c, image([220, 30, 40]))).toBe(testCaption('red'));
    expect(await captionImage(ortNodeModule, c, image([20, 200, 60]))).toBe(testCaption('green'));
    expect(await captionImage(ortNodeModule, c, image([10, 60, 240], 17, 64))).toBe(testCaption('blue'));
    await releaseCaptioner(c);
  });

  it('feeds the Florence-2 tensors: pixels at imageSize, image features first, zero-length past', async () => {
    const c = await open();
    const feeds: Record<string, Record<string, readonly number[]>>[] = [];
    for (const [name, session] of Object.entries(c.sessions)) {
      const run = session.run.bind(session);
      const wrapped = Object.create(session) as OrtSession;
      wrapped.run = ((f: Record<string, OrtTensor>) => {
        feeds.push({ [name]: Object.fromEntries(Object.entries(f).map(([k, t]) => [k, t.dims])) });
        return run(f);
      }) as OrtSession['run'];
      c.sessions[name as keyof typeof c.sessions] = wrapped;
    }
    await captionImage(ortNodeModule, c, image([220, 30, 40]));
    const s = c.spec.imageSize;
    expect(feeds[0]).toEqual({ visionEncoder: { pixel_values: [1, 3, s, s] } });
    const prompt = feeds[1]?.embedTokens?.input_ids?.[1] as number;
    // "<s> describe in detail what is shown in the image . </s>"
    expect(prompt).toBe(12);
    expect(feeds[2]?.encoder).toMatchObject({ attention_mask: [1, 1 + prompt] });
    const decoder = feeds.filter((f) => f.decoder).map((f) => f.decoder);
    // </s> → <s> a mostly red scene </s>: six steps, each over all tokens so far.
    expect(decoder.map((d) => d?.inputs_embeds?.[1])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(decoder[0]).toMatchObject({
      encoder_attention_mask: [1, 1 + prompt],
      use_cache_branch: [1],
      'past_key_values.0.decoder.key': [1, c.spec.heads, 0, c.spec.headDim],
      'past_key_values.0.encoder.value': [1, c.spec.heads, 0, c.spec.headDim],
    });
  });

  it('normalises pixels with the pack mean and std', async () => {
    const c = await open();
    const t = pixelValues(
      ortNodeModule,
      c.spec,
      pngDataUrl(png(2, 2, 2, 3, new Uint8Array(12).fill(255), 0)),
    );
    const plane = c.spec.imageSize ** 2;
    for (let ch = 0; ch < 3; ch++)
      expect((t.data as Float32Array)[ch * plane]).toBeCloseTo((1 - c.spec.mean[ch]!) / c.spec.std[ch]!, 5);
  });

  it('stops when aborted', async () => {
    const c = await open();
    const ctrl = new AbortController();
    ctrl.abort();
    await expect(
      captionImage(ortNodeModule, c, image([220, 30, 40]), { signal: ctrl.signal }),
    ).rejects.toThrow(expect.objectContaining({ name: 'AbortError' }));
  });

  it('rejects a captioner section that lacks a graph or has a bad std, naming the field', () => {
    const manifest = JSON.parse(readFileSync(join(TEST_PACKS_DIR, TEST_CAPTIONER_ID, 'pack.json'), 'utf8'));
    const section = (manifest as { captioner: Record<string, unknown> }).captioner;
    expect(parseCaptionerSpec(section).decoder.file).toBe('onnx/decoder_model_merged.onnx');
    expect(() => parseCaptionerSpec({ ...section, visionEncoder: undefined })).toThrow(
      /captioner\.visionEncoder/,
    );
    expect(() => parseCaptionerSpec({ ...section, std: [0.2, 0, 0.2] })).toThrow(
      /captioner\.std must be three numbers above 0/,
    );
    expect(() => parseCaptionerSpec(undefined)).toThrow(/not an image-captioner pack/);
  });
});

describe('the real captioner pack contract and its test mirror', () => {
  it('test-captioner mirrors florence-2-base-ft: graph files, tokenizer, prompt, tokens, preprocessing, tensor names', async () => {
    const read = (path: string) =>
      JSON.parse(readFileSync(path, 'utf8')) as {
        pipeline: string;
        captioner: unknown;
        tokenizer: { file: string };
      };
    const real = read(
      join(import.meta.dirname, '..', '..', 'public', 'models', 'florence-2-base-ft', 'pack.json'),
    );
    const mirror = read(join(TEST_PACKS_DIR, TEST_CAPTIONER_ID, 'pack.json'));
    const r = parseCaptionerSpec(real.captioner);
    const m = parseCaptionerSpec(mirror.captioner);
    expect(mirror.pipeline).toBe(real.pipeline);
    expect(mirror.tokenizer.file).toBe(real.tokenizer.file);
    expect(r).toMatchObject({ imageSize: 768, decoderLayers: 6, heads: 12, headDim: 64 });
    const same = (s: typeof r) => ({
      files: [s.visionEncoder, s.embedTokens, s.encoder, s.decoder].map((g) => g.file),
      mean: s.mean,
      std: s.std,
      taskPrompt: s.taskPrompt,
      decoderStart: s.decoderStart,
      eos: s.eos,
    });
    expect(same(m)).toEqual(same(r));
    const c = await open();
    const io = (x: OrtSession) => [[...x.inputNames].sort(), [...x.outputNames]];
    expect(io(c.sessions.visionEncoder)).toEqual([['pixel_values'], ['image_features']]);
    expect(io(c.sessions.embedTokens)).toEqual([['input_ids'], ['inputs_embeds']]);
    expect(io(c.sessions.encoder)).toEqual([['attention_mask', 'inputs_embeds'], ['last_hidden_state']]);
    const past = ['decoder', 'encoder'].flatMap((p) =>
      ['key', 'value'].map((k) => `past_key_values.0.${p}.${k}`),
    );
    expect(io(c.sessions.decoder)).toEqual([
      [
        'encoder_attention_mask',
        'encoder_hidden_states',
        'inputs_embeds',
        ...past,
        'use_cache_branch',
      ].sort(),
      ['logits'],
    ]);
  });
});
