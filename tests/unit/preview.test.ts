/** Live previews (src/engine/pipeline/preview.ts): factor projection bytes, the min/max fallback,
 * frame choice, preview cadence, and the demo pack's factors against its real VAE decoder. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../src/engine/pack/manifest';
import { toRgbaFrames } from '../../src/engine/pipeline/frames';
import { isPreviewStep, latentPreview, previewEvery } from '../../src/engine/pipeline/preview';
import { mulberry32 } from '../../src/engine/random';
import { targetLatent } from '../../tools/demo-pack/reference';
import { PACKS_DIR } from '../helpers/ort-node';

/** A [1, C, T, h, w] latent whose value at (c, t, y, x) is `at(c, t, p)` with p = y·w + x. */
function makeLatent(
  shape: [number, number, number, number],
  at: (c: number, t: number, p: number) => number,
): Float32Array {
  const [c, t, h, w] = shape;
  const out = new Float32Array(c * t * h * w);
  for (let k = 0; k < c; k++)
    for (let f = 0; f < t; f++) for (let p = 0; p < h * w; p++) out[(k * t + f) * h * w + p] = at(k, f, p);
  return out;
}

/** RGB bytes of every pixel, alpha dropped (after checking it is 255). */
function rgbOf(rgba: Uint8ClampedArray): number[][] {
  const px: number[][] = [];
  for (let o = 0; o < rgba.length; o += 4) {
    expect(rgba[o + 3]).toBe(255);
    px.push([rgba[o] as number, rgba[o + 1] as number, rgba[o + 2] as number]);
  }
  return px;
}

describe('latentPreview with factors', () => {
  it('projects bias + Σ z·factors from [−1, 1] to bytes, clamped', () => {
    // 2 channels, 1 frame, 1×3: pixel values chosen to land on exact bytes and on both clamps.
    const z = Float32Array.of(0, 0.5, 2, /* channel 1 */ 0, -0.5, -1);
    const out = latentPreview(z, [1, 2, 1, 1, 3], {
      rgbFactors: [
        [1, 0, 0.5],
        [0, 1, -1],
      ],
      rgbBias: [0, 0.25, 0],
      step: 3,
      total: 8,
    });
    expect(out).toMatchObject({ width: 3, height: 1, step: 3, total: 8 });
    // Values are binary fractions, so the bytes are exact: byte = round((v + 1) · 127.5).
    // p0: r=0, g=0.25, b=0 → 128 (127.5 rounds up), 159, 128
    // p1: r=0.5, g=0.25−0.5=−0.25, b=0.25+0.5=0.75 → 191, 96, 223
    // p2: r=2 (clamps), g=0.25−1=−0.75, b=1+1=2 (clamps) → 255, 32, 255
    expect(rgbOf(out.rgba)).toEqual([
      [128, 159, 128],
      [191, 96, 223],
      [255, 32, 255],
    ]);
  });

  it('defaults the bias to zero and rejects a factor table of the wrong height', () => {
    const z = Float32Array.of(-1, 1);
    expect(
      rgbOf(latentPreview(z, [1, 1, 1, 1, 2], { rgbFactors: [[1, -1, 0]], step: 1, total: 1 }).rgba),
    ).toEqual([
      [0, 255, 128],
      [255, 0, 128],
    ]);
    expect(() =>
      latentPreview(z, [1, 1, 1, 1, 2], {
        rgbFactors: [
          [1, 0, 0],
          [0, 1, 0],
        ],
        step: 1,
        total: 1,
      }),
    ).toThrow(/2 rows, the latent has 1 channels/);
  });

  it('rejects a shape that does not match the data', () => {
    expect(() => latentPreview(new Float32Array(7), [1, 1, 1, 2, 4], { step: 1, total: 1 })).toThrow(
      RangeError,
    );
    expect(() => latentPreview(new Float32Array(8), [1, 8], { step: 1, total: 1 })).toThrow(RangeError);
  });
});

describe('latentPreview fallback (no factors)', () => {
  it('stretches channels 0–2 each to their own min/max; extra channels are ignored', () => {
    const z = makeLatent(
      [4, 1, 1, 3],
      (c, _t, p) =>
        [
          [-4, 0, 4],
          [10, 11, 12],
          [0.1, 0.1, 0.3],
          [99, -99, 0],
        ][c]?.[p] as number,
    );
    expect(rgbOf(latentPreview(z, [1, 4, 1, 1, 3], { step: 1, total: 1 }).rgba)).toEqual([
      [0, 0, 0],
      [128, 128, 0],
      [255, 255, 255],
    ]);
  });

  it('replicates channel 0 when C < 3 and shows a flat channel as mid-grey', () => {
    const ramp = makeLatent([2, 1, 2, 1], (c, _t, p) => (c === 0 ? p * 5 : 7));
    expect(rgbOf(latentPreview(ramp, [1, 2, 1, 2, 1], { step: 1, total: 1 }).rgba)).toEqual([
      [0, 0, 0],
      [255, 255, 255],
    ]);
    const flat = new Float32Array(4).fill(3);
    expect(rgbOf(latentPreview(flat, [1, 1, 1, 2, 2], { step: 1, total: 1 }).rgba)).toEqual(
      Array(4).fill([128, 128, 128]),
    );
  });
});

