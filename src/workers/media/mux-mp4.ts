/**
 * MP4 muxing with mediabunny: encoded video and/or audio packets into one in-memory MP4 with the
 * settings JSON in `comment` (mediabunny writes it as moov/udta/meta/ilst/©cmt, where ffmpeg's
 * `-metadata comment=` and WanGP put it, so readMp4Comment reads both), moov first.
 */
import {
  BufferTarget,
  EncodedAudioPacketSource,
  EncodedVideoPacketSource,
  Mp4OutputFormat,
  Output,
} from 'mediabunny';
import type { AudioPackets } from './audio-copy';
import type { EncodedVideo } from './h264-encoder';

export interface MuxInput {
  video?: EncodedVideo;
  audio?: AudioPackets;
  fps?: number;
  /** Settings JSON for the comment tag (none in metadata modes "json" and "none"). */
  comment?: string;
}

export async function muxMp4(input: MuxInput): Promise<Uint8Array> {
  const output = new Output({
    format: new Mp4OutputFormat({ fastStart: 'in-memory' }),
    target: new BufferTarget(),
  });
  const video = input.video && new EncodedVideoPacketSource('avc');
  if (video) output.addVideoTrack(video, input.fps ? { frameRate: input.fps } : {});
  const audio = input.audio && new EncodedAudioPacketSource(input.audio.codec);
  if (audio) output.addAudioTrack(audio);
  if (input.comment !== undefined) output.setMetadataTags({ comment: input.comment });
  await output.start();
  if (video && input.video) {
    const meta = input.video.meta;
    for (const [i, p] of input.video.packets.entries()) await video.add(p, i === 0 ? meta : undefined);
    video.close();
  }
  if (audio && input.audio) {
    const meta = { decoderConfig: input.audio.decoderConfig };
    for (const [i, p] of input.audio.packets.entries()) await audio.add(p, i === 0 ? meta : undefined);
    audio.close();
  }
  await output.finalize();
  const buffer = output.target.buffer;
  if (!buffer) throw new Error('mediabunny wrote no MP4');
  return new Uint8Array(buffer);
}
