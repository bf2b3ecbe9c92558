/**
 * A source video demuxed lazily from its Blob by mediabunny (MP4, MOV, fragmented MP4, WebM,
 * Matroska) and decoded by WebCodecs, rotation applied (a phone video comes out upright, with
 * its displayed width and height). A matting run reads chunk after chunk: the frame generator
 * of one read carries on for the next, so each frame decodes once; any other start (the page's
 * scrubber) opens a new generator from that frame's keyframe.
 */
import {
  ALL_FORMATS,
  BlobSource,
  CanvasSink,
  EncodedPacketSink,
  Input,
  type WrappedCanvas,
} from 'mediabunny';
import type { FfmpegSession } from './ffmpeg-session';
import { type FrameSource, KeptFile } from './frame-source';
import type { VideoInfo } from '../../engine/media/video-probe';
import type { RgbaFrame } from '../../engine/matting/frames';
import { serialQueue } from '../../engine/serial';

export class MediabunnySource implements FrameSource {
  private frames: AsyncGenerator<WrappedCanvas, void, unknown> | undefined;
  private expected = -1;
  /** Reads one after another (the page's scrubber may ask again before a read ends). */
  private readonly reads = serialQueue();

  private constructor(
    readonly info: VideoInfo,
    private readonly input: Input,
    private readonly sink: CanvasSink,
    /** Presentation timestamps (seconds) of the frames, in order. */
    private readonly timestamps: number[],
    private readonly kept: KeptFile,
  ) {}

  /** A source for `file`, or undefined where mediabunny cannot demux it or WebCodecs cannot decode its video. */
  static async open(
    ffmpeg: FfmpegSession,
    path: string,
    name: string,
    file: Blob,
  ): Promise<MediabunnySource | undefined> {
    if (typeof VideoDecoder === 'undefined') return undefined;
    const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
    try {
      const track = await input.getPrimaryVideoTrack();
      if (!track || !(await track.canDecode())) throw new Error('no decodable video track');
      const timestamps: number[] = [];
      const packets = new EncodedPacketSink(track);
      let end = 0;
      for await (const p of packets.packets(undefined, undefined, { metadataOnly: true })) {
        timestamps.push(p.timestamp);
        end = Math.max(end, p.timestamp + p.duration);
      }
      timestamps.sort((a, b) => a - b);
      const first = timestamps[0];
      if (first === undefined) throw new Error('no frames');
      const [width, height] = [await track.getDisplayWidth(), await track.getDisplayHeight()];
      const durationSeconds = end - first;
      const info: VideoInfo = {
        name,
        width,
        height,
        fps: Math.round((timestamps.length / durationSeconds) * 1000) / 1000,
        frameCount: timestamps.length,
        durationSeconds,
        hasAudio: (await input.getPrimaryAudioTrack()) !== null,
        decoder: 'webcodecs',
      };
      const sink = new CanvasSink(track, { width, height, fit: 'fill' });
      return new MediabunnySource(info, input, sink, timestamps, new KeptFile(ffmpeg, path, file));
    } catch {
      input.dispose();
      return undefined;
    }
  }

  read(start: number, count: number): Promise<RgbaFrame[]> {
    return this.reads(() => this.decode(start, count));
  }

  private async decode(start: number, count: number): Promise<RgbaFrame[]> {
    const n = Math.min(count, this.info.frameCount - start);
    if (start < 0 || n <= 0) return [];
    if (start !== this.expected || !this.frames) {
      await this.frames?.return();
      this.frames = this.sink.canvases(this.timestamps[start]);
    }
    this.expected = -1;
    const out: RgbaFrame[] = [];
    const { width, height } = this.info;
    while (out.length < n) {
      const next = await this.frames.next();
      if (next.done) throw new Error(`${this.info.name} ended before frame ${start + out.length}.`);
      const ctx = next.value.canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
      out.push({ width, height, data: ctx.getImageData(0, 0, width, height).data });
    }
    this.expected = start + n;
    return out;
  }

  ffmpegPath(): Promise<string> {
    return this.kept.ensure();
  }

  async close(): Promise<void> {
    await this.frames?.return();
    this.frames = undefined;
    this.input.dispose();
    await this.kept.drop();
  }
}