describe('latentPreview frame selection', () => {
  // One channel whose value is the frame index everywhere: factor 1/8 maps frame t to byte round((t/8 + 1)·127.5).
  const z = makeLatent([1, 5, 2, 2], (_c, t) => t);
  const byteOf = (frame?: number) =>
    latentPreview(z, [1, 1, 5, 2, 2], { frame, rgbFactors: [[0.125, 0.125, 0.125]], step: 1, total: 1 })
      .rgba[0];

  it('defaults to the middle frame and honours an explicit one', () => {
    expect(byteOf()).toBe(Math.round((2 / 8 + 1) * 127.5));
    expect(byteOf(0)).toBe(128);
    expect(byteOf(4)).toBe(Math.round((4 / 8 + 1) * 127.5));
    expect(
      latentPreview(
        makeLatent([1, 4, 1, 1], (_c, t) => t),
        [1, 1, 4, 1, 1],
        { rgbFactors: [[0.125, 0, 0]], step: 1, total: 1 },
      ).rgba[0],
    ).toBe(Math.round((1 / 8 + 1) * 127.5));
  });

  it('rejects a frame outside the latent', () => {
    expect(() => byteOf(5)).toThrow(/frame 5 is outside 0…4/);
    expect(() => byteOf(-1)).toThrow(RangeError);
  });
});

describe('preview cadence', () => {
  const previewSteps = (total: number) =>
    Array.from({ length: total }, (_, i) => i + 1).filter((s) => isPreviewStep(s, total));

  it.each([
    [1, 1, [1]],
    [4, 1, [1, 2, 3, 4]],
    [8, 1, [1, 2, 3, 4, 5, 6, 7, 8]],
    [30, 4, [4, 8, 12, 16, 20, 24, 28, 30]],
    [50, 7, [7, 14, 21, 28, 35, 42, 49, 50]],
  ])('%i steps: every %i, previews after %j', (total, every, steps) => {
    expect(previewEvery(total)).toBe(every);
    expect(previewSteps(total)).toEqual(steps);
  });

  it('never previews on step 0 and always on the last step', () => {
    expect(isPreviewStep(0, 8)).toBe(false);
    for (const total of [3, 9, 17, 50]) expect(isPreviewStep(total, total)).toBe(true);
  });
});

describe('demo pack preview factors', () => {
  const packDir = join(PACKS_DIR, 'demo-t2v');
  const manifest = parseManifestText(readFileSync(join(packDir, 'pack.json'), 'utf8'));
  const s = manifest.latent.spatialCompression;

  /** Decodes a [1, C, T, h, w] latent with the pack's VAE (onnxruntime-node) and keeps the top-left pixel of every s×s block (the decoder upsamples nearest). */
  async function decodeAtLatentRes(
    latent: Float32Array,
    shape: number[],
    frame: number,
  ): Promise<Uint8Array> {
    const session = await ortNode.InferenceSession.create(
      readFileSync(join(packDir, manifest.components.vaeDecoder.file)),
    );
    const io = manifest.components.vaeDecoder;
    const out = (
      await session.run({ [io.inputs.latents as string]: new ortNode.Tensor('float32', latent, shape) })
    )[io.outputs.frames as string] as ortNode.Tensor;
    const stack = toRgbaFrames(out.data as Float32Array, out.dims, io.outputLayout, io.outputRange);
    const [h, w] = [shape[3] as number, shape[4] as number];
    const small = new Uint8Array(h * w * 4);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = ((frame * stack.height + y * s) * stack.width + x * s) * 4;
        small.set(stack.rgba.subarray(o, o + 4), (y * w + x) * 4);
      }
    }
    await session.release();
    return small;
  }

  it('ships factors for every latent channel; the random test pack leaves them out', () => {
    expect(manifest.preview?.rgbFactors).toHaveLength(manifest.latent.channels);
    const random = parseManifestText(readFileSync(join(PACKS_DIR, 'test-t2v-random', 'pack.json'), 'utf8'));
    expect(random.preview).toBeUndefined();
  });

  // Clean target (in range) and a half-denoised x_t = (1 − σ)·x0 + σ·ε with σ = 0.6 (clamps both ways).
  it.each([
    ['the clean target', 0],
    ['a noisy mid-run latent', 0.6],
  ])('reproduces the VAE decoder byte for byte on %s', async (_label, sigma) => {
    const [c, t, h, w] = [manifest.latent.channels, 5, 16, 24];
    const x0 = targetLatent('a red ball on sky moving right', t, h, w);
    const rand = mulberry32(7);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const latent = Float32Array.from(x0, (v) => (1 - sigma) * v + sigma * gauss());
    const shape = [1, c, t, h, w];
    for (const frame of [0, 2, 4]) {
      const preview = latentPreview(latent, shape, { frame, ...manifest.preview, step: 1, total: 1 });
      const decoded = await decodeAtLatentRes(latent, shape, frame);
      let maxDiff = 0;
      for (let i = 0; i < decoded.length; i++)
        maxDiff = Math.max(maxDiff, Math.abs((decoded[i] as number) - (preview.rgba[i] as number)));
      // Measured: 0 on every byte, clamped pixels included (the decoder is per-pixel linear and both
      // round the same way); 1 is allowed for a float32 (ORT) vs float64 sum landing on a .5 boundary.
      expect(maxDiff).toBeLessThanOrEqual(1);
    }
  });
});
