/**
 * Opens a source video on the fastest path that works: WebCodecs (the media worker hands in its
 * mediabunny opener: MP4, MOV, fragmented MP4, WebM, rotated videos) when the browser decodes its
 * codec and the first frame decodes; ffmpeg.wasm otherwise (other containers, HEVC…, or no
 * WebCodecs). A decode error later switches that video to ffmpeg.wasm and reads the chunk again,
 * so the user sees no difference but speed. A damaged MP4 (a count impossible for the file's
 * size, or an stsc run against stco, found by our bounded header check) is refused at once as
 * invalid-video: mediabunny alone would throw a generic error or hang (docs/media-demux.md).
 */
import { EngineError } from '../../engine/errors';
import type { RgbaFrame } from '../../engine/matting/frames';
import type { FfmpegSession } from './ffmpeg-session';
import type { FrameSource } from './frame-source';
import { demuxMp4 } from '../../engine/media/mp4/demux';
import type { VideoDecoderKind } from '../../engine/media/video-probe';
import { VideoSource } from './video-source';

/** A WebCodecs source that reopens the video with ffmpeg.wasm on its first decode error. */
export class FallbackSource implements FrameSource {
  constructor(
    private current: FrameSource,
    private readonly viaFfmpeg: () => Promise<FrameSource>,
  ) {}

  get info() {
    return this.current.info;
  }

  async read(start: number, count: number): Promise<RgbaFrame[]> {
    try {
      return await this.current.read(start, count);
    } catch (err) {
      if (this.current.info.decoder !== 'webcodecs') throw err;
      await this.current.close();
      this.current = await this.viaFfmpeg();
      return this.current.read(start, count);
    }
  }

  ffmpegPath(): Promise<string> {
    return this.current.ffmpegPath();
  }

  close(): Promise<void> {
    return this.current.close();
  }
}

/** Opens `file` (kept in ffmpeg as `path` when ffmpeg decodes it); `prefer: 'ffmpeg'` skips WebCodecs (the decode bench). */
export async function openFrameSource(
  ffmpeg: FfmpegSession,
  path: string,
  name: string,
  file: Blob,
  prefer: VideoDecoderKind = 'webcodecs',
  viaWebCodecs: () => Promise<FrameSource | undefined> = () => Promise.resolve(undefined),
): Promise<FrameSource> {
  const viaFfmpeg = () => VideoSource.open(ffmpeg, path, name, file);
  if (prefer === 'ffmpeg') return viaFfmpeg();
  const demuxed = await demuxMp4(file);
  if (!demuxed.ok && demuxed.error.reason === 'damaged')
    throw new EngineError(
      'invalid-video',
      `"${name}" cannot be read: ${demuxed.error.message} Re-export the video (for example with ffmpeg or a video editor) and choose it again.`,
    );
  const source = await viaWebCodecs();
  if (!source) return viaFfmpeg();
  try {
    await source.read(0, 1);
  } catch {
    await source.close();
    return viaFfmpeg();
  }
  return new FallbackSource(source, viaFfmpeg);
}
