/**
 * The decode bench's clip (`npm run bench`): 240 frames of ffmpeg's test pattern at 256×144,
 * H.264 with B-frames and a keyframe every 120 frames, written with the system ffmpeg next to
 * the build (dist/bench-clips/) so bench.html?decode can fetch it.
 */
import { execFileSync } from 'node:child_process';

export const DECODE_CLIP = { width: 256, height: 144, frames: 240, keyInterval: 120 };

export function makeDecodeClip(path: string): void {
  const { width, height, frames, keyInterval } = DECODE_CLIP;
  const src = ['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=24`, '-frames:v', String(frames)];
  const gop = [
    '-g',
    String(keyInterval),
    '-keyint_min',
    String(keyInterval),
    '-sc_threshold',
    '0',
    '-bf',
    '2',
  ];
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    ...src,
    '-c:v',
    'libx264',
    ...gop,
    '-pix_fmt',
    'yuv420p',
    path,
  ]);
}
