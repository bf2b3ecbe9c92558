/** Numerical parity on the random-weight pack: onnxruntime-node (CPU) vs onnxruntime-web's wasm
 * backend running in Node (latent max abs diff ≤ 1e-4, pixels ≤ 1), plus seed determinism. */
import * as ortWeb from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GenerateOutcome } from '../../src/engine/engine';
import type { OrtModule } from '../../src/engine/runtime';
import { diskPackSource } from '../helpers/ort-node';
import { cpuEngine, smallRequest } from '../helpers/packs';

ortWeb.env.wasm.numThreads = 1;
const ortWebModule: OrtModule = {
  InferenceSession: ortWeb.InferenceSession,
  Tensor: ortWeb.Tensor as unknown as OrtModule['Tensor'],
};

const nodeEngine = cpuEngine();
const webEngine = cpuEngine((id) => diskPackSource(id), ortWebModule);
const request = smallRequest('test-t2v-random', {
  prompt: 'a green robot rolling left in the forest',
  negativePrompt: 'blurry',
  guidance: 3,
  steps: 8,
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

describe('parity on test-t2v-random', () => {
  let node: GenerateOutcome;
  beforeAll(async () => {
    node = await nodeEngine.generate('node', request);
  });

  it('onnxruntime-web (wasm, in Node) matches onnxruntime-node', async () => {
    const web = await webEngine.generate('web', request);
    expect(web.backend).toBe('wasm');
    expect(web.latent).toHaveLength(1 * 4 * 9 * 16 * 16);
    expect(web.latent.every(Number.isFinite)).toBe(true);
    const latentDiff = maxAbsDiff(web.latent, node.latent);
    expect(latentDiff).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDiff(web.frames.rgba, node.frames.rgba)).toBeLessThanOrEqual(1);
  });

  it('the same seed gives bit-identical output', async () => {
    const again = await nodeEngine.generate('again', request);
    expect(maxAbsDiff(again.latent, node.latent)).toBe(0);
    expect(maxAbsDiff(again.frames.rgba, node.frames.rgba)).toBe(0);
  });

  it('another seed gives a different latent', async () => {
    const other = await nodeEngine.generate('other', { ...request, seed: 43 });
    expect(maxAbsDiff(other.latent, node.latent)).toBeGreaterThan(0.1);
  });
});
