/**
 * The demuxer checks every count read from the file against the file before allocating: a 3 KB
 * MP4 whose stsz claims 0xFFFFFFFF samples (the probe that made Node allocate 17 GB) is refused
 * at once as 'damaged', and opening it as a video is an invalid-video EngineError, not a fallback.
 */
import { describe, expect, it } from 'vitest';
import type { FfmpegSession } from '../../src/workers/media/ffmpeg-session';
import { demuxMp4 } from '../../src/engine/media/mp4/demux';
import { openFrameSource } from '../../src/workers/media/open-frame-source';
import { buildMp4 } from '../../tools/fuzz/mp4-build';

/** Rewrites the u32 after the first `type` box's version/flags + `skip` bytes. */
function patch(
  bytes: Uint8Array<ArrayBuffer>,
  type: string,
  skip: number,
  value: number,
): Uint8Array<ArrayBuffer> {
  const out = bytes.slice();
  const at = Buffer.from(out).indexOf(type) + 4 + 4 + skip;
  new DataView(out.buffer).setUint32(at, value);
  return out;
}

describe('bounded MP4 sample table', () => {
  it('demuxes the hand-built file', async () => {
    const r = await demuxMp4(new Blob([buildMp4({ samples: 5 })]));
    expect(r.ok ? [r.video.frameCount, r.video.fps, r.video.width, r.video.height] : r.error.message).toEqual(
      [5, 12, 64, 48],
    );
  });

  it('refuses a huge stsz count in a 3 KB file within a second', async () => {
    const file = new Blob([buildMp4({ stszCount: 0xffffffff, padTo: 3000 })]);
    expect(file.size).toBeGreaterThanOrEqual(3000);
    const t = performance.now();
    const r = await demuxMp4(file);
    expect(performance.now() - t).toBeLessThan(1000);
    expect(r.ok ? '' : r.error.reason).toBe('damaged');
    expect(r.ok ? '' : r.error.message).toMatch(/"stsz" table claims 4294967295 entries but its box holds 4/);
  });

  it('refuses a huge fixed-size sample count, and huge stts/stsc/stco/stss counts', async () => {
    const fixed = patch(patch(buildMp4(), 'stsz', 0, 16), 'stsz', 4, 0x40000000);
    const cases: [Uint8Array<ArrayBuffer>, RegExp][] = [
      [fixed, /"stsz" table claims 1073741824 samples of 16 bytes, more than the file's/],
      [patch(buildMp4(), 'stts', 0, 0xfffffff0), /"stts" table claims/],
      [patch(buildMp4(), 'stsc', 0, 0x10000000), /"stsc" table claims/],
      [patch(buildMp4(), 'stco', 0, 0x7fffffff), /"stco" table claims/],
      [patch(buildMp4(), 'stss', 0, 0xffffffff), /"stss" table claims/],
    ];
    for (const [bytes, message] of cases) {
      const r = await demuxMp4(new Blob([bytes]));
      expect(r.ok ? '' : `${r.error.reason}: ${r.error.message}`).toMatch(message);
      expect(r.ok ? '' : r.error.reason).toBe('damaged');
    }
  });

  it('refuses an stsc run that contradicts stco, even when the file is cut short after moov (it hangs mediabunny 1.61)', async () => {
    // Found by fuzzing mediabunny's demuxer (docs/media-demux.md): chunk 231 of 1, 2882928129 samples per chunk.
    const bytes = patch(patch(buildMp4(), 'stsc', 4, 231), 'stsc', 8, 2882928129);
    const mdat = Buffer.from(bytes).indexOf('mdat') - 4;
    for (const file of [bytes, bytes.slice(0, mdat + 3)]) {
      const r = await demuxMp4(new Blob([file]));
      expect(r.ok ? '' : `${r.error.reason}: ${r.error.message}`).toBe(
        'damaged: The video\'s "stsc" table puts 2882928129 samples per chunk from chunk 231, but the file has 1 chunks and 4 samples: the file is damaged.',
      );
    }
    // The same moov with its stsc intact but the file cut inside mdat's header is only truncated.
    const cut = await demuxMp4(new Blob([buildMp4().slice(0, mdat + 3)]));
    expect(cut.ok ? '' : cut.error.reason).toBe('truncated');
  });

  it('opening a damaged MP4 as a video is an invalid-video EngineError that says what to do', async () => {
    const file = new Blob([buildMp4({ stszCount: 0xffffffff, padTo: 3000 })]);
    const ffmpeg = {} as FfmpegSession;
    await expect(openFrameSource(ffmpeg, 'in.mp4', 'bad.mp4', file)).rejects.toMatchObject({
      name: 'EngineError',
      code: 'invalid-video',
      message: expect.stringMatching(/"bad\.mp4" cannot be read: .*damaged\. Re-export the video/),
    });
  });
});
