/**
 * Turns the user's start image (any format the browser decodes) into what an i2v task carries:
 * a PNG data URL at exactly the task's resolution, centre-cropped to its aspect ratio.
 */
import { canvasPngDataUrl, context2d } from '../browser/canvas-png';

export async function startImagePng(source: Blob, width: number, height: number): Promise<string> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(source);
  } catch {
    throw new Error('This file is not an image the browser can read. Choose a PNG, JPEG or WebP image.');
  }
  const scale = Math.max(width / bitmap.width, height / bitmap.height);
  const sw = width / scale;
  const sh = height / scale;
  const canvas = new OffscreenCanvas(width, height);
  context2d(canvas).drawImage(
    bitmap,
    (bitmap.width - sw) / 2,
    (bitmap.height - sh) / 2,
    sw,
    sh,
    0,
    0,
    width,
    height,
  );
  bitmap.close();
  return canvasPngDataUrl(canvas);
}
