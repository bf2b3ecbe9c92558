/**
 * The colour frames of a matting output from a frame and its alpha (pure, tested in Node): the
 * foreground over the mask type's background, the alpha as grey, and RGBA with the alpha.
 *
 * Mask types (MP4/H.264 has no alpha channel, so transparency lives in the PNG zip and the alpha
 * video): "alpha" and "foreground-black" composite the foreground over black, "greenscreen" over
 * MatAnyone's green (120, 255, 155).
 */
import type { AlphaFrame, RgbaFrame } from './frames';
import type { MaskType } from './request';

const BACKGROUND: Record<MaskType, [number, number, number]> = {
  alpha: [0, 0, 0],
  'foreground-black': [0, 0, 0],
  greenscreen: [120, 255, 155],
};

/** The foreground over the mask type's background, and the alpha as a grey RGBA frame. */
export function compositeFrame(
  frame: RgbaFrame,
  alpha: AlphaFrame,
  maskType: MaskType,
): { foreground: Uint8Array; grey: Uint8Array; rgba: Uint8ClampedArray } {
  const bg = BACKGROUND[maskType];
  const n = frame.width * frame.height;
  const foreground = new Uint8Array(n * 4);
  const grey = new Uint8Array(n * 4);
  const rgba = new Uint8ClampedArray(n * 4);
  for (let p = 0; p < n; p++) {
    const a = alpha.data[p] as number;
    const f = a / 255;
    for (let c = 0; c < 3; c++) {
      const v = frame.data[p * 4 + c] as number;
      foreground[p * 4 + c] = Math.round(v * f + (bg[c] as number) * (1 - f));
      grey[p * 4 + c] = a;
      rgba[p * 4 + c] = v;
    }
    foreground[p * 4 + 3] = 255;
    grey[p * 4 + 3] = 255;
    rgba[p * 4 + 3] = a;
  }
  return { foreground, grey, rgba };
}
