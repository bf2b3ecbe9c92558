/** UniPC and DPM++ 2M as generated graphs (pipeline/gpu-solver.ts), and as the wasm backend's host loops: equal to the CPU solvers within 1e-5, and a resumed engine run stays bit-exact. */
import { describe, expect, it } from 'vitest';
import { GpuSolver, graphCombine, hostCombine } from '../../src/engine/pipeline/gpu-solver';
import type { LatentCheckpoint } from '../../src/engine/pipeline/generate';
import { combineModel } from '../../src/engine/pipeline/step-graph';
import { gaussianNoise } from '../../src/engine/random';
import type { OrtTensor } from '../../src/engine/runtime';
import { buildSchedule } from '../../src/engine/schedule/schedules';
import { createFlowSolver } from '../../src/engine/schedule/solvers';
import { ortNodeModule } from '../helpers/ort-node';
import { cpuEngine, smallRequest } from '../helpers/packs';

const ort = ortNodeModule;
const SIZE = 2 * 3 * 4 * 4;
const dims = [1, 2, 3, 4, 4];
const SCHEDULE = {
  spacing: 'flow-linspace',
  trainSteps: 1000,
  timestep: { from: 'sigma', scale: 1000 },
} as const;

/** A deterministic stand-in model: v = 0.7·x − noise_i. */
const velocity = (x: Float32Array, i: number) => {
  const n = gaussianNoise(SIZE, 100 + i);
  return x.map((a, k) => 0.7 * a - (n[k] as number));
};

describe('GPU solver graphs', () => {
  for (const name of ['unipc', 'dpmpp-2m'] as const) {
    for (const [sign, where] of [
      [1, 'graph'],
      [-1, 'graph'],
      [1, 'host'],
      [-1, 'host'],
    ] as const) {
      it(`${name}${sign < 0 ? ' (negated velocity)' : ''}, ${where}: every step equals the CPU solver within 1e-5`, async () => {
        const { sigmas } = buildSchedule(SCHEDULE, 8, 3);
        const session = await ort.InferenceSession.create(combineModel(), { executionProviders: ['cpu'] });
        const combine = where === 'graph' ? graphCombine(ort, session) : hostCombine(ort);
        const gpu = new GpuSolver(name, sigmas, ort, combine, sign);
        const cpu = createFlowSolver(name, sigmas);
        let xc = gaussianNoise(SIZE, 1);
        let xg: OrtTensor = new ort.Tensor('float32', xc.slice(), dims);
        for (let i = 0; i < 8; i++) {
          const v = velocity(xc, i);
          xc = cpu.step(i, xc, sign < 0 ? v.map((a) => -a) : v);
          xg = await gpu.step(i, xg, new ort.Tensor('float32', v, dims));
          const got = xg.data as Float32Array;
          for (let k = 0; k < SIZE; k++)
            expect(Math.abs((got[k] as number) - (xc[k] as number))).toBeLessThan(1e-5);
          xg = new ort.Tensor('float32', xc.slice(), dims); // both go on from the same sample
        }
        const state = await gpu.state();
        expect(state.next).toBe(8);
        expect(state.outputs).toHaveLength(2);
        gpu.dispose();
      });
    }

    it(`${name}: resuming the engine from a checkpoint gives the uninterrupted latent and frames exactly`, async () => {
      const engine = cpuEngine();
      const request = smallRequest('test-t2v-random', {
        steps: 5,
        guidance: 2,
        negativePrompt: 'blurry',
        solver: name,
      });
      const checkpoints: LatentCheckpoint[] = [];
      const full = await engine.generate('a', request, { onCheckpoint: (cp) => void checkpoints.push(cp) });
      expect(checkpoints[2]?.solver?.name).toBe(name);
      const resumed = await engine.generate('b', request, { resumeFrom: checkpoints[2] });
      expect(resumed.latent).toEqual(full.latent);
      expect(resumed.frames.rgba).toEqual(full.frames.rgba);
    });
  }
});
