import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { estimateMatting } from '../../src/engine/matting/estimate';
import { type MattingManifest, parseMediaManifest } from '../../src/engine/pack/media-manifest';
import { movingDisc, iou } from '../helpers/clip';
import { rejection, thrown } from '../helpers/errors';
import { PACKS_DIR } from '../helpers/ort-node';
import { cpuEngine } from '../helpers/packs';

const clip = movingDisc(96, 64, 12);
const open = (mask = clip.truth[0]!, over: Record<string, unknown> = {}) => ({
  packId: 'demo-matanyone',
  width: 96,
  height: 64,
  firstFrame: clip.frames[0]!,
  firstMask: mask,
  warmupFrames: 3,
  erode: 0,
  dilate: 0,
  ...over,
});
const copyFrame = (f: (typeof clip.frames)[number]) => ({ ...f, data: Uint8ClampedArray.from(f.data) });

describe('segment-points (demo SAM)', () => {
  it('a click on the shape gives a mask covering it (IoU ≥ 0.95); a negative click elsewhere keeps it', async () => {
    const engine = cpuEngine();
    for (const f of [0, 6, 11]) {
      const { embeddingId } = await engine.segmentEmbed('demo-sam', clip.frames[f]!);
      const c = clip.centres[f]!;
      const mask = await engine.segmentPoints('demo-sam', embeddingId, [{ x: c.x, y: c.y, positive: true }]);
      expect(mask).toMatchObject({ width: 96, height: 64 });
      expect(iou(mask, clip.truth[f]!)).toBeGreaterThanOrEqual(0.95);
      const both = await engine.segmentPoints('demo-sam', embeddingId, [
        { x: c.x, y: c.y, positive: true },
        { x: 3, y: 3, positive: false },
      ]);
      expect(iou(both, clip.truth[f]!)).toBeGreaterThanOrEqual(0.95);
    }
    // A click on the background selects the background instead.
    const { embeddingId } = await engine.segmentEmbed('demo-sam', clip.frames[0]!);
    const bg = await engine.segmentPoints('demo-sam', embeddingId, [{ x: 90, y: 5, positive: true }]);
    expect(iou(bg, clip.truth[0]!)).toBe(0);
    await engine.dispose();
  });

  it('keeps the last two embeddings and names bad points', async () => {
    const engine = cpuEngine();
    const ids = [];
    for (const f of [0, 1, 2]) ids.push((await engine.segmentEmbed('demo-sam', clip.frames[f]!)).embeddingId);
    const gone = await rejection(
      engine.segmentPoints('demo-sam', ids[0]!, [{ x: 10, y: 10, positive: true }]),
    );
    expect(gone.code).toBe('invalid-request');
    expect(gone.message).toBe(
      'That frame is no longer encoded (only the last two are kept): encode the frame again.',
    );
    expect(
      (await rejection(engine.segmentPoints('demo-sam', ids[2]!, [{ x: 10, y: 10, positive: false }])))
        .message,
    ).toBe('Add at least one positive point: click on the object to select it.');
    expect(
      (await rejection(engine.segmentPoints('demo-sam', ids[2]!, [{ x: 100, y: 10, positive: true }])))
        .message,
    ).toBe('Point (100, 10) is outside the 96×64 frame.');
    const wrongPack = await rejection(engine.segmentEmbed('demo-matanyone', clip.frames[0]!));
    expect(wrongPack.message).toBe(
      'Pack "demo-matanyone" is a matting-memory pack; choose a segment-points pack here.',
    );
    await engine.dispose();
  });
});

describe('matting-memory (demo MatAnyone)', () => {
  it('mattes every frame from the clicked mask (alpha IoU ≥ 0.9 at 128)', async () => {
    const engine = cpuEngine();
    const { embeddingId } = await engine.segmentEmbed('demo-sam', clip.frames[0]!);
    const mask = await engine.segmentPoints('demo-sam', embeddingId, [
      { x: clip.centres[0]!.x, y: clip.centres[0]!.y, positive: true },
    ]);
    expect(await engine.mattingOpen('job-1', open(mask, { erode: 2, dilate: 2 }))).toEqual({
      width: 96,
      height: 64,
      backend: 'wasm',
    });
    for (let f = 0; f < clip.frames.length; f++) {
      const alpha = await engine.mattingFrame('job-1', copyFrame(clip.frames[f]!));
      expect(alpha.data.length).toBe(96 * 64);
      expect(iou(alpha, clip.truth[f]!)).toBeGreaterThanOrEqual(0.9);
      // Soft matte: ≈1 inside the disc, ≈0 far outside.
      const c = clip.centres[f]!;
      expect(alpha.data[Math.round(c.y) * 96 + Math.round(c.x)]).toBeGreaterThan(240);
      expect(alpha.data[2 * 96 + 2]).toBeLessThan(15);
    }
    await engine.mattingClose('job-1');
    expect((await rejection(engine.mattingFrame('job-1', clip.frames[0]!))).message).toBe(
      'No open matting job "job-1": call mattingOpen first.',
    );
    await engine.dispose();
  });

  it('refuses a mask of the wrong size or an empty one, and bad erode, before any work', async () => {
    const engine = cpuEngine();
    const small = { width: 48, height: 32, data: new Uint8Array(48 * 32).fill(255) };
    const wrong = await rejection(engine.mattingOpen('a', open(small)));
    expect(wrong.code).toBe('invalid-mask');
    expect(wrong.message).toBe(
      "The mask is 48×32 but the video is 96×64: use a mask of the video's size (an uploaded mask is resized for you).",
    );
    const empty = await rejection(
      engine.mattingOpen('b', open({ width: 96, height: 64, data: new Uint8Array(96 * 64) })),
    );
    expect(empty.code).toBe('invalid-mask');
    expect((await rejection(engine.mattingOpen('c', open(undefined, { erode: 40 })))).code).toBe(
      'invalid-request',
    );
    expect((await rejection(engine.mattingFrame('b', clip.frames[0]!))).code).toBe('invalid-request');
    await engine.dispose();
  });

  it('stops at the next frame after cancel(jobId) with an AbortError and drops the job', async () => {
    const engine = cpuEngine();
    await engine.mattingOpen('job-c', open());
    await engine.mattingFrame('job-c', copyFrame(clip.frames[0]!));
    engine.cancel('job-c');
    expect((await rejection(engine.mattingFrame('job-c', copyFrame(clip.frames[1]!)))).name).toBe(
      'AbortError',
    );
    expect((await rejection(engine.mattingFrame('job-c', copyFrame(clip.frames[1]!)))).code).toBe(
      'invalid-request',
    );
    // The id can be reused afterwards.
    await engine.mattingOpen('job-c', open());
    expect(
      iou(await engine.mattingFrame('job-c', copyFrame(clip.frames[0]!)), clip.truth[0]!),
    ).toBeGreaterThan(0.9);
    await engine.dispose();
  });

  it('keeps flat state: the same retained bytes after 20 and 100 frames (the bank fills at frame 10: memEvery 5, maxMemFrames 3)', async () => {
    const engine = cpuEngine();
    await engine.mattingOpen('long', open());
    const sizes: number[] = [];
    for (let i = 0; i < 100; i++) {
      await engine.mattingFrame('long', copyFrame(clip.frames[i % clip.frames.length]!));
      if (i === 19 || i === 99) sizes.push(engine.mattingRetainedBytes('long'));
    }
    expect(sizes[0]).toBeGreaterThan(0);
    expect(sizes[1]).toBe(sizes[0]);
    await engine.dispose();
  }, 60_000);
});

