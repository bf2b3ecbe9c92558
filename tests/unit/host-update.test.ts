/** The wasm backend's host updates (pipeline/host-update.ts) equal the engine's step graphs run by
 * onnxruntime-node bit for bit, and the Euler updates write into the latent's own array; a wasm
 * denoise step runs the transformer (once, twice with CFG) and no other session. */
import { describe, expect, it } from 'vitest';
import {
  blendInPlace,
  cfgCombined,
  eulerCfgInPlace,
  eulerInPlace,
  linearCombination,
  scaled,
} from '../../src/engine/pipeline/host-update';
import {
  blendModel,
  combineModel,
  eulerCfgStepModel,
  eulerModel,
  scaleModel,
} from '../../src/engine/pipeline/step-graph';
import { gaussianNoise } from '../../src/engine/random';
import type { OrtModule, OrtTensor } from '../../src/engine/runtime';
import type { TaskRequest } from '../../src/engine/request';
import { diskPackSource, ortNodeModule as ort } from '../helpers/ort-node';
import { cpuEngine, smallRequest } from '../helpers/packs';
import { TEST_PACKS_DIR } from '../helpers/test-packs';

const dims = [1, 4, 3, 8, 8];
const SIZE = 4 * 3 * 8 * 8;
/** Values over several magnitudes, so rounding differences would show. */
const data = (seed: number) => gaussianNoise(SIZE, seed).map((v, i) => v * 10 ** ((i % 7) - 3));
const t = (a: Float32Array) => new ort.Tensor('float32', a, dims);
const scalar = (v: number) => new ort.Tensor('float32', Float32Array.of(v), [1]);

async function runGraph(model: Uint8Array, feeds: Record<string, OrtTensor>): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'] });
  try {
    const out = await session.run(feeds);
    return (Object.values(out)[0] as OrtTensor).data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('host updates equal the step graphs bit for bit', () => {
  const [x, vc, vu] = [data(1), data(2), data(3)];
  // dt and guidance that are not float32 values: both sides round them to float32 first.
  const [dt, g] = [-0.0912345678901, 3.3333333333];

  it('Euler without CFG, in place', async () => {
    const want = await runGraph(eulerModel(), { latents: t(x), v: t(vc), dt: scalar(dt) });
    const own = x.slice();
    eulerInPlace(own, vc, dt);
    expect(own).toEqual(want);
    expect(own).not.toEqual(x);
  });

  it('Euler with CFG, in place', async () => {
    const want = await runGraph(eulerCfgStepModel(), {
      latents: t(x),
      v_cond: t(vc),
      v_uncond: t(vu),
      dt: scalar(dt),
      guidance: scalar(g),
    });
    const own = x.slice();
    eulerCfgInPlace(own, vc, vu, dt, g);
    expect(own).toEqual(want);
  });

  it('the CFG combination (the step graph with zero latents and dt 1)', async () => {
    const want = await runGraph(eulerCfgStepModel(), {
      latents: t(new Float32Array(SIZE)),
      v_cond: t(vc),
      v_uncond: t(vu),
      dt: scalar(1),
      guidance: scalar(g),
    });
    expect(cfgCombined(vc, vu, g)).toEqual(want);
  });

  it('scale and blend', async () => {
    expect(scaled(x, 1 / Math.sqrt(14.6 ** 2 + 1))).toEqual(
      await runGraph(scaleModel(), { x: t(x), s: scalar(1 / Math.sqrt(14.6 ** 2 + 1)) }),
    );
    const keep = data(4).map((v) => (v > 0 ? 1 : 0));
    const want = await runGraph(blendModel(), { x: t(x), keep: t(keep), fixed: t(vu) });
    const own = x.slice();
    blendInPlace(own, keep, vu);
    expect(own).toEqual(want);
  });

  it('linear combination of two to four terms', async () => {
    const ts = [x, vc, vu, data(5)];
    const ks = [0.75, -1.0000001, 2.5e-3, 7.123456789];
    for (const n of [2, 3, 4]) {
      const feeds: Record<string, OrtTensor> = {};
      for (let k = 0; k < 4; k++) {
        feeds[`k${k}`] = scalar(k < n ? (ks[k] as number) : 0);
        feeds[`t${k}`] = t((k < n ? ts[k] : ts[0]) as Float32Array);
      }
      const terms = ts.slice(0, n).map((a, k) => [ks[k] as number, a] as const);
      expect(linearCombination(terms)).toEqual(await runGraph(combineModel(), feeds));
    }
  });
});

/** onnxruntime-node whose sessions count their runs. */
function countingOrt(): { ort: OrtModule; runs: { count: number } } {
  const runs = { count: 0 };
  const counted: OrtModule = {
    Tensor: ort.Tensor,
    InferenceSession: {
      async create(model, options) {
        const session = await ort.InferenceSession.create(model, options);
        const run = session.run.bind(session) as (...a: unknown[]) => ReturnType<typeof session.run>;
        (session as { run: unknown }).run = (...a: unknown[]) => {
          runs.count++;
          return run(...a);
        };
        return session;
      },
    },
  };
  return { ort: counted, runs };
}

describe('a wasm denoise step runs only the transformer', () => {
  it.each([
    ['demo-t2v', { solver: 'euler', guidance: 1 }, 1],
    ['demo-t2v', { solver: 'euler', guidance: 2.5, negativePrompt: 'blue' }, 2],
    ['demo-t2v', { solver: 'unipc', guidance: 2.5, negativePrompt: 'blue' }, 2],
    ['demo-t2v', { solver: 'dpmpp-2m', guidance: 1 }, 1],
    ['test-sdturbo', { solver: 'euler', guidance: 1, resolution: '32x32', frames: 1 }, 1],
  ] as const)('%s %o: %i session run(s) per step', async (id, patch, perStep) => {
    const { ort: counted, runs } = countingOrt();
    const dir = id === 'demo-t2v' ? undefined : TEST_PACKS_DIR;
    const engine = cpuEngine((p) => diskPackSource(p, dir), counted);
    const atStep: number[] = [];
    const request: TaskRequest = smallRequest(id, { ...patch, steps: 4 });
    const out = await engine.generate('t', request, {
      onProgress: (p) => void (p.stage === 'denoise' && atStep.push(runs.count)),
    });
    expect(out.backend).toBe('wasm');
    expect(atStep).toHaveLength(4);
    // Runs between two step reports belong to one step (the first step's count includes text encoding).
    expect(atStep.slice(1).map((n, i) => n - (atStep[i] as number))).toEqual([perStep, perStep, perStep]);
  });
});
