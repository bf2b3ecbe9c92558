/** Engine end to end on the analytic demo pack (onnxruntime-node, CPU): frames and latents match
 * the pure-JS reference (pixels ±1, latent ±1e-4), prompts steer colour, progress invariants hold. */
import { describe, expect, it } from 'vitest';
import type { Progress } from '../../src/engine/progress';
import { referenceFrames } from '../../tools/demo-pack/reference';
import { cpuEngine, smallRequest } from '../helpers/packs';

const engine = cpuEngine();

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/** Mean [r, g, b] of the central 16×16 pixels of frame 0. */
function centreColour(rgba: Uint8Array, width: number, height: number): number[] {
  const sum = [0, 0, 0];
  for (let y = height / 2 - 8; y < height / 2 + 8; y++) {
    for (let x = width / 2 - 8; x < width / 2 + 8; x++)
      for (let c = 0; c < 3; c++) sum[c] = (sum[c] as number) + (rgba[(y * width + x) * 4 + c] as number);
  }
  return sum.map((s) => s / 256);
}

describe('engine on demo-t2v (analytic)', () => {
  it.each([
    {
      guidance: 1,
      negativePrompt: '',
      prompt: 'a red ball moving right over the ocean',
      solver: 'euler' as const,
    },
    {
      guidance: 2.5,
      negativePrompt: 'blue',
      prompt: 'a small yellow star flying up in space',
      solver: 'euler' as const,
    },
    // The analytic velocity is exact, so the multistep solvers land on the same target.
    {
      guidance: 2.5,
      negativePrompt: 'blue',
      prompt: 'a small yellow star flying up in space',
      solver: 'unipc' as const,
    },
    {
      guidance: 1,
      negativePrompt: '',
      prompt: 'a red ball moving right over the ocean',
      solver: 'dpmpp-2m' as const,
    },
  ])(
    'matches the reference for guidance $guidance with $solver',
    async ({ guidance, negativePrompt, prompt, solver }) => {
      const request = smallRequest('demo-t2v', {
        prompt,
        negativePrompt,
        guidance,
        resolution: '320x192',
        solver,
      });
      const out = await engine.generate('ref', request);
      const ref = referenceFrames(request);
      expect([out.frames.count, out.frames.width, out.frames.height]).toEqual([9, 320, 192]);
      expect(out.frames.rgba).toHaveLength(9 * 320 * 192 * 4);
      expect(maxAbsDiff(out.latent, ref.latent)).toBeLessThanOrEqual(1e-4);
      expect(maxAbsDiff(out.frames.rgba, ref.rgba)).toBeLessThanOrEqual(1);
      expect(out.backend).toBe('wasm');
      expect(out.sigmas).toHaveLength(request.steps + 1);
      expect(out.backendReason).toMatch(/WebGPU is not available/);
    },
  );

  it('different prompts give different colours in the expected channel', async () => {
    const red = await engine.generate('red', smallRequest('demo-t2v', { prompt: 'red' }));
    const blue = await engine.generate('blue', smallRequest('demo-t2v', { prompt: 'blue' }));
    const [rr, rg, rb] = centreColour(red.frames.rgba, 128, 128) as [number, number, number];
    const [br, , bb] = centreColour(blue.frames.rgba, 128, 128) as [number, number, number];
    expect(rr).toBeGreaterThan(200);
    expect(rb).toBeLessThan(60);
    expect(rg).toBeLessThan(60);
    expect(bb).toBeGreaterThan(200);
    expect(br).toBeLessThan(60);
  });

  it('reports load, encode-text, denoise 1..N and decode, in order', async () => {
    const fresh = cpuEngine();
    const events: Progress[] = [];
    await fresh.generate('progress', smallRequest('demo-t2v', { steps: 5 }), {
      onProgress: (p) => events.push(p),
    });
    const loads = events.filter((p) => p.stage === 'load');
    expect(loads.map((p) => p.file)).toEqual(['text_encoder.onnx', 'transformer.onnx', 'vae_decoder.onnx']);
    const total = loads[0]?.total as number;
    expect(total).toBeGreaterThan(0);
    loads.forEach((p, i) => {
      expect(p.total).toBe(total);
      if (i > 0) expect(p.loaded).toBeGreaterThanOrEqual(loads[i - 1]?.loaded as number);
    });
    expect(loads.at(-1)?.loaded).toBe(total);
    const steps = events.filter((p) => p.stage === 'denoise');
    expect(steps.map((p) => [p.step, p.total])).toEqual([1, 2, 3, 4, 5].map((s) => [s, 5]));
    expect(steps.at(-1)?.etaMs).toBe(0);
    expect(events.map((p) => p.stage).filter((s, i, a) => s !== a[i - 1])).toEqual([
      'load',
      'encode-text',
      'denoise',
      'decode',
    ]);
    await fresh.dispose();
  });

  it('reuses the loaded pack: a second run reports no load progress', async () => {
    await engine.generate('first', smallRequest('demo-t2v', { steps: 1 }));
    const events: Progress[] = [];
    await engine.generate('again', smallRequest('demo-t2v', { steps: 1 }), {
      onProgress: (p) => events.push(p),
    });
    expect(events.filter((p) => p.stage === 'load')).toEqual([]);
    expect(events.filter((p) => p.stage === 'denoise')).toHaveLength(1);
  });
});