describe('video pack manifests', () => {
  const read = (id: string) =>
    JSON.parse(readFileSync(join(PACKS_DIR, id, 'pack.json'), 'utf8')) as Record<string, unknown>;

  it('parses the demo packs with their roles and cadence', () => {
    expect(parseMediaManifest(read('demo-matanyone'))).toMatchObject({
      pipeline: 'matting-memory',
      matting: { width: 128, height: 128, memEvery: 5, maxMemFrames: 3 },
    });
    expect(parseMediaManifest(read('demo-sam'))).toMatchObject({
      pipeline: 'segment-points',
      segment: { inputSize: 256, pixelRange: [0, 255] },
      components: { decoder: { inputs: { origImSize: 'orig_im_size' } } },
    });
  });

  it('reports every bad field by path', () => {
    const m = read('demo-matanyone');
    const matting = m.matting as Record<string, unknown>;
    const comps = m.components as Record<string, Record<string, unknown>>;
    const err = thrown(() =>
      parseMediaManifest({
        ...m,
        matting: { ...matting, width: 100, maxMemFrames: 0 },
        components: { ...comps, propagate: { ...comps.propagate, inputs: { f1: 'f1' } } },
      }),
    );
    expect(err.code).toBe('invalid-manifest');
    expect(err.fields).toMatchObject({
      'matting.width': 'must be a multiple of 16',
      'matting.maxMemFrames': 'must be at least 1',
      'components.propagate.inputs.memoryKey': 'expected a non-empty string',
    });
  });
});

describe('real video packs (data only)', () => {
  const read = (id: string) => JSON.parse(readFileSync(join(PACKS_DIR, id, 'pack.json'), 'utf8')) as unknown;

  it('matanyone2 and sam-vit-b describe their graphs with the MatAnyone2 and SAM tensor names', () => {
    expect(parseMediaManifest(read('matanyone2'))).toMatchObject({
      pipeline: 'matting-memory',
      matting: {
        width: 1024,
        height: 1024,
        memEvery: 0,
        maxMemFrames: 1,
        dims: { value: 256, key: 64, objTokens: 16 },
      },
      components: {
        propagate: {
          file: 'matanyone2_onnx_1024_bs1/matanyone2_propagate.onnx',
          inputs: { memoryKey: 'memory_key', lastPredMask: 'last_pred_mask' },
          outputs: { uncertProb: 'uncert_prob' },
        },
      },
    });
    expect(parseMediaManifest(read('sam-vit-b'))).toMatchObject({
      pipeline: 'segment-points',
      segment: { inputSize: 1024, origImSize: 'shape' },
      components: {
        decoder: { dtype: 'float32', compute: 'float16', inputs: { origImSize: 'orig_im_size_shape' } },
      },
    });
  });

  it('estimates the real pack from its dims: the same peak for 48 and 480 frames, time per frame from its size', async () => {
    const m = (await cpuEngine().describeVideoPack('matanyone2')) as MattingManifest;
    const r = {
      kind: 'matting' as const,
      packId: 'matanyone2',
      videoName: 'a.mp4',
      startFrame: 0,
      endFrame: 47,
      warmupFrames: 10,
      erode: 10,
      dilate: 10,
      maskType: 'alpha' as const,
    };
    const info = { frameCount: 480, width: 1920, height: 1080 };
    const short = estimateMatting(r, info, m);
    const long = estimateMatting({ ...r, endFrame: 479 }, info, m);
    expect(short).toMatchObject({ frames: 48, width: 1920, height: 1080, seconds: 58 });
    expect(long).toMatchObject({ frames: 480, seconds: 490, peakBytes: short.peakBytes });
    expect(short.peakBytes).toBeGreaterThan(300 * 2 ** 20);
  });
});
