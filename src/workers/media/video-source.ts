/**
 * A source video decoded in chunks with ffmpeg.wasm: the compressed file stays in ffmpeg's file
 * system, each read decodes only the frames asked for (accurate input seek to half a frame
 * before the first one, then `-frames:v n` as raw RGBA, timestamps passed through: a constant
 * frame rate output would repeat the first frame to fill the half-frame gap the seek leaves), so
 * memory holds one chunk of frames at a time, but each chunk decodes again from the keyframe
 * before it (see MediabunnySource for the sequential path). The file is written again if a failed
 * command elsewhere replaced the ffmpeg instance.
 */
import { EngineError } from '../../engine/errors';
import type { RgbaFrame } from '../../engine/matting/frames';
import type { FfmpegSession } from './ffmpeg-session';
import { type FrameSource, KeptFile } from './frame-source';
import { parseProbeLog, probeArgs, type VideoInfo } from '../../engine/media/video-probe';

export class VideoSource implements FrameSource {
  private constructor(
    private readonly ffmpeg: FfmpegSession,
    private readonly kept: KeptFile,
    readonly info: VideoInfo,
  ) {}

  /** Keeps `file` in ffmpeg as `path` and probes it; an unreadable file is dropped again. */
  static async open(ffmpeg: FfmpegSession, path: string, name: string, file: Blob): Promise<VideoSource> {
    const kept = new KeptFile(ffmpeg, path, file);
    try {
      await kept.ensure();
      const { code, lines } = await ffmpeg.exec(probeArgs(path));
      return new VideoSource(ffmpeg, kept, parseProbeLog(name, code, lines));
    } catch (err) {
      await kept.drop();
      throw err;
    }
  }

  ffmpegPath(): Promise<string> {
    return this.kept.ensure();
  }

  /** Frames [start, start + count) clipped to the video; fewer come back only at its end. */
  async read(start: number, count: number): Promise<RgbaFrame[]> {
    const { width, height, fps, frameCount, name } = this.info;
    const n = Math.min(count, frameCount - start);
    if (start < 0 || n <= 0) return [];
    const seek = start > 0 ? ['-ss', ((start - 0.5) / fps).toFixed(6)] : [];
    const path = await this.kept.ensure();
    let raw: Uint8Array;
    try {
      raw = await this.ffmpeg.run({
        inputs: {},
        args: [
          '-hide_banner',
          ...seek,
          '-i',
          path,
          '-map',
          '0:v:0',
          '-frames:v',
          String(n),
          '-fps_mode',
          'passthrough',
          '-f',
          'rawvideo',
          '-pix_fmt',
          'rgba',
          'chunk.rgba',
        ],
        output: 'chunk.rgba',
      });
    } catch (err) {
      throw new EngineError(
        'invalid-video',
        `${name} could not be decoded at frame ${start}: ${(err as Error).message}`,
      );
    }
    const size = width * height * 4;
    const frames: RgbaFrame[] = [];
    for (let at = 0; at + size <= raw.byteLength; at += size)
      frames.push({ width, height, data: new Uint8ClampedArray(raw.slice(at, at + size).buffer) });
    return frames;
  }

  close(): Promise<void> {
    return this.kept.drop();
  }
}
