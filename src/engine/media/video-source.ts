/**
 * A source video decoded in chunks with ffmpeg.wasm: the compressed file stays in ffmpeg's file
 * system, each read decodes only the frames asked for (accurate input seek to half a frame
 * before the first one, then `-frames:v n` as raw RGBA, timestamps passed through: a constant
 * frame rate output would repeat the first frame to fill the half-frame gap the seek leaves), so
 * memory holds one chunk of frames at a time. The file is written again if a failed command
 * elsewhere replaced the ffmpeg instance.
 */
import { EngineError } from '../errors';
import type { RgbaFrame } from '../matting/frames';
import type { FfmpegSession } from './ffmpeg-session';
import { parseProbeLog, probeArgs, type VideoInfo } from './video-probe';

export class VideoSource {
  private constructor(
    private readonly ffmpeg: FfmpegSession,
    /** The file's name inside ffmpeg's file system. */
    readonly path: string,
    readonly info: VideoInfo,
    private readonly file: Blob,
    private keptIn: number,
  ) {}

  /** Keeps `file` in ffmpeg as `path` and probes it; an unreadable file is dropped again. */
  static async open(ffmpeg: FfmpegSession, path: string, name: string, file: Blob): Promise<VideoSource> {
    await ffmpeg.keep(path, new Uint8Array(await file.arrayBuffer()));
    const keptIn = ffmpeg.generation;
    try {
      const { code, lines } = await ffmpeg.exec(probeArgs(path));
      return new VideoSource(ffmpeg, path, parseProbeLog(name, code, lines), file, keptIn);
    } catch (err) {
      await ffmpeg.drop(path);
      throw err;
    }
  }

  /** Writes the file again when a failed command replaced the ffmpeg instance (and its files). */
  private async ensureKept(): Promise<void> {
    if (this.keptIn === this.ffmpeg.generation) return;
    await this.ffmpeg.keep(this.path, new Uint8Array(await this.file.arrayBuffer()));
    this.keptIn = this.ffmpeg.generation;
  }

  /** Frames [start, start + count) clipped to the video; fewer come back only at its end. */
  async read(start: number, count: number): Promise<RgbaFrame[]> {
    const { width, height, fps, frameCount, name } = this.info;
    const n = Math.min(count, frameCount - start);
    if (start < 0 || n <= 0) return [];
    const seek = start > 0 ? ['-ss', ((start - 0.5) / fps).toFixed(6)] : [];
    await this.ensureKept();
    let raw: Uint8Array;
    try {
      raw = await this.ffmpeg.run({
        inputs: {},
        args: ['-hide_banner', ...seek, '-i', this.path, '-map', '0:v:0', '-frames:v', String(n), '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgba', 'chunk.rgba'],
        output: 'chunk.rgba',
      });
    } catch (err) {
      throw new EngineError('invalid-video', `${name} could not be decoded at frame ${start}: ${(err as Error).message}`);
    }
    const size = width * height * 4;
    const frames: RgbaFrame[] = [];
    for (let at = 0; at + size <= raw.byteLength; at += size) frames.push({ width, height, data: new Uint8ClampedArray(raw.slice(at, at + size).buffer) });
    return frames;
  }

  close(): Promise<void> {
    return this.ffmpeg.drop(this.path);
  }
}
