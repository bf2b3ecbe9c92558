/** The wasm backend's host updates (pipeline/host-update.ts) equal the engine's step graphs run by
 * onnxruntime-node bit for bit, and the Euler updates write into the latent's own array. */
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
import type { OrtTensor } from '../../src/engine/runtime';
import { ortNodeModule as ort } from '../helpers/ort-node';

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
