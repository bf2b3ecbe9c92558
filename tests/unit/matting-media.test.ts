/**
 * Matting media logic in Node: the ffmpeg-log probe (size, fps, frames, audio; unreadable and
 * frameless files get their messages), compositing per mask type, mask PNG reading, mask edits,
 * the pause gate, and matting tasks in the queue's task union.
 */
import { describe, expect, it } from 'vitest';
import { PauseGate } from '../../src/engine/pause-gate';
import { emptyMask, maskArea, paintDisc, unionMasks } from '../../src/engine/media/mask-edit';
import { maskFromPng } from '../../src/engine/media/mask-png';
import { compositeFrame } from '../../src/engine/matting/composite';
import { parseProbeLog } from '../../src/engine/media/video-probe';
import { mattingSettings } from '../../src/engine/metadata/matting-settings';
import type { MattingRequest } from '../../src/engine/matting';
import { isMatting, newTask, taskTitle, taskTotal } from '../../src/engine/queue/task';
import { thrown } from '../helpers/errors';
import { png } from '../helpers/png';
import { smallRequest } from '../helpers/requests';

const LOG = [
  "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'src-x':",
  '  Duration: 00:00:01.00, start: 0.000000, bitrate: 120 kb/s',
  '  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 96x64, 40 kb/s, 12 fps, 12 tbr, 12288 tbn (default)',
  '  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, mono, fltp, 69 kb/s (default)',
  'frame=    6 fps=0.0 q=-1.0 size=N/A time=00:00:00.50',
  'frame=   12 fps=0.0 q=-1.0 Lsize=N/A time=00:00:00.91 bitrate=N/A speed= 100x',
];

const matting: MattingRequest = {
  kind: 'matting',
  packId: 'demo-matanyone',
  videoName: 'clip.mp4',
  startFrame: 2,
  endFrame: 9,
  warmupFrames: 3,
  erode: 1,
  dilate: 2,
  maskType: 'greenscreen',
};

describe('parseProbeLog', () => {
  it('reads size, frame rate, duration, frame count and audio', () => {
    expect(parseProbeLog('clip.mp4', 0, LOG)).toEqual({
      name: 'clip.mp4',
      width: 96,
      height: 64,
      fps: 12,
      frameCount: 12,
      durationSeconds: 1,
      hasAudio: true,
      decoder: 'ffmpeg',
    });
    expect(
      parseProbeLog(
        'clip.mp4',
        0,
        LOG.filter((l) => !l.includes('Audio')),
      ).hasAudio,
    ).toBe(false);
  });

  it('names a file that is not a video, and a video without frames', () => {
    const bad = thrown(() =>
      parseProbeLog('clip.txt', 1, ['clip.txt: Invalid data found when processing input']),
    );
    expect([bad.code, bad.message]).toEqual([
      'invalid-video',
      'clip.txt is not a video ffmpeg can read. Choose an MP4, WebM or MOV video file.',
    ]);
    const sound = thrown(() =>
      parseProbeLog('tone.m4a', 1, [
        LOG[0] as string,
        LOG[1] as string,
        LOG[3] as string,
        "Stream map '0:v:0' matches no streams.",
      ]),
    );
    expect(sound.message).toBe(
      'tone.m4a has no video stream (only sound or data). Choose a file with video.',
    );
    const bare = thrown(() =>
      parseProbeLog('bare.mp4', 1, [
        LOG[0] as string,
        '  Duration: 00:00:00.00, bitrate: N/A',
        "Stream map '0:v:0' matches no streams.",
      ]),
    );
    expect(bare.message).toMatch(/^The video has no frames: bare\.mp4/);
    const empty = thrown(() => parseProbeLog('empty.mp4', 0, LOG.slice(0, 4)));
    expect(empty.code).toBe('invalid-video');
    expect(empty.message).toMatch(/^The video has no frames: empty\.mp4/);
  });
});

