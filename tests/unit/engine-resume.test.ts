/** Pause, checkpoints, resume and live previews in the engine: a resumed run equals the uninterrupted one bit for bit. */
import { describe, expect, it } from 'vitest';
import type { LatentCheckpoint } from '../../src/engine/pipeline/generate';
import type { Progress } from '../../src/engine/progress';
import { rejection } from '../helpers/errors';
import { cpuEngine, smallRequest } from '../helpers/packs';

// The random pack's output depends on the seed and on every step, unlike the analytic demo.
const request = smallRequest('test-t2v-random', { steps: 6, guidance: 2.5, negativePrompt: 'blurry' });

describe('engine checkpoints and resume', () => {
  it('hands out one checkpoint per step, and resuming from step 3 gives the uninterrupted latent and frames exactly', async () => {
    const engine = cpuEngine();
    const checkpoints: LatentCheckpoint[] = [];
    const full = await engine.generate('a', request, { onCheckpoint: (cp) => void checkpoints.push(cp) });
    expect(checkpoints.map((c) => c.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(checkpoints[5]?.latent).toEqual(full.latent);
    expect(new Set(checkpoints.map((c) => c.latent.buffer)).size).toBe(6); // each is its own copy

    const steps: number[] = [];
    const resumed = await engine.generate('b', request, {
      resumeFrom: checkpoints[2],
      onProgress: (p: Progress) => p.stage === 'denoise' && steps.push(p.step),
    });
    expect(steps).toEqual([4, 5, 6]);
    expect(resumed.latent).toEqual(full.latent);
    expect(resumed.frames.rgba).toEqual(full.frames.rgba);
  });

  it('a checkpoint that does not fit the task is refused with a message that says to retry', async () => {
    const engine = cpuEngine();
    const bad = { step: 2, shape: [1, 2, 3], latent: new Float32Array(6) };
    const err = await rejection(engine.generate('c', request, { resumeFrom: bad }));
    expect((err as { code?: string }).code).toBe('invalid-request');
    expect(err.message).toMatch(/checkpoint .* does not match this task.*Retry the task/);
  });

  it('pause holds the loop at a step boundary until resume; the result equals an unpaused run', async () => {
    const engine = cpuEngine();
    const plain = await engine.generate('p0', request);
    const steps: number[] = [];
    let release: () => void = () => {};
    const heldAt = new Promise<number>((resolve) => {
      release = () => resolve(steps.at(-1) ?? 0);
    });
    const run = engine.generate('p1', request, {
      onProgress: (p) => {
        if (p.stage !== 'denoise') return;
        steps.push(p.step);
        if (p.step === 2) {
          engine.pause('p1');
          // Give the loop every chance to run ahead while paused.
          setTimeout(release, 150);
        }
      },
    });
    const stoppedAt = await heldAt;
    expect(stoppedAt).toBe(2);
    engine.resume('p1');
    const out = await run;
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
    expect(out.latent).toEqual(plain.latent);
  });

  it('cancel while paused rejects with AbortError and frees the engine for the next job', async () => {
    const engine = cpuEngine();
    const run = engine.generate('q1', request, {
      onProgress: (p) => {
        if (p.stage === 'denoise' && p.step === 1) {
          engine.pause('q1');
          queueMicrotask(() => engine.cancel('q1'));
        }
      },
    });
    expect((await rejection(run)).name).toBe('AbortError');
    const next = await engine.generate('q2', { ...request, steps: 2 });
    expect(next.frames.count).toBe(9);
  });

  it('previews: true reports a latent preview every few steps, at latent resolution, without changing the result', async () => {
    const engine = cpuEngine();
    const plain = await engine.generate('v0', { ...request, steps: 16 });
    const previews: { step: number; total: number; width: number; height: number; bytes: number }[] = [];
    const out = await engine.generate(
      'v1',
      { ...request, steps: 16 },
      {
        previews: true,
        onProgress: (p) =>
          p.stage === 'preview' &&
          previews.push({
            step: p.step,
            total: p.total,
            width: p.width,
            height: p.height,
            bytes: p.rgba.length,
          }),
      },
    );
    expect(previews.map((p) => p.step)).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
    expect(previews[0]).toEqual({ step: 2, total: 16, width: 16, height: 16, bytes: 16 * 16 * 4 });
    expect(out.latent).toEqual(plain.latent);
  });

  it.each(['unipc', 'dpmpp-2m'] as const)(
    '%s: checkpoints carry the solver history, and resuming mid-run is bit-exact; the result differs from Euler',
    async (solver) => {
      const engine = cpuEngine();
      const r = { ...request, solver };
      const checkpoints: LatentCheckpoint[] = [];
      const full = await engine.generate('m0', r, { onCheckpoint: (cp) => void checkpoints.push(cp) });
      expect(checkpoints[2]?.solver).toBeDefined();
      // The history survives a JSON round trip (it is stored with the checkpoint in IndexedDB).
      const cp = checkpoints[2] as LatentCheckpoint;
      const resumed = await engine.generate('m1', r, {
        resumeFrom: { ...cp, solver: JSON.parse(JSON.stringify(cp.solver)) },
      });
      expect(resumed.latent).toEqual(full.latent);
      const euler = await engine.generate('m2', request);
      expect(full.latent).not.toEqual(euler.latent);
      const withoutHistory = await rejection(
        engine.generate('m3', r, {
          resumeFrom: { ...(checkpoints[2] as LatentCheckpoint), solver: undefined },
        }),
      );
      expect(withoutHistory.message).toMatch(/no .* solver state/);
    },
  );
});
