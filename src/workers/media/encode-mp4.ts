/**
 * Frames → H.264 MP4 with the settings JSON in the `comment` tag (moov/udta/meta/ilst/©cmt, where
 * WanGP puts its settings). Fast path: WebCodecs H.264 encode muxed by mediabunny; fallback, where
 * WebCodecs cannot encode H.264 (or Settings ask for it): ffmpeg.wasm libx264 on raw RGBA.
 */
import type { FfmpegSession } from './ffmpeg-session';
import type { Mp4Muxer, VideoEncoderChoice } from '../../engine/media/encoder-choice';
import type { FrameStack } from '../../engine/pipeline/frames';
import { canEncodeH264, H264Encoder } from './h264-encoder';
import { muxMp4 } from './mux-mp4';

export interface Mp4Options {
  fps: number;
  /** Settings JSON written to the comment tag (none in metadata modes "json" and "none"). */
  comment?: string;
  encoder: VideoEncoderChoice;
}

export interface Mp4Result {
  bytes: Uint8Array;
  encoder: 'webcodecs' | 'ffmpeg';
  muxer: Mp4Muxer;
}

/** Which encoder and muxer `encodeMp4` will use for this size (known before the settings are written). */
export async function mp4Plan(
  size: { width: number; height: number },
  fps: number,
  choice: VideoEncoderChoice,
): Promise<{ encoder: 'webcodecs' | 'ffmpeg'; muxer: Mp4Muxer }> {
  return choice !== 'ffmpeg' && (await canEncodeH264(size, fps))
    ? { encoder: 'webcodecs', muxer: 'mediabunny' }
    : { encoder: 'ffmpeg', muxer: 'ffmpeg' };
}

/** ffmpeg output arguments: the settings comment tag (when given) and a front-loaded moov atom. */
export const metadataArgs = (comment: string | undefined) => [
  ...(comment === undefined ? [] : ['-metadata', `comment=${comment}`]),
  '-movflags',
  '+faststart',
];

export async function encodeMp4(
  frames: FrameStack,
  opts: Mp4Options,
  ffmpeg: FfmpegSession,
): Promise<Mp4Result> {
  if ((await mp4Plan(frames, opts.fps, opts.encoder)).encoder === 'webcodecs') {
    const encoder = new H264Encoder(frames, opts.fps);
    const frameBytes = frames.width * frames.height * 4;
    try {
      for (let i = 0; i < frames.count; i++)
        encoder.encode(frames.rgba.subarray(i * frameBytes, (i + 1) * frameBytes));
      const video = await encoder.finish();
      const bytes = await muxMp4({
        video,
        fps: opts.fps,
        ...(opts.comment === undefined ? {} : { comment: opts.comment }),
      });
      return { bytes, encoder: 'webcodecs', muxer: 'mediabunny' };
    } finally {
      encoder.close();
    }
  }
  // ffmpeg.wasm writeFile transfers the buffer: hand it a copy so the caller keeps its frames.
  const bytes = await ffmpeg.run({
    inputs: { 'in.rgba': frames.rgba.slice() },
    args: [
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgba',
      '-s',
      `${frames.width}x${frames.height}`,
      '-framerate',
      String(opts.fps),
      '-i',
      'in.rgba',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '12',
      '-pix_fmt',
      'yuv420p',
      ...metadataArgs(opts.comment),
      'out.mp4',
    ],
    output: 'out.mp4',
  });
  return { bytes, encoder: 'ffmpeg', muxer: 'ffmpeg' };
}
