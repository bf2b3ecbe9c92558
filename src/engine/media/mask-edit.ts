/**
 * Edits of a first-frame mask on the Matting page: merging masks ("Add mask"), painting or
 * erasing a disc with the brush, and counting covered pixels. Pure TS (Node tests, the page).
 */
import type { AlphaFrame } from '../matting/frames';

/** The per-pixel maximum of two masks of one size (either may be absent). */
export function unionMasks(a: AlphaFrame | undefined, b: AlphaFrame | undefined): AlphaFrame | undefined {
  if (!a || !b) return a ?? b;
  const data = new Uint8Array(a.data.length);
  for (let p = 0; p < data.length; p++) data[p] = Math.max(a.data[p] as number, b.data[p] as number);
  return { width: a.width, height: a.height, data };
}

/** A copy of `mask` with a disc of `radius` pixels around (x, y) set to 255 (paint) or 0 (erase). */
export function paintDisc(
  mask: AlphaFrame,
  x: number,
  y: number,
  radius: number,
  paint: boolean,
): AlphaFrame {
  const data = mask.data.slice();
  const r2 = radius * radius;
  for (
    let py = Math.max(0, Math.floor(y - radius));
    py <= Math.min(mask.height - 1, Math.ceil(y + radius));
    py++
  ) {
    for (
      let px = Math.max(0, Math.floor(x - radius));
      px <= Math.min(mask.width - 1, Math.ceil(x + radius));
      px++
    ) {
      if ((px - x) ** 2 + (py - y) ** 2 <= r2) data[py * mask.width + px] = paint ? 255 : 0;
    }
  }
  return { width: mask.width, height: mask.height, data };
}

/** Pixels of a mask at or above half strength. */
export function maskArea(mask: AlphaFrame | undefined): number {
  let n = 0;
  for (const v of mask?.data ?? []) if (v >= 128) n++;
  return n;
}

/** An empty (all-background) mask. */
export const emptyMask = (width: number, height: number): AlphaFrame => ({
  width,
  height,
  data: new Uint8Array(width * height),
});
