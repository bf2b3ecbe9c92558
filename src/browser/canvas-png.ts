/**
 * Canvas → PNG, the one way WebGP turns pixels into a PNG file (thumbnails, PNG frames of the
 * alpha zip, still outputs, matting masks, start images): OffscreenCanvas, so it runs on the page
 * and in workers alike. PNG text chunks (the settings `comment`) are added after, by
 * engine/media/png-text.ts.
 */
import { EngineError } from '../engine/errors';
import { pngDataUrl } from '../engine/media/png-decode';

/** The canvas's 2D context; EngineError('encode-failed') when the browser gives none. */
export function context2d(canvas: OffscreenCanvas): OffscreenCanvasRenderingContext2D {
  const ctx = canvas.getContext('2d');
  if (!ctx)
    throw new EngineError(
      'encode-failed',
      'This browser gave no 2D canvas to draw a PNG image with. Update the browser, or use a recent Chrome or Edge.',
    );
  return ctx;
}

/** A canvas holding `rgba` (width × height × 4 bytes, straight alpha). */
export function rgbaCanvas(rgba: Uint8ClampedArray, width: number, height: number): OffscreenCanvas {
  const canvas = new OffscreenCanvas(width, height);
  context2d(canvas).putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0);
  return canvas;
}

/** The canvas as a PNG file. */
export async function canvasPng(canvas: OffscreenCanvas): Promise<Blob> {
  return canvas.convertToBlob({ type: 'image/png' });
}

/** The canvas as a PNG data URL (what a task's `startImage` carries). */
export async function canvasPngDataUrl(canvas: OffscreenCanvas): Promise<string> {
  return pngDataUrl(new Uint8Array(await (await canvasPng(canvas)).arrayBuffer()));
}

/** `rgba` pixels as a PNG file. */
export async function rgbaPng(rgba: Uint8ClampedArray, width: number, height: number): Promise<Blob> {
  return canvasPng(rgbaCanvas(rgba, width, height));
}
