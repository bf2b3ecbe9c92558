/**
 * The MP4/MOV demuxer on files made here with the system ffmpeg (x264 with B-frames so `ctts`
 * matters, moov at the end and at the start, MOV, with audio, VP9 in MP4): sample count, sizes,
 * offsets, key frames and presentation order match ffprobe's packet list; fps, duration, codec
 * string and audio presence are right. Fragmented MP4, WebM, a truncated file and a rotated track
 * are NotDemuxable.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { demuxMp4, type Mp4Video } from '../../src/engine/media/mp4/demux';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'webgp-demux-'));
});

const SRC = ['-f', 'lavfi', '-i', 'testsrc2=size=96x64:rate=12:duration=2'];
const X264 = ['-c:v', 'libx264', '-bf', '2', '-g', '6', '-pix_fmt', 'yuv420p'];

function make(name: string, args: string[]): Blob {
  const path = join(dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...SRC, ...args, path]);
  return new Blob([readFileSync(path)]);
}

interface Packet {
  pts: number;
  size: string;
  pos: string;
  flags: string;
}
const packets = (name: string): Packet[] =>
  (
    JSON.parse(
      execFileSync(
        'ffprobe',
        ['-v', 'error', '-select_streams', 'v:0', '-show_packets', '-of', 'json', join(dir, name)],
        { encoding: 'utf8' },
      ),
    ) as { packets: Packet[] }
  ).packets;

/** The demuxed video, checked sample by sample against ffprobe's packets. */
async function demuxChecked(name: string, file: Blob): Promise<Mp4Video> {
  const r = await demuxMp4(file);
  if (!r.ok) throw r.error;
  const { samples } = r.video;
  const probe = packets(name);
  expect(r.video.frameCount).toBe(probe.length);
  expect([...samples.sizes]).toEqual(probe.map((p) => Number(p.size)));
  expect([...samples.offsets]).toEqual(probe.map((p) => Number(p.pos)));
  expect([...samples.keys].map((k) => k === 1)).toEqual(probe.map((p) => p.flags.startsWith('K')));
  const byPts = probe
    .map((p, i) => ({ pts: p.pts, i }))
    .sort((a, b) => a.pts - b.pts)
    .map((p) => p.i);
  expect([...samples.presentation]).toEqual(byPts);
  return r.video;
}

describe('demuxMp4', () => {
  it('reads an x264 MP4 with B-frames and moov at the end', async () => {
    const v = await demuxChecked('end.mp4', make('end.mp4', X264));
    expect(v.config.codec).toMatch(/^avc1\.(64|4d|42)00[0-9a-f]{2}$/);
    expect(v.config.description?.[0]).toBe(1);
    expect([v.width, v.height, v.fps, v.frameCount, v.durationSeconds, v.hasAudio]).toEqual([
      96,
      64,
      12,
      24,
      2,
      false,
    ]);
    expect([...v.samples.presentation]).not.toEqual([...v.samples.presentation].sort((a, b) => a - b));
    expect(v.samples.keys.reduce((a, k) => a + k, 0)).toBe(4);
  });

  it('reads a faststart MP4 with audio, and a MOV', async () => {
    const tone = ['-f', 'lavfi', '-i', 'sine=duration=2', '-c:a', 'aac'];
    const a = await demuxChecked('fast.mp4', make('fast.mp4', [...tone, ...X264, '-movflags', '+faststart']));
    expect([a.frameCount, a.hasAudio]).toEqual([24, true]);
    const m = await demuxChecked('clip.mov', make('clip.mov', X264));
    expect([m.width, m.height, m.fps, m.frameCount]).toEqual([96, 64, 12, 24]);
  });

  it('reads VP9 in MP4 as vp09', async () => {
    const v = await demuxChecked(
      'vp9.mp4',
      make('vp9.mp4', ['-c:v', 'libvpx-vp9', '-g', '12', '-deadline', 'realtime']),
    );
    expect(v.config.codec).toBe('vp09.00.10.08');
    expect(v.config.description).toBeUndefined();
  });

  it('refuses fragmented MP4, WebM, a truncated file and a rotated track with a reason', async () => {
    const frag = await demuxMp4(make('frag.mp4', [...X264, '-movflags', '+frag_keyframe+empty_moov']));
    expect(frag.ok ? '' : frag.error.reason).toBe('fragmented');
    const webm = await demuxMp4(make('clip.webm', ['-c:v', 'libvpx-vp9', '-deadline', 'realtime']));
    expect(webm.ok ? '' : webm.error.reason).toBe('not-mp4');
    const whole = readFileSync(join(dir, 'end.mp4'));
    const cut = await demuxMp4(new Blob([whole.subarray(0, whole.length >> 1)]));
    expect(cut.ok ? '' : cut.error.reason).toBe('truncated');
    expect(cut.ok ? '' : cut.error.message).toMatch(/cut short/);
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-i',
      join(dir, 'end.mp4'),
      '-c',
      'copy',
      '-metadata:s:v:0',
      'rotate=90',
      join(dir, 'rot.mp4'),
    ]);
    const rot = await demuxMp4(new Blob([readFileSync(join(dir, 'rot.mp4'))]));
    expect(rot.ok ? '' : rot.error.message).toMatch(/rotated/);
  });
});
