/**
 * The mediabunny muxer writes the settings where WanGP and ffmpeg do (moov/udta/meta/ilst/©cmt),
 * so our header reader finds them; unicode survives. Audio-only packets keep Node free of WebCodecs.
 */
import { EncodedPacket } from 'mediabunny';
import { describe, expect, it } from 'vitest';
import { readMp4Comment } from '../../src/engine/metadata/read-container';
import { muxMp4 } from '../../src/workers/media/mux-mp4';

const aac = {
  codec: 'aac' as const,
  // AAC-LC, 44.1 kHz, stereo (AudioSpecificConfig 0x1210).
  decoderConfig: {
    codec: 'mp4a.40.2',
    sampleRate: 44100,
    numberOfChannels: 2,
    description: new Uint8Array([0x12, 0x10]),
  },
  packets: Array.from(
    { length: 4 },
    (_, i) => new EncodedPacket(new Uint8Array(32).fill(i), 'key', i * (1024 / 44100), 1024 / 44100),
  ),
};

describe('muxMp4 (mediabunny)', () => {
  it('writes the comment into ©cmt, read back by readMp4Comment', async () => {
    const comment = JSON.stringify({ prompt: 'ünïcode “quotes” <tags>', seed: 42 });
    const bytes = await muxMp4({ audio: aac, comment });
    expect(readMp4Comment(bytes)).toBe(comment);
    expect(new TextDecoder().decode(bytes)).not.toContain('Lavf');
  });

  it('writes no comment when none is given', async () => {
    expect(readMp4Comment(await muxMp4({ audio: aac }))).toBeUndefined();
  });
});
