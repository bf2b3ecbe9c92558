/** The transfer count (engine/transfers.ts): what counts as an upload or a readback, and per-stage/per-step attribution through the engine. */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine';
import type { OrtModule, OrtSession, OrtTensor } from '../../src/engine/runtime';
import { maxPerStep, meterTransfers } from '../../src/engine/transfers';
import { CPU_ONLY, diskPackSource, ortNodeModule } from '../helpers/ort-node';
import { smallRequest } from '../helpers/packs';

/** A stand-in tensor: `size` float32 values at `location`; counts its getData calls. */
function tensor(location: 'cpu' | 'gpu-buffer', size: number): OrtTensor & { reads: number } {
  const t = {
    type: 'float32',
    dims: [size],
    size,
    location,
    data: new Float32Array(size),
    reads: 0,
    getData: async () => (t.reads++, t.data),
    dispose: () => undefined,
  };
  return t as unknown as OrtTensor & { reads: number };
}

/** A module whose sessions return one output of 8 values at `outLocation`. */
function fakeOrt(outLocation: 'cpu' | 'gpu-buffer'): OrtModule {
  return {
    Tensor: ortNodeModule.Tensor,
    InferenceSession: {
      create: async () =>
        ({
          run: async () => ({ y: tensor(outLocation, 8) }),
          release: async () => undefined,
          inputNames: ['x'],
          outputNames: ['y'],
        }) as unknown as OrtSession,
    },
  };
}

describe('transfer meter', () => {
  it('counts CPU feeds of a WebGPU session as uploads and its CPU outputs as readbacks, in calls and bytes', async () => {
    const meter = meterTransfers(fakeOrt('cpu'));
    const s = await meter.ort.InferenceSession.create(new Uint8Array(1), { executionProviders: ['webgpu'] });
    meter.at('denoise', 0);
    await s.run({ x: tensor('cpu', 4), z: tensor('gpu-buffer', 100) });
    expect(meter.report()).toMatchObject({
      uploads: 1,
      uploadBytes: 16,
      readbacks: 1,
      readbackBytes: 32,
      steps: [{ uploads: 1, uploadBytes: 16, readbacks: 1, readbackBytes: 32 }],
    });
    expect(meter.report().stages.denoise).toEqual({
      uploads: 1,
      uploadBytes: 16,
      readbacks: 1,
      readbackBytes: 32,
      reuploads: 0,
    });
  });

  it('the same CPU tensor fed again is a reupload (a constant sent twice)', async () => {
    const meter = meterTransfers(fakeOrt('gpu-buffer'));
    const s = await meter.ort.InferenceSession.create(new Uint8Array(1), { executionProviders: ['webgpu'] });
    const constant = tensor('cpu', 4);
    meter.at('denoise', 0);
    await s.run({ x: constant });
    meter.at('denoise', 1);
    await s.run({ x: constant, y: tensor('cpu', 2) });
    expect(meter.report().steps).toEqual([
      { uploads: 1, uploadBytes: 16, readbacks: 0, readbackBytes: 0, reuploads: 0 },
      { uploads: 2, uploadBytes: 24, readbacks: 0, readbackBytes: 0, reuploads: 1 },
    ]);
  });

  it('an output kept in a GPU buffer counts a readback only when its data is downloaded', async () => {
    const meter = meterTransfers(fakeOrt('gpu-buffer'));
    const s = await meter.ort.InferenceSession.create(new Uint8Array(1), {
      executionProviders: [{ name: 'webgpu' }],
    });
    meter.at('denoise', 0);
    const out = (await s.run({ x: tensor('gpu-buffer', 4) })).y as OrtTensor & { reads: number };
    expect(meter.report()).toMatchObject({ uploads: 0, readbacks: 0 });
    meter.at('decode');
    await out.getData();
    expect(out.reads).toBe(1);
    expect(meter.report()).toMatchObject({
      readbacks: 1,
      readbackBytes: 32,
      stages: { decode: { readbacks: 1 } },
      steps: [{ readbacks: 0 }],
    });
  });

  it('wasm sessions move nothing between host and device; reset starts a new count', async () => {
    const meter = meterTransfers(fakeOrt('cpu'));
    const wasm = await meter.ort.InferenceSession.create(new Uint8Array(1), { executionProviders: ['wasm'] });
    await wasm.run({ x: tensor('cpu', 4) });
    expect(meter.report()).toMatchObject({ uploads: 0, readbacks: 0, steps: [] });
    const gpu = await meter.ort.InferenceSession.create(new Uint8Array(1), {
      executionProviders: ['webgpu'],
    });
    await gpu.run({ x: tensor('cpu', 4) });
    meter.reset();
    expect(meter.report()).toEqual({
      uploads: 0,
      uploadBytes: 0,
      readbacks: 0,
      readbackBytes: 0,
      reuploads: 0,
      stages: {},
      steps: [],
    });
  });

  it('the engine reports a run per stage and per denoise step (sessions made for WebGPU, run here on the CPU)', async () => {
    // onnxruntime-node runs every session on its CPU provider, so outputs land on the CPU: each one counts as a readback.
    const engine = createEngine({
      ort: ortNodeModule,
      sourceFor: async (id) => diskPackSource(id),
      probe: async () => ({ ...CPU_ONLY, webgpu: true, maxBufferSize: 2 ** 30 }),
    });
    const out = await engine.generate('t', smallRequest('test-t2v-random', { steps: 3 }));
    expect(out.backend).toBe('webgpu');
    const t = out.transfers;
    expect(t.steps).toHaveLength(3);
    expect(Object.keys(t.stages)).toEqual(expect.arrayContaining(['encode-text', 'denoise', 'decode']));
    for (const k of ['uploads', 'uploadBytes', 'readbacks', 'readbackBytes', 'reuploads'] as const) {
      expect(Object.values(t.stages).reduce((n, s) => n + s[k], 0)).toBe(t[k]);
      expect(t.steps.reduce((n, s) => n + s[k], 0)).toBe(t.stages.denoise?.[k]);
    }
    // After the first (which also sends the guidance once), every step moves the same: here every output is on the CPU and goes back up.
    expect(new Set(t.steps.slice(1).map((s) => JSON.stringify(s))).size).toBe(1);
    expect(maxPerStep(t).readbacks).toBeGreaterThan(0);
    const cpu = await createEngine({
      ort: ortNodeModule,
      sourceFor: async (id) => diskPackSource(id),
      probe: async () => CPU_ONLY,
    }).generate('w', smallRequest('test-t2v-random', { steps: 3 }));
    expect(cpu.transfers).toMatchObject({ uploads: 0, readbacks: 0 });
  });
});
