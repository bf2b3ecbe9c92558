/**
 * A WebCodecs VideoFrame as an RGBA frame: `copyTo` with `format: 'RGBA'` (sRGB) where the
 * browser converts, else drawn on an OffscreenCanvas and read back. The VideoFrame is closed
 * here in both cases.
 */
import type { RgbaFrame } from '../matting/frames';

let copyConverts = true;

function viaCanvas(frame: VideoFrame, width: number, height: number): RgbaFrame {
  const ctx = new OffscreenCanvas(width, height).getContext('2d', {
    willReadFrequently: true,
  }) as OffscreenCanvasRenderingContext2D;
  ctx.drawImage(frame, 0, 0, width, height);
  return { width, height, data: ctx.getImageData(0, 0, width, height).data };
}

/** Converts and closes `frame`, scaled to width × height only when its visible size differs. */
export async function videoFrameRgba(frame: VideoFrame, width: number, height: number): Promise<RgbaFrame> {
  try {
    const same = frame.visibleRect?.width === width && frame.visibleRect?.height === height;
    if (copyConverts && same) {
      const options = { format: 'RGBA', colorSpace: 'srgb' } as VideoFrameCopyToOptions;
      try {
        const data = new Uint8ClampedArray(frame.allocationSize(options));
        await frame.copyTo(data, options);
        return { width, height, data };
      } catch {
        copyConverts = false;
      }
    }
    return viaCanvas(frame, width, height);
  } finally {
    frame.close();
  }
}
