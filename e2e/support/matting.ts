/**
 * Matting e2e helpers: a tiny test clip made with the system ffmpeg (a white square moving right
 * on a dark background, with a sine tone), the square's true mask per frame, mask PNGs, and IoU
 * of decoded alpha frames (alpha video via ffmpeg, RGBA PNGs via our PNG decoder).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { png } from '../../tests/helpers/png';

export const CLIP = { width: 96, height: 64, frames: 12, fps: 12, side: 20, y: 22 };

/** Left edge of the square in frame n (it moves right for 12 frames, then starts again). */
export const squareX = (n: number) => 10 + 4 * (n % 12);

export function tmpDir(): string {
  return mkdtempSync(join(tmpdir(), 'webgp-matting-'));
}

/** Writes the clip (H.264 + AAC sine tone; frames drawn here, so the truth is exact) and returns its path. */
export function makeClip(dir: string, name = 'square.mp4', frames = CLIP.frames): string {
  const path = join(dir, name);
  const { width, height, fps } = CLIP;
  const rgb = new Uint8Array(frames * width * height * 3);
  for (let n = 0; n < frames; n++) {
    const truth = trueMask(n);
    for (let p = 0; p < truth.length; p++)
      rgb.fill(truth[p] ? 250 : 20, (n * truth.length + p) * 3, (n * truth.length + p) * 3 + 3);
  }
  const video = [
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-s',
    `${width}x${height}`,
    '-r',
    String(fps),
    '-i',
    '-',
  ];
  const tone = ['-f', 'lavfi', '-i', `sine=frequency=440:duration=${frames / fps}`];
  execFileSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-y',
      ...video,
      ...tone,
      '-c:v',
      'libx264',
      '-crf',
      '8',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-shortest',
      path,
    ],
    { input: rgb },
  );
  return path;
}

/** The square's true mask in frame n (1 = inside). */
export function trueMask(n: number, width = CLIP.width, height = CLIP.height): Uint8Array {
  const m = new Uint8Array(width * height);
  for (let y = CLIP.y; y < CLIP.y + CLIP.side; y++)
    for (let x = squareX(n); x < squareX(n) + CLIP.side; x++) m[y * width + x] = 1;
  return m;
}

/** IoU of `alpha` (0–255, thresholded at 128) against the true mask of frame n. */
export function iou(alpha: ArrayLike<number>, n: number): number {
  const truth = trueMask(n);
  let inter = 0;
  let union = 0;
  for (let p = 0; p < truth.length; p++) {
    const a = (alpha[p] as number) >= 128;
    const t = truth[p] === 1;
    if (a && t) inter++;
    if (a || t) union++;
  }
  return union ? inter / union : 0;
}

/** Decodes an alpha video to one grey byte per pixel per frame. */
export function alphaFrames(path: string): Uint8Array[] {
  const grey = execFileSync(
    'ffmpeg',
    ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'gray', '-'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const size = CLIP.width * CLIP.height;
  const out: Uint8Array[] = [];
  for (let at = 0; at + size <= grey.length; at += size)
    out.push(new Uint8Array(grey.subarray(at, at + size)));
  return out;
}

/** A white-on-black grey PNG of the square in frame n, scaled by `scale` (0.5 = half size), or any size. */
export function maskPngFile(
  dir: string,
  name: string,
  n: number,
  size = { width: CLIP.width, height: CLIP.height },
): string {
  const px = new Uint8Array(size.width * size.height);
  const sx = size.width / CLIP.width;
  const sy = size.height / CLIP.height;
  const truth = trueMask(n);
  for (let y = 0; y < size.height; y++)
    for (let x = 0; x < size.width; x++)
      px[y * size.width + x] = truth[Math.floor(y / sy) * CLIP.width + Math.floor(x / sx)] ? 255 : 0;
  const path = join(dir, name);
  writeFileSync(path, png(size.width, size.height, 0, 1, px, 0));
  return path;
}

/** The stream types ffprobe sees in a file ("video", "audio"). */
export function streamTypes(path: string): string[] {
  const out = JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', path], { encoding: 'utf8' }),
  ) as { streams: { codec_type: string }[] };
  return out.streams.map((s) => s.codec_type);
}

/** An MP4 with no frames at all (ffmpeg writes only the container). */
export function makeEmptyVideo(dir: string): string {
  const path = join(dir, 'empty.mp4');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `color=s=${CLIP.width}x${CLIP.height}`,
    '-frames:v',
    '0',
    '-c:v',
    'libx264',
    path,
  ]);
  return path;
}

/** The first third of the clip: its index (moov atom, written last) is missing. */
export function makeTruncatedVideo(dir: string, clip: string): string {
  const path = join(dir, 'broken.mp4');
  const bytes = readFileSync(clip);
  writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length / 3)));
  return path;
}

/** The clip as a fragmented MP4 (moof boxes), which our demuxer leaves to ffmpeg.wasm. */
export function makeFragmented(dir: string, clip: string): string {
  const path = join(dir, 'square-fragmented.mp4');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-i',
    clip,
    '-c',
    'copy',
    '-movflags',
    '+frag_keyframe+empty_moov',
    path,
  ]);
  return path;
}

/** Three 16×16 squares on the dark background: white, light grey (near white for the demo SAM) and red. */
export const SHAPES = { side: 16, white: [8, 8], grey: [40, 8], red: [8, 40] } as const;

/** A 2-frame clip of SHAPES (no audio) for the mask tools. */
export function makeShapesClip(dir: string): string {
  const path = join(dir, 'shapes.mp4');
  const { width, height } = CLIP;
  const frame = new Uint8Array(width * height * 3).fill(20);
  const fill = ([x0, y0]: readonly [number, number], rgb: number[]) => {
    for (let y = y0; y < y0 + SHAPES.side; y++)
      for (let x = x0; x < x0 + SHAPES.side; x++) frame.set(rgb, (y * width + x) * 3);
  };
  fill(SHAPES.white, [250, 250, 250]);
  fill(SHAPES.grey, [180, 180, 180]);
  fill(SHAPES.red, [250, 20, 20]);
  const input = new Uint8Array([...frame, ...frame]);
  execFileSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-y',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-s',
      `${width}x${height}`,
      '-r',
      '12',
      '-i',
      '-',
      '-c:v',
      'libx264',
      '-crf',
      '8',
      '-pix_fmt',
      'yuv420p',
      path,
    ],
    { input },
  );
  return path;
}

/** The clip as a phone would store it turned a quarter: the same pixels with a 90° display matrix (shown 64×96). */
export function makeRotated(dir: string, clip: string): string {
  const path = join(dir, 'square-rotated.mp4');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-i',
    clip,
    '-c',
    'copy',
    '-metadata:s:v:0',
    'rotate=90',
    path,
  ]);
  return path;
}

/** The clip as WebM (VP9 video, Opus audio). */
export function makeWebm(dir: string, clip: string): string {
  const path = join(dir, 'square.webm');
  const vp9 = ['-c:v', 'libvpx-vp9', '-crf', '10', '-b:v', '0', '-deadline', 'realtime'];
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', clip, ...vp9, '-c:a', 'libopus', path]);
  return path;
}
