/**
 * Still images from a frame stack (OffscreenCanvas, worker-safe): a scaled PNG thumbnail, and a
 * full-size PNG output with the settings JSON in a `comment` text chunk (where WanGP puts it).
 */
import { canvasPng, context2d, rgbaCanvas } from '../../browser/canvas-png';
import type { FrameStack } from '../../engine/pipeline/frames';
import { addPngText } from '../../engine/media/png-text';

function frameCanvas(frames: FrameStack, index: number): OffscreenCanvas {
  const { width, height } = frames;
  const i = Math.min(Math.max(index, 0), frames.count - 1);
  const bytes = frames.rgba.slice(i * width * height * 4, (i + 1) * width * height * 4);
  return rgbaCanvas(new Uint8ClampedArray(bytes.buffer), width, height);
}

export async function thumbnailPng(frames: FrameStack, index: number, maxSide = 256): Promise<Blob> {
  const src = frameCanvas(frames, index);
  const scale = Math.min(1, maxSide / Math.max(src.width, src.height));
  if (scale === 1) return canvasPng(src);
  const dst = new OffscreenCanvas(Math.round(src.width * scale), Math.round(src.height * scale));
  context2d(dst).drawImage(src, 0, 0, dst.width, dst.height);
  return canvasPng(dst);
}

/** Frame `index` as a PNG; with `comment`, the settings JSON goes into a tEXt (or, for non-Latin-1, iTXt) chunk. */
export async function framePng(frames: FrameStack, index: number, comment?: string): Promise<Blob> {
  const png = await canvasPng(frameCanvas(frames, index));
  if (comment === undefined) return png;
  const withText = addPngText(new Uint8Array(await png.arrayBuffer()), 'comment', comment);
  return new Blob([withText as Uint8Array<ArrayBuffer>], { type: 'image/png' });
}
