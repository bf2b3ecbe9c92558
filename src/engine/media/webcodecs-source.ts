/**
 * A source video decoded with WebCodecs from our MP4 demuxer's samples: a read starts decoding at
 * the last keyframe at or before its first frame, and the decoder then stays where it is, so the
 * next read of the following chunk (a matting run reads chunk after chunk) decodes each frame
 * once. Any other start (the page's scrubber) restarts from its keyframe. Frames become RGBA as
 * they come out and their VideoFrames are closed; at most DECODE_QUEUE chunks wait in the decoder
 * and sending stops once the chunk asked for is complete, so memory holds about one chunk.
 */
import { EngineError } from '../errors';
import type { RgbaFrame } from '../matting/frames';
import type { FfmpegSession } from './ffmpeg-session';
import { type FrameSource, KeptFile } from './frame-source';
import type { Mp4Video } from './mp4/demux';
import { videoFrameRgba } from './video-frame-rgba';
import type { VideoInfo } from './video-probe';

const DECODE_QUEUE = 8;

export class WebCodecsSource implements FrameSource {
  readonly info: VideoInfo;
  private decoder: VideoDecoder | undefined;
  /** Per decode index: its presentation index, and the chunk timestamp (µs) the decoder echoes. */
  private readonly rank: Uint32Array;
  private readonly timestamps: number[];
  private readonly byTimestamp = new Map<number, number>();
  private readonly ready = new Map<number, Promise<RgbaFrame>>();
  private next = 0;
  /** The presentation index a sequential read starts at; frames below `from` are dropped. */
  private expected = -1;
  private from = 0;
  private failure: unknown;
  private wake = () => {};
  private reads: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly video: Mp4Video,
    private readonly file: Blob,
    private readonly kept: KeptFile,
    name: string,
  ) {
    const { width, height, fps, frameCount, durationSeconds, hasAudio, samples, timescale } = video;
    this.info = { name, width, height, fps, frameCount, durationSeconds, hasAudio, decoder: 'webcodecs' };
    this.rank = new Uint32Array(frameCount);
    samples.presentation.forEach((d, p) => (this.rank[d] = p));
    const first = samples.cts[samples.presentation[0] as number] as number;
    this.timestamps = Array.from(samples.cts, (t) => Math.round(((t - first) * 1e6) / timescale));
    this.timestamps.forEach((t, d) => this.byTimestamp.set(t, this.rank[d] as number));
  }

  /** A source for `video`, or undefined where this browser's VideoDecoder cannot decode its codec. */
  static async open(
    ffmpeg: FfmpegSession,
    path: string,
    name: string,
    file: Blob,
    video: Mp4Video,
  ): Promise<WebCodecsSource | undefined> {
    if (typeof VideoDecoder === 'undefined') return undefined;
    const support = await VideoDecoder.isConfigSupported(video.config).catch(() => ({ supported: false }));
    return support.supported
      ? new WebCodecsSource(video, file, new KeptFile(ffmpeg, path, file), name)
      : undefined;
  }

  /** A fresh decoder positioned at the last keyframe whose presentation index is at most `start`. */
  private restart(start: number): void {
    if (this.decoder?.state !== 'closed') this.decoder?.close();
    this.ready.clear();
    this.failure = undefined;
    const decoder = new VideoDecoder({
      output: (frame) => {
        const p = this.byTimestamp.get(frame.timestamp) ?? -1;
        if (p < this.from || this.ready.has(p)) frame.close();
        else this.ready.set(p, videoFrameRgba(frame, this.info.width, this.info.height));
        this.wake();
      },
      error: (err) => {
        this.failure = err;
        this.wake();
      },
    });
    decoder.addEventListener('dequeue', () => this.wake());
    decoder.configure(this.video.config);
    this.decoder = decoder;
    const { keys } = this.video.samples;
    this.next = 0;
    for (let d = 0; d < keys.length; d++) if (keys[d] && (this.rank[d] as number) <= start) this.next = d;
  }

  private async send(decoder: VideoDecoder): Promise<void> {
    const d = this.next++;
    const { offsets, sizes, keys } = this.video.samples;
    const at = offsets[d] as number;
    const data = await this.file.slice(at, at + (sizes[d] as number)).arrayBuffer();
    decoder.decode(
      new EncodedVideoChunk({
        type: keys[d] ? 'key' : 'delta',
        timestamp: this.timestamps[d] as number,
        data,
      }),
    );
  }

  /** Reads one after another (the page's scrubber may ask again before a read ends). */
  read(start: number, count: number): Promise<RgbaFrame[]> {
    const run = this.reads.then(() => this.decode(start, count));
    this.reads = run.catch(() => undefined);
    return run;
  }

  private async decode(start: number, count: number): Promise<RgbaFrame[]> {
    const n = Math.min(count, this.info.frameCount - start);
    if (start < 0 || n <= 0) return [];
    if (start !== this.expected || this.failure || !this.decoder) this.restart(start);
    this.from = start;
    for (const p of this.ready.keys()) if (p < start) this.ready.delete(p);
    const wanted = Array.from({ length: n }, (_, i) => start + i);
    for (let flushed = false; !wanted.every((p) => this.ready.has(p));) {
      const decoder = this.decoder as VideoDecoder;
      if (this.failure) throw this.failure;
      if (flushed)
        throw new EngineError(
          'invalid-video',
          `${this.info.name} ended before frame ${wanted.find((p) => !this.ready.has(p))}: the file's frames could not all be decoded.`,
        );
      const woken = new Promise<void>((resolve) => (this.wake = resolve));
      if (this.next < this.rank.length && decoder.decodeQueueSize < DECODE_QUEUE) await this.send(decoder);
      else if (this.next >= this.rank.length)
        await decoder.flush().then(
          () => (flushed = true),
          (err: unknown) => (this.failure ??= err),
        );
      else await woken;
    }
    const frames = await Promise.all(wanted.map((p) => this.ready.get(p) as Promise<RgbaFrame>));
    for (const p of wanted) this.ready.delete(p);
    this.expected = this.from = start + n;
    return frames;
  }

  ffmpegPath(): Promise<string> {
    return this.kept.ensure();
  }

  async close(): Promise<void> {
    if (this.decoder && this.decoder.state !== 'closed') this.decoder.close();
    this.decoder = undefined;
    this.ready.clear();
    await this.kept.drop();
  }
}
