/**
 * The bytes of a dropped file that can hold its settings, read without loading the whole file
 * where it is an MP4/MOV: only its `moov` box (the header that holds `udta/meta/ilst/©cmt`),
 * found through 16-byte Blob slices, even when it sits after a large `mdat`. Other files (PNG,
 * JSON) and MP4s whose boxes do not walk are read whole, so their errors stay the same.
 */
import { topLevelBoxes } from '../media/mp4/boxes';
import { isMp4 } from './read-container';

export async function settingsBytes(file: Blob): Promise<Uint8Array> {
  const head = new Uint8Array(await file.slice(0, 12).arrayBuffer());
  if (isMp4(head)) {
    const boxes = await topLevelBoxes(file).catch(() => undefined);
    const i = boxes?.findIndex((b) => b.type === 'moov') ?? -1;
    const moov = boxes?.[i];
    if (boxes && moov) {
      const begin = i === 0 ? 0 : (boxes[i - 1] as { end: number }).end;
      return new Uint8Array(await file.slice(begin, moov.end).arrayBuffer());
    }
  }
  return new Uint8Array(await file.arrayBuffer());
}
