/** A mask as a grey PNG (white = foreground) for a matting task to keep, via OffscreenCanvas. */
import type { AlphaFrame } from '../engine/matting';

export function maskPng(mask: AlphaFrame): Promise<Blob> {
  const rgba = new Uint8ClampedArray(mask.width * mask.height * 4);
  for (let p = 0; p < mask.data.length; p++) {
    const v = mask.data[p] as number;
    rgba.set([v, v, v, 255], p * 4);
  }
  const canvas = new OffscreenCanvas(mask.width, mask.height);
  canvas.getContext('2d')?.putImageData(new ImageData(rgba, mask.width, mask.height), 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}
