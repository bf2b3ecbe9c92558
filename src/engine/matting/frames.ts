/**
 * The frame and mask types that cross the engine boundary for segmentation and matting:
 * RGBA video frames and one-byte-per-pixel masks/alphas, both at the video's size.
 */

/** An RGBA frame, row-major, at the video's size. */
export interface RgbaFrame {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** A mask or alpha matte: one byte per pixel, 0–255, row-major. */
export interface AlphaFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A point prompt in video pixel coordinates; `positive` false marks background. */
export interface SegmentPoint {
  x: number;
  y: number;
  positive: boolean;
}
