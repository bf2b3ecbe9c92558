/** A PNG thumbnail of one frame, scaled to at most `maxSide` pixels (OffscreenCanvas, worker-safe). */
import type { FrameStack } from '../pipeline/frames';

export async function thumbnailPng(frames: FrameStack, index: number, maxSide = 256): Promise<Blob> {
  const { width, height } = frames;
  const i = Math.min(Math.max(index, 0), frames.count - 1);
  const bytes = frames.rgba.slice(i * width * height * 4, (i + 1) * width * height * 4);
  const src = new OffscreenCanvas(width, height);
  const ctx = src.getContext('2d');
  if (!ctx) throw new Error('2D canvas is not available for thumbnails');
  ctx.putImageData(new ImageData(new Uint8ClampedArray(bytes.buffer), width, height), 0, 0);
  const scale = Math.min(1, maxSide / Math.max(width, height));
  if (scale === 1) return src.convertToBlob({ type: 'image/png' });
  const dst = new OffscreenCanvas(Math.round(width * scale), Math.round(height * scale));
  dst.getContext('2d')?.drawImage(src, 0, 0, dst.width, dst.height);
  return dst.convertToBlob({ type: 'image/png' });
}
