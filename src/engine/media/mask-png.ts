/**
 * First-frame masks as PNG files (an uploaded mask, or the one a matting task keeps): white is
 * foreground. Grey, RGB and RGBA PNGs are read as brightness × alpha, so both black-and-white
 * masks and transparent cut-outs work. Pure TS (Node tests, workers, the page).
 */
import { EngineError } from '../errors';
import type { AlphaFrame } from '../matting/frames';
import { decodePng } from './png-decode';

export function maskFromRgba(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
): AlphaFrame {
  const data = new Uint8Array(width * height);
  for (let p = 0; p < data.length; p++) {
    const v = Math.max(rgba[p * 4] as number, rgba[p * 4 + 1] as number, rgba[p * 4 + 2] as number);
    data[p] = Math.round((v * (rgba[p * 4 + 3] as number)) / 255);
  }
  return { width, height, data };
}

/** Reads a mask PNG; `name` goes into the message when it is not one. */
export function maskFromPng(bytes: Uint8Array, name: string): AlphaFrame {
  try {
    const img = decodePng(bytes);
    return maskFromRgba(img.rgba, img.width, img.height);
  } catch (err) {
    const why = (err as EngineError).fields?.startImage ?? (err as Error).message;
    throw new EngineError(
      'invalid-mask',
      `${name} is not a mask PNG we can read (${why}). Save the mask as an 8-bit PNG, white on black.`,
      { mask: 'unreadable' },
    );
  }
}
