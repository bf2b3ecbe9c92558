/** WebGPU device loss mid-run: a named 'device-lost' error, and the next run creates fresh sessions. */
import { describe, expect, it } from 'vitest';
import type { OrtModule } from '../../src/engine/runtime';
import { rejection } from '../helpers/errors';
import { ortNodeModule } from '../helpers/ort-node';
import { cpuEngine, smallRequest } from '../helpers/packs';

/** ORT-node whose transformer session throws a device-lost error on its first `failRuns` runs. */
function flakyGpuOrt(failRuns: number): { ort: OrtModule; created: () => number } {
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
              throw new Error("GPUDevice was lost: the device's lost promise resolved (reason: unknown)");
            }
            return run(feeds);
          }) as typeof session.run,
        });
      },
    },
  };
  return { ort, created: () => created };
}

describe('device loss', () => {
  it('rejects with code device-lost and a message that keeps the user oriented', async () => {
    const { ort } = flakyGpuOrt(1);
    const err = await rejection(cpuEngine(undefined, ort).generate('job', smallRequest('demo-t2v')));
    expect(err).toMatchObject({ code: 'device-lost' });
    expect((err as Error).message).toMatch(/GPU device was lost.*settings are kept.*Generate to try again/);
  });

  it('drops the dead sessions so the next run loads the pack again and succeeds', async () => {
    const flaky = flakyGpuOrt(1);
    const engine = cpuEngine(undefined, flaky.ort);
    await rejection(engine.generate('a', smallRequest('demo-t2v')));
    const afterFailure = flaky.created();
    const out = await engine.generate('b', smallRequest('demo-t2v'));
    expect(out.frames.count).toBe(9);
    expect(flaky.created()).toBe(afterFailure * 2);
  });
});
