import { describe, expect, it } from 'vitest';
import {
  assertValidMask,
  erodeDilate,
  estimateMatting,
  type MattingRequest,
  resizeAlpha,
  resizeMask,
  validateMattingRequest,
} from '../../src/engine/matting/index';
import type { MattingManifest } from '../../src/engine/pack/media-manifest';
import { thrown } from '../helpers/errors';

const info = { frameCount: 12, width: 96, height: 64 };
const request = (over: Partial<MattingRequest> = {}): MattingRequest => ({
  kind: 'matting',
  packId: 'demo-matanyone',
  videoName: 'clip.mp4',
  startFrame: 0,
  endFrame: 11,
  warmupFrames: 4,
  erode: 2,
  dilate: 2,
  maskType: 'alpha',
  ...over,
});

/** A width×height mask with the square [x0, x1)×[y0, y1) set. */
function square(width: number, height: number, x0: number, y0: number, x1: number, y1: number) {
  const data = new Uint8Array(width * height);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data[y * width + x] = 255;
  return { width, height, data };
}
const count = (d: Uint8Array) => d.reduce((n, v) => n + (v >= 128 ? 1 : 0), 0);

describe('validateMattingRequest', () => {
  it('accepts a valid request', () => {
    expect(validateMattingRequest(request(), info)).toEqual({});
  });

  it('names end before start, a range past the clip, zero frames and bad numbers per field', () => {
    expect(validateMattingRequest(request({ startFrame: 10, endFrame: 3 }), info)).toEqual({
      endFrame: 'End frame (3) is before start frame (10).',
    });
    expect(validateMattingRequest(request({ endFrame: 12 }), info).endFrame).toBe(
      'End frame (12) is past the last frame (11).',
    );
    expect(validateMattingRequest(request(), { ...info, frameCount: 0 })).toEqual({
      video: 'The video has zero frames: it may be empty or corrupt. Load another video.',
    });
    expect(
      validateMattingRequest(
        request({ erode: 31, dilate: -1, warmupFrames: 2.5, startFrame: -1, maskType: 'x' as never }),
        info,
      ),
    ).toEqual({
      erode: 'Erode must be a whole number of pixels from 0 to 30.',
      dilate: 'Dilate must be a whole number of pixels from 0 to 30.',
      warmupFrames: 'Warm-up frames must be a whole number from 0 to 30.',
      startFrame: 'Start frame must be a whole number from 0 to 11.',
      maskType: 'Mask type must be one of: alpha, greenscreen, foreground-black.',
    });
    expect(validateMattingRequest(request({ videoName: '', packId: '' }), info)).toEqual({
      videoName: 'Load a video first.',
      packId: 'Choose a matting model.',
    });
  });
});

describe('mask ops', () => {
  it('rejects a mask of the wrong size or an empty one as invalid-mask', () => {
    const wrong = thrown(() => assertValidMask(square(50, 40, 0, 0, 10, 10), 96, 64));
    expect(wrong.code).toBe('invalid-mask');
    expect(wrong.message).toBe(
      "The mask is 50×40 but the video is 96×64: use a mask of the video's size (an uploaded mask is resized for you).",
    );
    const empty = thrown(() => assertValidMask(square(96, 64, 0, 0, 0, 0), 96, 64));
    expect(empty.code).toBe('invalid-mask');
    expect(empty.message).toContain('The mask is empty');
    expect(() => assertValidMask(square(96, 64, 10, 10, 20, 20), 96, 64)).not.toThrow();
  });

  it('dilates then erodes with a square kernel of the given radius', () => {
    const m = square(40, 40, 15, 15, 25, 25);
    expect(count(erodeDilate(m, 0, 0).data)).toBe(100);
    expect(count(erodeDilate(m, 0, 3).data)).toBe(16 * 16);
    expect(count(erodeDilate(m, 3, 0).data)).toBe(4 * 4);
    expect(count(erodeDilate(m, 5, 0).data)).toBe(0);
    // Dilate first: a 2 px gap between two squares closes, then erosion restores the outline.
    const two = square(40, 40, 5, 5, 15, 15);
    for (let y = 5; y < 15; y++) for (let x = 17; x < 27; x++) two.data[y * 40 + x] = 255;
    const closed = erodeDilate(two, 2, 2);
    expect(closed.data[10 * 40 + 16]).toBe(255);
    expect(count(closed.data)).toBe(22 * 10);
    expect(thrown(() => erodeDilate(m, 31, 0)).code).toBe('invalid-request');
  });

  it('resizes with a threshold: a square scales with the mask', () => {
    const up = resizeMask(square(20, 10, 5, 2, 15, 8), 40, 20);
    expect(count(up.data)).toBe(20 * 12);
    expect(up.data[0]).toBe(0);
    expect(new Set(up.data)).toEqual(new Set([0, 255]));
    const down = resizeMask(square(40, 20, 10, 4, 30, 16), 20, 10);
    expect(count(down.data)).toBe(10 * 6);
    expect(resizeAlpha(square(2, 1, 0, 0, 1, 1), 4, 1).data).toEqual(new Uint8Array([255, 191, 64, 0]));
  });
});

describe('estimateMatting', () => {
  it('counts frames and stays the same size for a long clip (memory is streamed)', () => {
    const m = {
      matting: {
        width: 64,
        height: 64,
        memEvery: 5,
        maxMemFrames: 3,
        dims: { f16: 3, f8: 3, f4: 3, f2: 3, pixFeat: 3, key: 3, value: 6, objTokens: 1 },
        defaults: { warmupFrames: 10, erode: 10, dilate: 10 },
      },
      components: { imageKey: { bytes: 1000, externalData: [] } },
    } as unknown as MattingManifest;
    const short = estimateMatting(request(), info, m);
    expect(short).toMatchObject({ frames: 12, width: 96, height: 64 });
    expect(short.seconds).toBeGreaterThan(0);
    const long = estimateMatting(request({ endFrame: 479 }), { ...info, frameCount: 480 }, m);
    expect(long.frames).toBe(480);
    expect(long.peakBytes).toBe(short.peakBytes);
    expect(long.seconds).toBeGreaterThan(short.seconds);
  });
});
