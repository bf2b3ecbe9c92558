/**
 * FallbackSource: a decode error on the WebCodecs source closes it, reopens the video with the
 * ffmpeg.wasm source and reads the same chunk again (info.decoder then says 'ffmpeg'); errors on
 * the ffmpeg source itself are not retried.
 */
import { describe, expect, it } from 'vitest';
import type { FrameSource } from '../../src/workers/media/frame-source';
import { FallbackSource } from '../../src/workers/media/open-frame-source';
import type { VideoDecoderKind } from '../../src/engine/media/video-probe';

function fake(decoder: VideoDecoderKind, failFrom: number, log: string[]): FrameSource {
  return {
    info: {
      name: 'clip.mp4',
      width: 2,
      height: 1,
      fps: 12,
      frameCount: 24,
      durationSeconds: 2,
      hasAudio: false,
      decoder,
    },
    async read(start, count) {
      log.push(`${decoder} read ${start}+${count}`);
      if (start >= failFrom) throw new DOMException('Decoding error.', 'EncodingError');
      return Array.from({ length: count }, () => ({
        width: 2,
        height: 1,
        data: new Uint8ClampedArray(8).fill(start),
      }));
    },
    ffmpegPath: async () => 'src-1',
    close: async () => void log.push(`${decoder} closed`),
  };
}

describe('FallbackSource', () => {
  it('switches to ffmpeg.wasm on a WebCodecs decode error and reads the chunk again', async () => {
    const log: string[] = [];
    const s = new FallbackSource(fake('webcodecs', 8, log), async () => fake('ffmpeg', 99, log));
    expect((await s.read(0, 8)).length).toBe(8);
    const frames = await s.read(8, 8);
    expect([frames.length, frames[0]?.data[0], s.info.decoder]).toEqual([8, 8, 'ffmpeg']);
    expect(log).toEqual(['webcodecs read 0+8', 'webcodecs read 8+8', 'webcodecs closed', 'ffmpeg read 8+8']);
  });

  it('passes ffmpeg.wasm errors through', async () => {
    const s = new FallbackSource(fake('ffmpeg', 0, []), async () => fake('ffmpeg', 99, []));
    await expect(s.read(0, 8)).rejects.toThrow('Decoding error.');
  });
});
