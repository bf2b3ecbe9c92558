/**
 * Mux benchmark (`npm run bench`, bench.html?mux): the same synthetic frames encoded once by
 * WebCodecs (as length-prefixed packets and as Annex B), then muxed into an MP4 with the settings
 * comment by mediabunny and by ffmpeg.wasm (stream copy, as the fallback muxes), each timed.
 * ffmpeg.wasm's load is timed apart, as it happens once per worker.
 */
import type { FfmpegSession } from './ffmpeg-session';
import { metadataArgs } from './encode-mp4';
import { canEncodeH264, H264Encoder } from './h264-encoder';
import { muxMp4 } from './mux-mp4';

export interface MuxBenchResult {
  muxer: 'mediabunny' | 'ffmpeg';
  resolution: string;
  frames: number;
  /** ffmpeg.wasm's first load (0 for mediabunny). */
  loadMs: number;
  muxMs: number;
  msPerFrame: number;
  bytes: number;
}

/** A moving gradient, so the encoder has real work. */
function frame(width: number, height: number, i: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const x = p % width;
    rgba.set([(x + i * 4) & 255, ((p / width) | 0) & 255, (i * 8) & 255, 255], p * 4);
  }
  return rgba;
}

async function encode(width: number, height: number, count: number, fps: number, format: 'avc' | 'annexb') {
  const encoder = new H264Encoder({ width, height }, fps, format);
  for (let i = 0; i < count; i++) encoder.encode(frame(width, height, i));
  return encoder.finish();
}

export async function benchMux(
  ffmpeg: FfmpegSession,
  width: number,
  height: number,
  count: number,
  fps = 16,
): Promise<MuxBenchResult[]> {
  if (!(await canEncodeH264({ width, height }, fps))) throw new Error('WebCodecs cannot encode H.264 here');
  const comment = JSON.stringify({ prompt: 'mux bench', seed: 1 });
  const row = (muxer: MuxBenchResult['muxer'], loadMs: number, muxMs: number, bytes: number) => ({
    muxer,
    resolution: `${width}x${height}`,
    frames: count,
    loadMs,
    muxMs,
    msPerFrame: muxMs / count,
    bytes,
  });
  const video = await encode(width, height, count, fps, 'avc');
  let t = performance.now();
  const mp4 = await muxMp4({ video, fps, comment });
  const mediabunny = row('mediabunny', 0, performance.now() - t, mp4.length);

  const annexB = await encode(width, height, count, fps, 'annexb');
  const stream = new Uint8Array(annexB.packets.reduce((n, p) => n + p.data.length, 0));
  annexB.packets.reduce((at, p) => (stream.set(p.data, at), at + p.data.length), 0);
  t = performance.now();
  await ffmpeg.exec(['-hide_banner', '-version']);
  const loadMs = performance.now() - t;
  t = performance.now();
  const out = await ffmpeg.run({
    inputs: { 'in.h264': stream },
    args: [
      '-f',
      'h264',
      '-framerate',
      String(fps),
      '-i',
      'in.h264',
      '-c:v',
      'copy',
      ...metadataArgs(comment),
      'out.mp4',
    ],
    output: 'out.mp4',
  });
  return [mediabunny, row('ffmpeg', loadMs, performance.now() - t, out.length)];
}