describe('compositeFrame', () => {
  const frame = { width: 2, height: 1, data: new Uint8ClampedArray([200, 100, 50, 255, 10, 20, 30, 255]) };
  const alpha = { width: 2, height: 1, data: new Uint8Array([255, 0]) };

  it('puts the foreground over green for greenscreen and over black otherwise, alpha in the grey frame and the RGBA frame', () => {
    const green = compositeFrame(frame, alpha, 'greenscreen');
    expect([...green.foreground]).toEqual([200, 100, 50, 255, 120, 255, 155, 255]);
    expect([...green.grey]).toEqual([255, 255, 255, 255, 0, 0, 0, 255]);
    expect([...green.rgba]).toEqual([200, 100, 50, 255, 10, 20, 30, 0]);
    expect([...compositeFrame(frame, alpha, 'alpha').foreground]).toEqual([200, 100, 50, 255, 0, 0, 0, 255]);
  });
});

describe('mask PNGs and edits', () => {
  it('reads a grey PNG as the mask and refuses a file that is not a PNG', () => {
    const m = maskFromPng(png(3, 1, 0, 1, new Uint8Array([0, 255, 128]), 0), 'm.png');
    expect(m).toEqual({ width: 3, height: 1, data: new Uint8Array([0, 255, 128]) });
    const bad = thrown(() => maskFromPng(new Uint8Array([1, 2, 3]), 'm.txt'));
    expect(bad.code).toBe('invalid-mask');
    expect(bad.message).toMatch(/^m\.txt is not a mask PNG we can read \(not a PNG file\)/);
  });

  it('merges masks, paints and erases discs, and counts covered pixels', () => {
    const a = paintDisc(emptyMask(10, 10), 2, 2, 1, true);
    expect(maskArea(a)).toBe(5);
    const b = paintDisc(emptyMask(10, 10), 7, 7, 0, true);
    expect(maskArea(unionMasks(a, b))).toBe(6);
    expect(maskArea(paintDisc(a, 2, 2, 0, false))).toBe(4);
    expect(unionMasks(undefined, b)).toBe(b);
  });
});

describe('PauseGate', () => {
  it('passes when running, holds while paused, and rejects on abort', async () => {
    const gate = new PauseGate();
    const ac = new AbortController();
    await gate.wait(ac.signal);
    gate.pause();
    let passed = false;
    const held = gate.wait(ac.signal).then(() => (passed = true));
    await Promise.resolve();
    expect(passed).toBe(false);
    gate.resume();
    await held;
    expect(passed).toBe(true);
    gate.pause();
    const aborted = gate.wait(ac.signal);
    ac.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('matting tasks', () => {
  it('are told apart from generation tasks (old records without kind stay generation)', () => {
    const m = newTask(matting, { id: 'm', rank: 1, now: 0 });
    const g = newTask(smallRequest('demo-t2v', { steps: 3 }), { id: 'g', rank: 2, now: 0 });
    expect([isMatting(m.request), isMatting(g.request)]).toEqual([true, false]);
    expect(taskTitle(m)).toBe('Matting clip.mp4');
    expect(taskTotal(m)).toBe(8);
    expect(taskTotal(g)).toBe(3);
  });

  it('have a settings record of type "matting"', () => {
    const s = mattingSettings(matting, {
      width: 96,
      height: 64,
      fps: 12,
      backend: 'webgpu',
      decoder: 'webcodecs',
      generationSeconds: 1.234,
      createdAt: new Date(0),
    });
    expect(s).toMatchObject({
      type: 'matting',
      source_video: 'clip.mp4',
      start_frame: 2,
      end_frame: 9,
      video_length: 8,
      mask_type: 'greenscreen',
      erode: 1,
      dilate: 2,
      warmup_frames: 3,
      model_type: 'demo-matanyone',
      resolution: '96x64',
      decoder: 'webcodecs',
      generation_time: 1.23,
    });
  });
});
