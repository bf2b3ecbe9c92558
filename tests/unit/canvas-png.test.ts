/**
 * The one canvas → PNG helper (src/browser/canvas-png.ts), against a stand-in OffscreenCanvas
 * (Node has none): pixels go onto the canvas unchanged, the file is asked for as image/png, and a
 * browser without a 2D context gets EngineError('encode-failed') instead of a blank image.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { canvasPngDataUrl, context2d, rgbaPng } from '../../src/browser/canvas-png';
import { EngineError } from '../../src/engine/errors';

class FakeImageData {
  constructor(
    readonly data: Uint8ClampedArray,
    readonly width: number,
    readonly height: number,
  ) {}
}

/** Records what was drawn and what was encoded; `twoD: false` mimics a browser with no 2D context. */
function fakeCanvas(twoD = true) {
  const drawn: FakeImageData[] = [];
  const types: (string | undefined)[] = [];
  class FakeCanvas {
    constructor(
      readonly width: number,
      readonly height: number,
    ) {}
    getContext() {
      return twoD ? { putImageData: (img: FakeImageData) => drawn.push(img) } : null;
    }
    async convertToBlob(o?: { type?: string }) {
      types.push(o?.type);
      return new Blob([new Uint8Array([137, 80, 78, 71])], { type: o?.type ?? '' });
    }
  }
  vi.stubGlobal('OffscreenCanvas', FakeCanvas);
  vi.stubGlobal('ImageData', FakeImageData);
  return { drawn, types, FakeCanvas };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('canvas → PNG', () => {
  it('puts the RGBA pixels on a canvas of their size and encodes it as image/png', async () => {
    const { drawn, types } = fakeCanvas();
    const rgba = new Uint8ClampedArray([1, 2, 3, 4, 5, 6, 7, 8]);
    const png = await rgbaPng(rgba, 2, 1);
    expect(drawn).toHaveLength(1);
    expect([...(drawn[0] as FakeImageData).data]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([drawn[0]?.width, drawn[0]?.height]).toEqual([2, 1]);
    expect(types).toEqual(['image/png']);
    expect(png.type).toBe('image/png');
  });

  it('gives a PNG data URL of the canvas bytes', async () => {
    const { FakeCanvas } = fakeCanvas();
    const url = await canvasPngDataUrl(new FakeCanvas(1, 1) as unknown as OffscreenCanvas);
    expect(url).toBe(`data:image/png;base64,${btoa(String.fromCharCode(137, 80, 78, 71))}`);
  });

  it('refuses with encode-failed when the browser gives no 2D context', async () => {
    const { FakeCanvas } = fakeCanvas(false);
    const canvas = new FakeCanvas(2, 2) as unknown as OffscreenCanvas;
    expect(() => context2d(canvas)).toThrow(EngineError);
    await expect(rgbaPng(new Uint8ClampedArray(16), 2, 2)).rejects.toMatchObject({
      code: 'encode-failed',
      message: expect.stringMatching(/no 2D canvas/),
    });
  });
});
