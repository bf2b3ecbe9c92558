/**
 * WebGPU device loss mid-run: a named 'device-lost' error when the device says it was lost (not
 * when an error's text merely mentions it), and the next run creates fresh sessions.
 */
import { describe, expect, it } from 'vitest';
import type { OrtModule } from '../../src/engine/runtime';
import { rejection } from '../helpers/errors';
import { createEngine } from '../../src/engine/engine';
import { CPU_ONLY, diskPackSource, ortNodeModule } from '../helpers/ort-node';
import { smallRequest } from '../helpers/packs';

/** An engine whose device reports loss once `lost()` holds (as ORT's GPUDevice.lost resolves). */
function engineOn(flaky: ReturnType<typeof flakyGpuOrt>, lostReason = 'Device was destroyed.') {
  return createEngine({
    ort: flaky.ort,
    sourceFor: async (id) => diskPackSource(id),
    probe: async () => CPU_ONLY,
    deviceLost: async () => (flaky.lost() ? lostReason : undefined),
  });
}

/** ORT-node whose transformer session throws on its first `failRuns` runs; `lost` says whether the device was lost then. */
function flakyGpuOrt(failRuns: number): { ort: OrtModule; created: () => number; lost: () => boolean } {
  let created = 0;
  let failures = 0;
  const ort: OrtModule = {
    Tensor: ortNodeModule.Tensor,
    InferenceSession: {
      async create(bytes, options) {
        created += 1;
        const session = await ortNodeModule.InferenceSession.create(bytes, options);
        if (!session.outputNames.includes('noise_pred')) return session;
        const run = session.run.bind(session);
        return Object.assign(session, {
          run: (async (feeds: Parameters<typeof run>[0]) => {
            if (failures < failRuns) {
              failures += 1;
              throw new Error('Failed to run the model: buffer mapping failed');
            }
            return run(feeds);
          }) as typeof session.run,
        });
      },
    },
  };
  return { ort, created: () => created, lost: () => failures > 0 };
}

describe('device loss', () => {
  it('rejects with code device-lost and a message that keeps the user oriented', async () => {
    const err = await rejection(engineOn(flakyGpuOrt(1)).generate('job', smallRequest('demo-t2v')));
    expect(err).toMatchObject({ code: 'device-lost' });
    expect((err as Error).message).toMatch(
      /GPU device was lost \(Device was destroyed\.\).*settings are kept.*Generate to try again/,
    );
  });

  it('an error whose text mentions a lost device is not device loss while the device is fine', async () => {
    const flaky = flakyGpuOrt(1);
    const engine = createEngine({
      ort: flaky.ort,
      sourceFor: async (id) => diskPackSource(id),
      probe: async () => CPU_ONLY,
      deviceLost: async () => undefined,
    });
    const err = await rejection(engine.generate('job', smallRequest('demo-t2v')));
    expect(err).not.toMatchObject({ code: 'device-lost' });
    expect((err as Error).message).toMatch(/buffer mapping failed/);
  });

  it('drops the dead sessions so the next run loads the pack again and succeeds', async () => {
    const flaky = flakyGpuOrt(1);
    const engine = engineOn(flaky);
    await rejection(engine.generate('a', smallRequest('demo-t2v')));
    const afterFailure = flaky.created();
    const out = await engine.generate('b', smallRequest('demo-t2v'));
    expect(out.frames.count).toBe(9);
    expect(flaky.created()).toBe(afterFailure * 2);
  });
});
