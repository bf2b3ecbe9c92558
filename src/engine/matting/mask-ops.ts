/**
 * Pure mask helpers shared by the engine and the Matting page: validation against the video
 * size, dilate-then-erode (MatAnyone's order, square kernel like its cv2 ones-kernel), and
 * resizing with a threshold back to 0/255.
 */
import { EngineError } from '../errors';
import type { AlphaFrame } from './frames';

/** Erode/dilate radius range (pixels) the UI and the engine accept. */
export const MAX_MORPH_RADIUS = 30;

/** Throws EngineError('invalid-mask') when `mask` is not `width`×`height` or has no pixel set (≥ 128). */
export function assertValidMask(mask: AlphaFrame, width: number, height: number): void {
  if (mask.width !== width || mask.height !== height || mask.data.length !== width * height) {
    throw new EngineError(
      'invalid-mask',
      `The mask is ${mask.width}×${mask.height} but the video is ${width}×${height}: use a mask of the video's size (an uploaded mask is resized for you).`,
      {
        mask: `Wrong size: ${mask.width}×${mask.height}, expected ${width}×${height}.`,
      },
    );
  }
  if (!mask.data.some((v) => v >= 128)) {
    throw new EngineError(
      'invalid-mask',
      'The mask is empty: click on the object (or upload a mask that covers it) before running matting.',
      { mask: 'The mask is empty.' },
    );
  }
}

/** One pass of a square max (dilate) or min (erode) filter of radius `r`, separable: rows then columns. */
function morph(src: Uint8Array, width: number, height: number, r: number, dilate: boolean): Uint8Array {
  const pick = dilate ? Math.max : Math.min;
  const rows = new Uint8Array(src.length);
  const out = new Uint8Array(src.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = src[y * width + x] as number;
      for (let k = Math.max(0, x - r); k <= Math.min(width - 1, x + r); k++)
        v = pick(v, src[y * width + k] as number);
      rows[y * width + x] = v;
    }
  }
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      let v = rows[y * width + x] as number;
      for (let k = Math.max(0, y - r); k <= Math.min(height - 1, y + r); k++)
        v = pick(v, rows[k * width + x] as number);
      out[y * width + x] = v;
    }
  }
  return out;
}

/** Binarises at 128, dilates by `dilate` then erodes by `erode` pixels (square kernel); returns 0/255. */
export function erodeDilate(mask: AlphaFrame, erode: number, dilate: number): AlphaFrame {
  for (const [name, r] of [
    ['erode', erode],
    ['dilate', dilate],
  ] as const) {
    if (!Number.isInteger(r) || r < 0 || r > MAX_MORPH_RADIUS)
      throw new EngineError(
        'invalid-request',
        `${name} must be a whole number from 0 to ${MAX_MORPH_RADIUS} (got ${r}).`,
        { [name]: `Must be 0–${MAX_MORPH_RADIUS}.` },
      );
  }
  let data: Uint8Array = Uint8Array.from(mask.data, (v) => (v >= 128 ? 255 : 0));
  if (dilate > 0) data = morph(data, mask.width, mask.height, dilate, true);
  if (erode > 0) data = morph(data, mask.width, mask.height, erode, false);
  return { width: mask.width, height: mask.height, data };
}

/** Bilinear resize of a mask/alpha to `width`×`height` (pixel-centre aligned), as 0–255 values. */
export function resizeAlpha(mask: AlphaFrame, width: number, height: number): AlphaFrame {
  const out = new Uint8Array(width * height);
  const sx = mask.width / width;
  const sy = mask.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), mask.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, mask.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), mask.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, mask.width - 1);
      const wx = fx - x0;
      const at = (yy: number, xx: number) => mask.data[yy * mask.width + xx] as number;
      const top = at(y0, x0) * (1 - wx) + at(y0, x1) * wx;
      const bottom = at(y1, x0) * (1 - wx) + at(y1, x1) * wx;
      out[y * width + x] = Math.round(top * (1 - wy) + bottom * wy);
    }
  }
  return { width, height, data: out };
}

/** Resizes a mask to `width`×`height` (bilinear) and thresholds it at 128 to 0/255. */
export function resizeMask(mask: AlphaFrame, width: number, height: number): AlphaFrame {
  const r = resizeAlpha(mask, width, height);
  return { width, height, data: r.data.map((v) => (v >= 128 ? 255 : 0)) };
}
