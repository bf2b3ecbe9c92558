/** A mask as a grey PNG (white = foreground) for a matting task to keep. */
import { rgbaPng } from '../browser/canvas-png';
import type { AlphaFrame } from '../engine/matting';

export function maskPng(mask: AlphaFrame): Promise<Blob> {
  const rgba = new Uint8ClampedArray(mask.width * mask.height * 4);
  for (let p = 0; p < mask.data.length; p++) {
    const v = mask.data[p] as number;
    rgba.set([v, v, v, 255], p * 4);
  }
  return rgbaPng(rgba, mask.width, mask.height);
}
