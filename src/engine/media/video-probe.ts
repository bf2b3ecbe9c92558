/**
 * Facts about a source video from ffmpeg's own log (ffmpeg.wasm has no ffprobe): size, frame
 * rate, duration and audio from the stream banner, the frame count from a stream-copy pass's
 * final `frame=` line. Pure parsing, tested in Node.
 */
import { EngineError } from '../errors';

/** Which decoder reads a source video's frames: WebCodecs (after mediabunny's demuxer) or ffmpeg.wasm. */
export type VideoDecoderKind = 'webcodecs' | 'ffmpeg';

export interface VideoInfo {
  name: string;
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  durationSeconds: number;
  hasAudio: boolean;
  decoder: VideoDecoderKind;
}

/** The ffmpeg arguments of the probe pass over `input` (video packets copied to nowhere, counted). */
export const probeArgs = (input: string) => [
  '-hide_banner',
  '-i',
  input,
  '-map',
  '0:v:0',
  '-c',
  'copy',
  '-f',
  'null',
  '-',
];

function seconds(h: string, m: string, s: string): number {
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

const noFrames = (name: string) =>
  new EngineError(
    'invalid-video',
    `The video has no frames: ${name} holds no picture ffmpeg can decode. Choose another video file.`,
    { video: 'no-frames' },
  );

/** Reads the probe pass's log; throws EngineError('invalid-video') with a message naming the file. */
export function parseProbeLog(name: string, code: number, lines: string[]): VideoInfo {
  const text = lines.join('\n');
  const video = /Stream #\d+:\d+\S*: Video: [^\n]*?(\d{2,5})x(\d{2,5})[^\n]*/.exec(text);
  const opened = /Input #0, /.test(text);
  if (opened && !video && !/Stream #\d+:\d+/.test(text)) throw noFrames(name);
  if (opened && !video)
    throw new EngineError(
      'invalid-video',
      `${name} has no video stream (only sound or data). Choose a file with video.`,
      { video: 'no-video-stream' },
    );
  if (code !== 0 || !video) {
    throw new EngineError(
      'invalid-video',
      `${name} is not a video ffmpeg can read. Choose an MP4, WebM or MOV video file.`,
      { video: 'unreadable' },
    );
  }
  const rate = /([\d.]+) fps/.exec(video[0]) ?? /([\d.]+) tbr/.exec(video[0]);
  const fps = rate ? Number(rate[1]) : 0;
  const duration = /Duration: (\d+):(\d+):([\d.]+)/.exec(text);
  const frames = [...text.matchAll(/frame=\s*(\d+)/g)].at(-1);
  const frameCount = frames ? Number(frames[1]) : 0;
  if (frameCount === 0) throw noFrames(name);
  return {
    name,
    width: Number(video[1]),
    height: Number(video[2]),
    fps: fps > 0 && fps < 1000 ? fps : 25,
    frameCount,
    durationSeconds: duration
      ? seconds(duration[1] as string, duration[2] as string, duration[3] as string)
      : frameCount / (fps || 25),
    hasAudio: /Stream #\d+:\d+\S*: Audio:/.test(text),
    decoder: 'ffmpeg',
  };
}
