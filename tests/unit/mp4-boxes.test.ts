/**
 * The one ISO BMFF box walker (src/engine/media/mp4/boxes.ts): children and paths of boxes in
 * memory, 64-bit and to-the-end sizes, a cut-short box refused as 'truncated' only when the walk
 * reaches it, and the settings reader (read-container.ts) finding `©cmt` through it.
 */
import { describe, expect, it } from 'vitest';
import { children, find, NotDemuxable } from '../../src/engine/media/mp4/boxes';
import { readMp4Comment } from '../../src/engine/metadata/read-container';
import { box } from '../../tools/fuzz/mp4-build';

const enc = (s: string) => [...new TextEncoder().encode(s)];
const view = (bytes: number[]) => new DataView(Uint8Array.from(bytes).buffer);

describe('box walker', () => {
  it('lists children with their payload ranges, reads 64-bit and size-0 boxes', () => {
    const large = [0, 0, 0, 1, ...enc('wide'), 0, 0, 0, 0, 0, 0, 0, 18, 7, 7];
    const bytes = [...box('free', [1, 2]), ...large, 0, 0, 0, 0, ...enc('mdat'), 9, 9, 9];
    expect(children(view(bytes), 0, bytes.length)).toEqual([
      { type: 'free', start: 8, end: 10 },
      { type: 'wide', start: 26, end: 28 },
      { type: 'mdat', start: 36, end: 39 },
    ]);
  });

  it('finds a path of boxes and stops before a cut-short box after it', () => {
    const bytes = [...box('moov', box('udta', box('meta', [5]))), 0, 0, 1, 0, ...enc('junk')];
    const v = view(bytes);
    const top = { type: '', start: 0, end: bytes.length };
    expect(find(v, top, 'moov', 'udta', 'meta')).toEqual({ type: 'meta', start: 24, end: 25 });
    expect(find(v, top, 'moov', 'trak')).toBeUndefined();
    expect(() => find(v, top, 'mdat')).toThrow(NotDemuxable);
    expect(() => children(v, 0, bytes.length)).toThrow(/"junk" box inside the movie header is cut short/);
  });

  it('the settings reader finds ©cmt in ISO and QuickTime meta boxes, and nothing in a cut one', () => {
    const ilst = box('ilst', box('\u00a9cmt', box('data', [0, 0, 0, 1, 0, 0, 0, 0], enc('{"a":1}'))));
    const iso = box('moov', box('udta', box('meta', [0, 0, 0, 0], box('hdlr', new Array(24).fill(0)), ilst)));
    const qt = box('moov', box('udta', box('meta', box('hdlr', new Array(24).fill(0)), ilst)));
    expect(readMp4Comment(Uint8Array.from(iso))).toBe('{"a":1}');
    expect(readMp4Comment(Uint8Array.from(qt))).toBe('{"a":1}');
    expect(readMp4Comment(Uint8Array.from(iso.slice(0, -3)))).toBeUndefined();
  });
});
