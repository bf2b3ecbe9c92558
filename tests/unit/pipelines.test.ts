/**
 * Every generation pipeline end to end in Node (onnxruntime-node) on the test packs that carry
 * the real packs' I/O contracts: Z-Image (t2i-flow-dit, its own scheduler-step and VAE
 * pre-process graphs), SD-Turbo (t2i-eps-unet), FastWan (block-streamed t2v) and its i2v twin.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pngDataUrl } from '../../src/engine/media/png-decode';
import type { PackSource } from '../../src/engine/pack/pack-source';
import { createEngine } from '../../src/engine/engine';
import { defaultRequest, type TaskRequest } from '../../src/engine/request';
import { parseManifestText } from '../../src/engine/pack/manifest';
import { loadPack, readManifest } from '../../src/engine/pack/load-pack';
import { readFloats } from '../../src/engine/runtime';
import { encodeText } from '../../src/engine/text/encode-text';
import { encodePrompt } from '../../src/engine/text/tokenize';
import { CPU_ONLY, diskPackSource, ortNodeModule } from '../helpers/ort-node';
import { png } from '../helpers/png';

const TEST_PACKS = join(import.meta.dirname, '..', '..', 'test-packs');

/** Reads a test pack from disk, optionally with pack.json edited. */
function source(id: string, edit?: (m: Record<string, unknown>) => void): PackSource {
  const disk = diskPackSource(id, TEST_PACKS);
  if (!edit) return disk;
  return {
    ...disk,
    async readBytes(file) {
      if (file !== 'pack.json') return disk.readBytes(file);
      const m = JSON.parse(await readFile(join(TEST_PACKS, id, 'pack.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      edit(m);
      return new TextEncoder().encode(JSON.stringify(m));
    },
  };
}

function engineFor(src: PackSource) {
  return createEngine({ ort: ortNodeModule, sourceFor: async () => src, probe: async () => CPU_ONLY });
}

async function requestFor(id: string, patch: Partial<TaskRequest> = {}): Promise<TaskRequest> {
  const m = parseManifestText(await readFile(join(TEST_PACKS, id, 'pack.json'), 'utf8'));
  return { ...defaultRequest(m, 'a red ball on a blue table'), ...patch };
}

/** Per-channel spread of an RGBA frame stack: a degenerate (constant) image has none. */
function spread(rgba: Uint8Array): number {
  let lo = 255;
  let hi = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    lo = Math.min(lo, rgba[i] as number);
    hi = Math.max(hi, rgba[i] as number);
  }
  return hi - lo;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs((a[i] as number) - (b[i] as number)));
  return d;
}

/** A start image at `width`×`height`: a bright square on dark, as a PNG data URL. */
function startImage(width: number, height: number, bright = 230): string {
  const px = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (x > width / 4 && x < (3 * width) / 4 && y > height / 4 && y < (3 * height) / 4)
        px.fill(bright, (y * width + x) * 3, (y * width + x) * 3 + 3);
  return pngDataUrl(png(width, height, 2, 3, px, 1));
}

describe('t2i-flow-dit (Z-Image contract)', () => {
  it('makes one non-degenerate image; the pack scheduler-step graph lands where the engine Euler step does', async () => {
    const r = await requestFor('test-zimage');
    const withHelper = await engineFor(source('test-zimage')).generate('a', r);
    const engineStep = await engineFor(
      source('test-zimage', (m) => delete (m.components as Record<string, unknown>).schedulerStep),
    ).generate('b', r);
    const [w, h] = r.resolution.split('x').map(Number);
    expect(withHelper.frames).toMatchObject({ count: 1, width: w, height: h });
    expect(spread(withHelper.frames.rgba)).toBeGreaterThan(20);
    expect(maxAbsDiff(withHelper.latent, engineStep.latent)).toBeLessThan(1e-4);
  });

  it('is reproducible for a seed and changes with it', async () => {
    const e = engineFor(source('test-zimage'));
    const a = await e.generate('a', await requestFor('test-zimage', { seed: 1 }));
    const b = await e.generate('b', await requestFor('test-zimage', { seed: 1 }));
    const c = await e.generate('c', await requestFor('test-zimage', { seed: 2 }));
    expect(b.frames.rgba).toEqual(a.frames.rgba);
    expect(maxAbsDiff(a.latent, c.latent)).toBeGreaterThan(1e-3);
  });
});

describe('t2i-eps-unet (SD-Turbo contract)', () => {
  it('makes one non-degenerate image in one step from noise·σ0 (int32 ids, int64 timestep 999)', async () => {
    const r = await requestFor('test-sdturbo');
    const out = await engineFor(source('test-sdturbo')).generate('a', r);
    expect(out.sigmas[0]).toBeCloseTo(14.6146, 3);
    expect(out.frames.count).toBe(1);
    expect(spread(out.frames.rgba)).toBeGreaterThan(20);
  });

  it('refuses the multistep flow solvers for an ε model, naming the solver field', async () => {
    await expect(
      engineFor(source('test-sdturbo')).generate('a', await requestFor('test-sdturbo', { solver: 'unipc' })),
    ).rejects.toMatchObject({
      code: 'invalid-request',
      fields: { solver: expect.stringContaining('euler') },
    });
  });
});

describe('t2v-flow-dit, block-streamed (FastWan contract)', () => {
  it('streams blocks two sessions at a time with exactly the result of keeping all resident', async () => {
    const r = await requestFor('test-fastwan');
    const streamed = await engineFor(source('test-fastwan')).generate('a', r);
    const resident = await engineFor(
      source('test-fastwan', (m) => {
        const c = m.components as Record<string, Record<string, unknown>>;
        for (const k of ['transformer', 'textEncoder']) delete c[k]?.resident;
      }),
    ).generate('b', r);
    expect(streamed.frames.count).toBe(r.frames);
    expect(spread(streamed.frames.rgba)).toBeGreaterThan(20);
    expect(streamed.latent).toEqual(resident.latent);
  });

  it('zero-fills the text encoder output past the prompt (blocks take no mask); without zeroFillPadding it is not zero', async () => {
    const hidden = async (zeroFill: boolean) => {
      const src = source(
        'test-fastwan',
        (m) =>
          ((m.components as Record<string, Record<string, unknown>>).textEncoder!.zeroFillPadding = zeroFill),
      );
      const manifest = await readManifest(src);
      const pack = await loadPack(src, manifest, ortNodeModule, 'wasm');
      try {
        const t = await encodeText(ortNodeModule, pack.text, 'a red ball');
        return {
          data: await readFloats(t),
          dims: t.dims,
          length: encodePrompt(pack.text.tokenizer, 'a red ball', manifest.tokenizer.maxLength, 0).length,
        };
      } finally {
        await pack.release();
      }
    };
    const filled = await hidden(true);
    const raw = await hidden(false);
    const width = filled.dims[2] as number;
    expect(filled.length).toBeLessThan(filled.dims[1] as number);
    expect(filled.data.subarray(filled.length * width).every((v) => v === 0)).toBe(true);
    expect(filled.data.subarray(0, filled.length * width)).toEqual(
      raw.data.subarray(0, filled.length * width),
    );
    expect(raw.data.subarray(filled.length * width).some((v) => v !== 0)).toBe(true);
  });
});

describe('i2v-flow-dit (FastWan contract + VAE encoder)', () => {
  it('pins latent frame 0 to the encoded start image; another image changes the video', async () => {
    const r0 = await requestFor('test-fastwan-i2v');
    const [w, h] = r0.resolution.split('x').map(Number) as [number, number];
    const e = engineFor(source('test-fastwan-i2v'));
    const a = await e.generate('a', { ...r0, startImage: startImage(w, h) });
    const again = await e.generate('b', { ...r0, startImage: startImage(w, h), seed: r0.seed + 1 });
    const other = await e.generate('c', { ...r0, startImage: startImage(w, h, 40) });
    const m = parseManifestText(await readFile(join(TEST_PACKS, 'test-fastwan-i2v', 'pack.json'), 'utf8'));
    const [c, t] = [m.latent.channels, (r0.frames - 1) / m.latent.temporalCompression + 1];
    const plane = a.latent.length / (c * t);
    // Frame 0 of every channel is the same for two seeds (it is the image, not noise)…
    for (let ch = 0; ch < c; ch++)
      expect(again.latent.subarray(ch * t * plane, ch * t * plane + plane)).toEqual(
        a.latent.subarray(ch * t * plane, ch * t * plane + plane),
      );
    // …while the free frames differ, and a darker image changes frame 0.
    expect(
      maxAbsDiff(a.latent.subarray(plane, t * plane), again.latent.subarray(plane, t * plane)),
    ).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(a.latent.subarray(0, plane), other.latent.subarray(0, plane))).toBeGreaterThan(1e-3);
  });

  it('refuses a missing start image and one of the wrong size with start-image messages', async () => {
    const r0 = await requestFor('test-fastwan-i2v');
    const e = engineFor(source('test-fastwan-i2v'));
    await expect(e.generate('a', r0)).rejects.toMatchObject({
      code: 'invalid-request',
      fields: { startImage: expect.stringContaining('start image') },
    });
    await expect(e.generate('b', { ...r0, startImage: startImage(8, 8) })).rejects.toMatchObject({
      code: 'invalid-request',
      message: expect.stringContaining('8×8'),
    });
  });
});
