/**
 * What the matting run and the page's frame viewer read a source video through: its facts and
 * frames in chunks (VideoSource with ffmpeg.wasm or MediabunnySource behind it), plus the file's path in
 * ffmpeg's file system for the audio pass. KeptFile keeps that copy across replaced instances.
 */
import type { RgbaFrame } from '../../engine/matting/frames';
import type { FfmpegSession } from './ffmpeg-session';
import type { VideoInfo } from '../../engine/media/video-probe';

export interface FrameSource {
  readonly info: VideoInfo;
  /** Frames [start, start + count) in presentation order, clipped to the video; fewer only at its end. */
  read(start: number, count: number): Promise<RgbaFrame[]>;
  /** The file's name inside ffmpeg's file system (written there first when it is not). */
  ffmpegPath(): Promise<string>;
  close(): Promise<void>;
}

/** A Blob kept in ffmpeg's file system as `path`, written again when a failed command replaced the instance. */
export class KeptFile {
  private keptIn = -1;

  constructor(
    private readonly ffmpeg: FfmpegSession,
    readonly path: string,
    private readonly file: Blob,
  ) {}

  async ensure(): Promise<string> {
    if (this.keptIn !== this.ffmpeg.generation) {
      await this.ffmpeg.keep(this.path, new Uint8Array(await this.file.arrayBuffer()));
      this.keptIn = this.ffmpeg.generation;
    }
    return this.path;
  }

  async drop(): Promise<void> {
    if (this.keptIn >= 0) await this.ffmpeg.drop(this.path);
    this.keptIn = -1;
  }
}
